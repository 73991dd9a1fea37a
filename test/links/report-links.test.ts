import { describe, expect, it } from 'vitest';
import { ConfigError } from '#lib/errors.ts';
import { checkedBaseUrl, reconnectUrl, reportLinksFor, SNOOZE_DAYS } from '#lib/links/report-links.ts';
import { InvalidLinkError, LINK_TTL_MS, verifyLink } from '#lib/links/token.ts';

const secret = Buffer.alloc(32, 7);
const now = new Date('2026-11-23T07:00:00.000Z');
const base = 'https://sinew.example.com/';

function tokenOf(url: string): string {
  const m = /^https:\/\/sinew\.example\.com\/l\/([^/?#]+)$/.exec(url);
  expect(m, url).not.toBeNull();
  return m![1]!;
}

describe('reportLinksFor', () => {
  const links = reportLinksFor({ baseUrl: base, secret, userId: 'u1', now: now, reconnectProvider: 'microsoft' });

  it('signs an absolute https link per action, each verifying for this user only', () => {
    const manage = verifyLink(secret, tokenOf(links.manage!), now.getTime());
    expect(manage).toMatchObject({ action: 'pause', userId: 'u1' });
    expect(verifyLink(secret, tokenOf(links.disconnect!), now.getTime())).toMatchObject({ action: 'disconnect', userId: 'u1' });
    const unsub = verifyLink(secret, tokenOf(links.unsubscribe!), now.getTime());
    expect(unsub).toMatchObject({ action: 'unsubscribe', userId: 'u1' });
    expect(links.unsubscribeUrl).toBe(links.unsubscribe);
    // RFC 8058 links must keep working for as long as the email is read.
    expect(unsub.expiresAt).toBe(now.getTime() + LINK_TTL_MS.unsubscribe);
  });

  it('signs a time-zone link for this user, answered by the links app\'s time-zone page', () => {
    const claims = verifyLink(secret, tokenOf(links.timeZone!), now.getTime());
    expect(claims).toEqual({ action: 'timezone', userId: 'u1', expiresAt: now.getTime() + LINK_TTL_MS.timezone });
    const other = reportLinksFor({ baseUrl: base, secret, userId: 'u2', now });
    expect(verifyLink(secret, tokenOf(other.timeZone!), now.getTime())).toMatchObject({ action: 'timezone', userId: 'u2' });
  });

  it('makes per-contact answers: fine, snooze 30 days, mute', () => {
    const fine = verifyLink(secret, tokenOf(links.contactAction!('ann@acme.com', 'fine')), now.getTime());
    expect(fine).toEqual({ action: 'fine', userId: 'u1', contact: 'ann@acme.com', expiresAt: now.getTime() + LINK_TTL_MS.fine });
    const snooze = verifyLink(secret, tokenOf(links.contactAction!('ann@acme.com', 'snooze')), now.getTime());
    expect(snooze).toMatchObject({ action: 'snooze', contact: 'ann@acme.com', days: SNOOZE_DAYS });
    expect(SNOOZE_DAYS).toBe(30);
    const mute = verifyLink(secret, tokenOf(links.contactAction!('raj@beta.io', 'mute')), now.getTime());
    expect(mute).toMatchObject({ action: 'mute', contact: 'raj@beta.io' });
    expect(mute.days).toBeUndefined();
  });

  it('refuses a link signed under another key', () => {
    expect(() => verifyLink(Buffer.alloc(32, 8), tokenOf(links.manage!), now.getTime())).toThrow(InvalidLinkError);
  });

  it('points reconnect at the provider\'s connect flow with a signed reconnect token (never a join) that outlives a day', () => {
    const url = new URL(links.reconnect!);
    expect(`${url.origin}${url.pathname}`).toBe('https://sinew.example.com/connect/microsoft');
    expect(url.searchParams.has('join')).toBe(false);
    const claims = verifyLink(secret, url.searchParams.get('link')!, now.getTime() + 7 * 86_400_000);
    expect(claims).toMatchObject({ action: 'reconnect', userId: 'u1' });
    expect(claims.expiresAt).toBe(now.getTime() + LINK_TTL_MS.reconnect);
    const named = new URL(reconnectUrl({ baseUrl: base, secret, userId: 'u1', now, provider: 'google', accountId: 'google-abc' }));
    expect(named.pathname).toBe('/connect/google');
    expect(verifyLink(secret, named.searchParams.get('link')!, now.getTime())).toMatchObject({ action: 'reconnect', userId: 'u1', accountId: 'google-abc' });
  });

  it('has no reconnect link when nothing needs reconnecting', () => {
    expect(reportLinksFor({ baseUrl: base, secret, userId: 'u1', now }).reconnect).toBeUndefined();
  });

  it('wants an absolute base URL, https except on loopback', () => {
    expect(checkedBaseUrl('http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787');
    expect(checkedBaseUrl('http://localhost:8787')).toBe('http://localhost:8787');
    expect(() => checkedBaseUrl('/l')).toThrow(ConfigError);
    expect(() => checkedBaseUrl('http://sinew.example.com')).toThrow(/https/);
  });
});
