import { linkUrl, signLink, type LinkAction } from '#lib/links/token.ts';
import type { ReportLinks } from '#lib/links/report-links.ts';

/**
 * Signed report links built the way the deployment builds them (lib/links: a token per
 * user and action at `${base}/l/${token}`; reconnect through the connect flow with a
 * `reconnect` token), so tests can check that every href is absolute and verifies.
 */

export const LINK_SECRET = new Uint8Array(32).fill(7);
export const LINK_BASE = 'https://sinew.example';

/** Every link the email can carry, signed for `userId` at `now`. */
export function signedLinks(userId: string, now: number, base = LINK_BASE): ReportLinks {
  const token = (action: LinkAction, extra: { contact?: string; days?: number } = {}): string =>
    signLink(LINK_SECRET, { action, userId, ...extra }, { now });
  return {
    manage: linkUrl(base, token('pause')),
    unsubscribe: linkUrl(base, token('unsubscribe')),
    disconnect: linkUrl(base, token('disconnect')),
    timeZone: linkUrl(base, token('timezone')),
    reconnect: `${base}/connect/google?link=${encodeURIComponent(token('reconnect'))}`,
    contactAction: (contact, action) => linkUrl(base, token(action, action === 'snooze' ? { contact, days: 30 } : { contact })),
    notes: (contact) => linkUrl(base, token('notes', { contact })),
  };
}

/**
 * The signed token a Sinew link carries: `/l/<token>`, or the `link` token of a
 * reconnect link; undefined for any other shape.
 */
export function tokenOf(url: URL): string | undefined {
  const direct = /^\/l\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(url.pathname)?.[1];
  if (direct) return direct;
  if (/^\/connect\/(google|microsoft)$/.test(url.pathname)) return url.searchParams.get('link') ?? undefined;
  return undefined;
}
