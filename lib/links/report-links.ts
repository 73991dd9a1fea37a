import type { Provider } from '#lib/store/types.ts';
import { ConfigError } from '#lib/errors.ts';
import { LINK_TTL_MS, linkUrl, signLink } from './token.ts';

/**
 * The signed links an email carries (DESIGN sections 4 and 5): absolute, each naming one
 * user and one action, so the footer of a forwarded report grants nothing beyond itself.
 * What the links do is the link handler's business (functions/links.ts); this module only
 * issues them.
 */

/**
 * Signed links the deployment provides (absolute URLs); locally there are none, and none
 * are shown. Each is optional: the email shows the ones it is given.
 */
export interface ReportLinks {
  /** The settings page: pause, time zone, connected mailboxes. */
  manage?: string;
  /** Pause the weekly report (a one-step link, when there is no settings page). */
  pause?: string;
  unsubscribe?: string;
  /** Disconnect every mailbox and delete the user's data (DESIGN section 4). */
  disconnect?: string;
  /** Where to reconnect an account that stopped syncing. */
  reconnect?: string;
  /**
   * Where to change the time zone the report is dated in and sent by (DESIGN section 1:
   * detected in the browser, changeable later by a signed link).
   */
  timeZone?: string;
  /** A per-contact answer to a flag: "this is fine", snooze 30 days, mute. */
  contactAction?: (address: string, action: 'fine' | 'snooze' | 'mute') => string;
  /** A contact's notes page, to add, edit or delete notes on them (DESIGN section 9; lib/links/notes-links.ts). */
  notes?: (address: string) => string;
  /** "Keep private": the contact is never shared with colleagues (DESIGN section 10; lib/links/team-links.ts). */
  keepPrivate?: (address: string) => string;
}

/** How long "snooze" silences a contact, in days. */
export const SNOOZE_DAYS = 30;

export interface LinkIssuer {
  /** Public base URL of the link handler: `https://...` in AWS, loopback locally. */
  baseUrl: string;
  /** The deploy's link key (at least 32 bytes). */
  secret: Uint8Array;
  userId: string;
  /** When the links are issued: their expiry counts from here. */
  now: Date;
}

export interface ReportLinkInput extends LinkIssuer {
  /** Provider of an account that needs reconnecting, for the report's reconnect link. */
  reconnectProvider?: Exclude<Provider, 'files'>;
}

/**
 * The links of one weekly report: manage (the pause page), disconnect (revoke and delete
 * everything; the link only shows a confirmation page until its button is pressed), unsubscribe,
 * time zone (a page to change the zone the report is dated in and sent by), per-contact
 * answers ("this is fine", snooze 30 days, mute) and, when an account needs it, reconnect.
 * `unsubscribeUrl` is the same unsubscribe link, always present, for the RFC 8058
 * `List-Unsubscribe` header.
 */
export function reportLinksFor(input: ReportLinkInput): ReportLinks & { unsubscribeUrl: string } {
  const base = checkedBaseUrl(input.baseUrl);
  const now = input.now.getTime();
  const link = (claims: Parameters<typeof signLink>[1]): string => linkUrl(base, signLink(input.secret, claims, { now }));
  const unsubscribeUrl = link({ action: 'unsubscribe', userId: input.userId });
  return {
    manage: link({ action: 'pause', userId: input.userId }),
    disconnect: link({ action: 'disconnect', userId: input.userId }),
    unsubscribe: unsubscribeUrl,
    unsubscribeUrl,
    timeZone: link({ action: 'timezone', userId: input.userId }),
    ...(input.reconnectProvider
      ? { reconnect: reconnectUrl({ ...input, baseUrl: base, provider: input.reconnectProvider }) }
      : {}),
    contactAction: (address, action) =>
      link({
        action,
        userId: input.userId,
        contact: address,
        ...(action === 'snooze' ? { days: SNOOZE_DAYS } : {}),
      }),
  };
}

/**
 * Where a user reconnects a mailbox: the connect flow of `provider` with a signed
 * `reconnect` token naming this user and, when given, the account. It only ever renews a
 * mailbox the person already has (that account, or one of theirs at `provider`): the
 * connect page refuses any other sign-in, so a forwarded email attaches nobody's mailbox.
 * It lives as long as a reconnect link: the email may be read late.
 */
export function reconnectUrl(input: LinkIssuer & { provider: Exclude<Provider, 'files'>; accountId?: string }): string {
  const base = checkedBaseUrl(input.baseUrl);
  const token = signLink(
    input.secret,
    { action: 'reconnect', userId: input.userId, ...(input.accountId ? { accountId: input.accountId } : {}) },
    { now: input.now.getTime(), ttlMs: LINK_TTL_MS.reconnect },
  );
  return `${base}/connect/${input.provider}?link=${encodeURIComponent(token)}`;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The base URL without a trailing slash. Links must be absolute; plain http only on
 * loopback (local runs), since a token sent in clear over the internet could be replayed.
 */
export function checkedBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError(`the links base URL must be absolute, such as https://sinew.example.com (got '${baseUrl}')`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new ConfigError(`the links base URL must use https (http only on loopback), got '${baseUrl}'`);
  }
  return baseUrl.replace(/\/+$/, '');
}
