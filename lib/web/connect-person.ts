import { timingSafeEqual } from 'node:crypto';
import { InvalidLinkError, LINK_TTL_MS, signLink, verifyLink } from '#lib/links/token.ts';
import type { Account, Store, User } from '#lib/store/types.ts';
import { messagePage, type PersonLinkView } from './connect-pages.ts';
import { htmlResponse, type WebRequest, type WebResponse } from './http.ts';

/**
 * The signed links that make a connect land on an existing person (DESIGN section 1, "Who
 * is who"), and what binds them:
 * - `join` ("connect another mailbox"): minted by the success page for the person who just
 *   signed in, and valid only together with the `__Host-` cookie that same response set in
 *   that browser, for {@link JOIN_TTL_MS}. A forwarded link is worthless: the cookie stays
 *   behind, and a join needs both.
 * - `reconnect` (the reconnect email, the report's reconnect link): may be followed in any
 *   browser, because it only ever renews the token of a mailbox the person already has
 *   (the one it names, or, naming none, one of theirs at that provider); the callback
 *   checks the identity that comes back.
 */

/** The cookie that carries the person's join claim in the browser that signed in as them. */
export const JOIN_COOKIE = '__Host-sinew-join';

/** How long a join (link and cookie) lasts: minutes, enough to click "connect another". */
export const JOIN_TTL_MS = LINK_TTL_MS.join;

const COOKIE_ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Lax';

/** A verified person link. */
export type PersonLink =
  | { kind: 'join'; token: string; user: User }
  | { kind: 'reconnect'; token: string; user: User; account?: Account };

/** The signed link a request carries: `join` (this app's links) or `link` (handed over by the links app). */
export function personLinkToken(req: WebRequest): string | undefined {
  return req.query.join ?? req.query.link;
}

/** A fresh join for `user`: the token for the success page's links, and the cookie binding it to this browser. */
export function mintJoin(secret: Uint8Array, user: User, now: number): { token: string; cookie: string } {
  const token = signLink(secret, { action: 'join', userId: user.userId }, { now, ttlMs: JOIN_TTL_MS });
  return { token, cookie: `${JOIN_COOKIE}=${token}; Max-Age=${Math.round(JOIN_TTL_MS / 1000)}; ${COOKIE_ATTRIBUTES}` };
}

/**
 * Verifies a person link: its signature and expiry, its action, the person it names, and
 * for a join the cookie of this browser. Refusals name nobody: a link followed by someone
 * else must not tell them whose it was.
 */
export async function checkPersonLink(
  deps: { store: Store; secret: () => Promise<Uint8Array>; now: () => Date },
  req: WebRequest,
  token: string,
): Promise<PersonLink | { refusal: WebResponse }> {
  const refusal = (reason: string, next = 'Ask for a fresh link from your latest Sinew report, or connect from the connect page.'): { refusal: WebResponse } => ({
    refusal: htmlResponse(400, messagePage({ title: 'This link cannot be used', reason, next })),
  });
  let claims;
  try {
    claims = verifyLink(await deps.secret(), token, deps.now().getTime());
  } catch (err) {
    if (!(err instanceof InvalidLinkError)) throw err;
    return refusal(`${err.message[0]!.toUpperCase()}${err.message.slice(1)}.`);
  }
  if (claims.action !== 'join' && claims.action !== 'reconnect') {
    return refusal(`This is a '${claims.action}' link, not a link to connect a mailbox.`);
  }
  if (claims.action === 'join' && !sameText(req.cookies[JOIN_COOKIE] ?? '', token)) {
    return refusal(
      `A "connect another mailbox" link works only in the browser that just connected a mailbox to those reports, within ${Math.round(JOIN_TTL_MS / 60_000)} minutes: a link sent on to someone else adds nothing to anyone's reports.`,
      'Nothing was stored. To add a mailbox to your own reports, connect your first mailbox again from the connect page, then use "Connect another mailbox" on the page that follows.',
    );
  }
  const user = await deps.store.getUser(claims.userId);
  if (!user) return refusal('The person this link was made for is no longer in Sinew.');
  if (claims.action === 'join') return { kind: 'join', token, user };
  const account = claims.accountId ? await deps.store.getAccount(user.userId, claims.accountId) : undefined;
  if (claims.accountId && !account) return refusal('The mailbox this link reconnects is no longer part of these reports.', 'Connect it again from the connect page.');
  return { kind: 'reconnect', token, user, ...(account ? { account } : {}) };
}

/** What the connect page shows of a person link. */
export function personLinkView(link: PersonLink): PersonLinkView {
  return link.kind === 'join'
    ? { kind: 'join', token: link.token, reportAddress: link.user.email }
    : { kind: 'reconnect', token: link.token, ...(link.account ? { address: link.account.address } : {}) };
}

/** Constant-time equality of two strings (a cookie against a link). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
