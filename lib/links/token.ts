import * as z from 'zod';
import { InputError } from '#lib/errors.ts';
import { openSigned, signPayload } from '#lib/connect/signed.ts';

/**
 * Signed, expiring link tokens: the footer links of the weekly email ("this is fine",
 * snooze, mute, their undo, pause, unsubscribe, disconnect), the reconnect and "connect
 * another mailbox" links, the success page's time-zone answer, and the undo of a join
 * (detach). A token names one user and one action; its HMAC (keyed by the deploy's link
 * secret, domain-separated from the OAuth state) proves Sinew issued it, so no guessable
 * id ever grants anything.
 *
 * Form: base64url(JSON claims) + '.' + base64url(HMAC-SHA256). Not encrypted: the claims
 * hold ids and a contact address the recipient already knows, nothing secret.
 */

export const LINK_ACTIONS = [
  'fine', 'snooze', 'mute', 'undo', 'pause', 'resume', 'unsubscribe', 'disconnect', 'timezone', 'join', 'reconnect', 'detach', 'notes',
  'briefs-off', 'briefs-on',
  // The team view (DESIGN section 10): consent, a contact kept out of it, and the who-knows page.
  'stop-sharing', 'share-again', 'private', 'who-knows',
] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

export interface LinkClaims {
  action: LinkAction;
  userId: string;
  /** The contact a per-contact answer (fine, snooze, mute, undo) or a notes page is about. */
  contact?: string;
  /** The account a `reconnect`, `detach` or `disconnect` is about (disconnect without it: every account). */
  accountId?: string;
  /** Snooze length in days. */
  days?: number;
  /**
   * `sharing` on an `undo` that cancels "keep private" (DESIGN section 10) rather than a
   * flag answer: the two are kept apart (lib/items/feedback.ts `isSharingAnswer`).
   */
  scope?: 'sharing';
  /** Epoch ms after which the link is refused. */
  expiresAt: number;
}

/** How long links live: long enough for an email read late, short enough to go stale. */
export const LINK_TTL_MS: Readonly<Record<LinkAction, number>> = {
  fine: 60 * 86_400_000,
  snooze: 60 * 86_400_000,
  mute: 60 * 86_400_000,
  undo: 60 * 86_400_000,
  pause: 365 * 86_400_000,
  resume: 365 * 86_400_000,
  // RFC 8058 one-click unsubscribe must keep working for as long as the email is read.
  unsubscribe: 365 * 86_400_000,
  disconnect: 60 * 86_400_000,
  timezone: 30 * 86_400_000,
  // Minutes: a join also needs the cookie of the browser that just signed in as the person.
  join: 15 * 60_000,
  reconnect: 30 * 86_400_000,
  // The undo of a join, in the emails that announce it: read late, still works.
  detach: 30 * 86_400_000,
  // The meeting brief's own off switch (and its way back), read as late as a pause.
  'briefs-off': 365 * 86_400_000,
  'briefs-on': 365 * 86_400_000,
  // The notes page of one contact, reached from a brief or a weekly email: as long as the other per-contact links.
  notes: 60 * 86_400_000,
  // Withdrawing consent must keep working as long as an unsubscribe; its way back as long.
  'stop-sharing': 365 * 86_400_000,
  'share-again': 365 * 86_400_000,
  // "Keep private" is a per-contact answer like mute; the who-knows page lives as long.
  private: 60 * 86_400_000,
  'who-knows': 60 * 86_400_000,
};

const claimsSchema = z.strictObject({
  v: z.literal(1),
  a: z.enum(LINK_ACTIONS),
  u: z.string().min(1),
  c: z.string().min(1).optional(),
  i: z.string().min(1).optional(),
  d: z.number().int().positive().max(365).optional(),
  s: z.literal('sharing').optional(),
  e: z.number().int().positive(),
});

const LABEL = 'sinew.link.v1.';

/** Why a link was refused. */
export type LinkFailure = 'malformed' | 'signature' | 'expired';

/** A link came back altered, expired, or not one Sinew issued. */
export class InvalidLinkError extends InputError {
  override name = 'InvalidLinkError';
  constructor(
    message: string,
    readonly reason: LinkFailure,
  ) {
    super(message);
  }
}

/**
 * Signs a link token for `claims`, valid from `now` for the action's TTL (or `ttlMs`).
 */
export function signLink(
  secret: Uint8Array,
  claims: Omit<LinkClaims, 'expiresAt'>,
  opts: { now: number; ttlMs?: number },
): string {
  const payload = claimsSchema.parse({
    v: 1,
    a: claims.action,
    u: claims.userId,
    ...(claims.contact === undefined ? {} : { c: claims.contact }),
    ...(claims.accountId === undefined ? {} : { i: claims.accountId }),
    ...(claims.days === undefined ? {} : { d: claims.days }),
    ...(claims.scope === undefined ? {} : { s: claims.scope }),
    e: opts.now + (opts.ttlMs ?? LINK_TTL_MS[claims.action]),
  });
  return signPayload(secret, LABEL, payload, 'link');
}

/**
 * Checks a link token: the signature first (constant time, before anything in it is
 * believed), then the payload, then the expiry against `now`. Throws
 * {@link InvalidLinkError} naming what failed.
 */
export function verifyLink(secret: Uint8Array, token: string | undefined, now: number): LinkClaims {
  const opened = openSigned(secret, LABEL, token, 'link');
  if (!opened.ok && opened.reason === 'form') throw new InvalidLinkError('the link is incomplete: copy the whole address from the email', 'malformed');
  if (!opened.ok && opened.reason === 'signature') {
    throw new InvalidLinkError('the link signature does not match: it was altered or is not from this Sinew', 'signature');
  }
  const parsed = opened.ok ? claimsSchema.safeParse(opened.payload) : undefined;
  if (!parsed?.success) throw new InvalidLinkError('the link payload is not one Sinew issued', 'malformed');
  const p = parsed.data;
  if (now >= p.e) throw new InvalidLinkError(`the link expired on ${new Date(p.e).toISOString().slice(0, 10)}; use the one in your latest email`, 'expired');
  return {
    action: p.a,
    userId: p.u,
    ...(p.c === undefined ? {} : { contact: p.c }),
    ...(p.i === undefined ? {} : { accountId: p.i }),
    ...(p.d === undefined ? {} : { days: p.d }),
    ...(p.s === undefined ? {} : { scope: p.s }),
    expiresAt: p.e,
  };
}

/** The absolute URL of a link token: `${baseUrl}/l/${token}`. */
export function linkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/l/${token}`;
}
