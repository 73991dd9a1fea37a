/**
 * What a handler may log of a failure: its message with every email address reduced to
 * its domain (`<redacted>@example.com`) and long token-like runs (access and refresh
 * tokens, signed links, OAuth codes) removed. Provider and SES messages quote addresses
 * ("... failed the check in region EU-WEST-1: ann@acme.com"); the domain is enough to
 * tell which organization's mail bounced, and the person stays out of the logs.
 */
export function redactMessage(message: string): string {
  return message
    .replace(/[^\s@'"<>(),;:[\]]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g, '<redacted>@$1')
    .replace(/[A-Za-z0-9._~+/=-]{40,}/g, '<redacted>');
}

/** A failure as log fields: its class and its redacted message. */
export function errorFields(error: unknown): { errorName: string; error: string } {
  const e = error instanceof Error ? error : new Error(String(error));
  return { errorName: e.name, error: redactMessage(e.message) };
}

/** Addresses and long token-like runs out of a message, whole (`<address>`, `<redacted>`). */
export function scrubMessage(message: string): string {
  return message.replace(/[^\s@'"<>()]+@[^\s@'"<>()]+/g, '<address>').replace(/[A-Za-z0-9._~+/=-]{40,}/g, '<redacted>');
}
