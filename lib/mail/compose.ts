import { createHash, randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { OutgoingEmail } from './mailer.ts';
import { InputError } from '#lib/errors.ts';

/**
 * One outgoing email as RFC 5322 bytes: multipart/alternative (plain text first, then
 * HTML, so a client shows the richest part it can), UTF-8, the extra headers
 * (`List-Unsubscribe`, ...) and a Message-ID on the sender's domain. Both transports
 * send exactly these bytes, so what the SMTP sink receives in tests is what SES gets.
 */
export interface ComposedEmail {
  raw: Buffer;
  /** The Message-ID header, `<...@sender.domain>`. */
  messageId: string;
}

export interface ComposeOptions {
  /** The Date header; default the composer's clock (a transport edge, not the domain). */
  date?: Date;
}

/** {@link composeMessage}, the bytes only. */
export async function composeEmail(email: OutgoingEmail, opts: ComposeOptions = {}): Promise<Buffer> {
  return (await composeMessage(email, opts)).raw;
}

/**
 * Composes the message. A `Message-ID` among `email.headers` is used as given (a caller
 * that may send the same email twice gives a deterministic one, so clients that collapse
 * duplicates by Message-ID show it once); otherwise a random one on the sender's domain.
 */
export async function composeMessage(email: OutgoingEmail, opts: ComposeOptions = {}): Promise<ComposedEmail> {
  const headers: Record<string, string> = {};
  let messageId: string | undefined;
  for (const [name, value] of Object.entries(email.headers)) {
    if (name.toLowerCase() === 'message-id') messageId = value;
    else headers[name] = value;
  }
  messageId ??= `<${randomUUID()}@${senderDomain(email.from)}>`;
  const composer = new MailComposer({
    from: email.from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    headers,
    messageId,
    ...(opts.date ? { date: opts.date } : {}),
    textEncoding: 'quoted-printable',
  });
  const raw = await composer.compile().build();
  return { raw, messageId };
}

/**
 * A stable Message-ID for an email that must go out once (`key` such as the user and
 * week): hashed, so the header carries no id in clear.
 */
export function stableMessageId(from: string, key: string): string {
  const local = createHash('sha256').update(key).digest('base64url').slice(0, 32);
  return `<sinew.${local}@${senderDomain(from)}>`;
}

/** The domain of an address, plain (`a@b.c`) or with a display name (`Sinew <a@b.c>`). */
export function senderDomain(from: string): string {
  const match = /@([^\s@<>]+?)>?\s*$/.exec(from.trim());
  if (!match) throw new InputError(`the sender must be an email address such as sinew@example.com (got '${from}')`);
  return match[1]!.toLowerCase();
}
