import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '#lib/errors.ts';
import { InvalidLinkError, LINK_ACTIONS, LINK_TTL_MS, linkUrl, signLink, verifyLink, type LinkFailure } from '#lib/links/token.ts';

const SECRET = Buffer.alloc(32, 7);
const NOW = Date.UTC(2026, 10, 23, 7);
const DAY = 86_400_000;

function failure(fn: () => unknown): { reason: LinkFailure; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidLinkError);
    return { reason: (err as InvalidLinkError).reason, message: (err as Error).message };
  }
  throw new Error('expected the link to be refused');
}

/** A token whose body is `payload`, correctly signed: proves the payload checks run after the MAC. */
function signedBody(payload: unknown): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const sig = createHmac('sha256', SECRET).update(`sinew.link.v1.${body}`).digest('base64url');
  return `${body}.${sig}`;
}

describe('signed links', () => {
  it('round-trips every claim', () => {
    const token = signLink(SECRET, { action: 'snooze', userId: 'u1', contact: 'ann@acme.com', accountId: 'google-1', days: 14 }, { now: NOW });
    expect(verifyLink(SECRET, token, NOW + 1000)).toStrictEqual({
      action: 'snooze', userId: 'u1', contact: 'ann@acme.com', accountId: 'google-1', days: 14, expiresAt: NOW + LINK_TTL_MS.snooze,
    });
    const bare = signLink(SECRET, { action: 'pause', userId: 'u1' }, { now: NOW });
    expect(verifyLink(SECRET, bare, NOW)).toStrictEqual({ action: 'pause', userId: 'u1', expiresAt: NOW + LINK_TTL_MS.pause });
  });

  it('uses only URL-safe characters', () => {
    const token = signLink(SECRET, { action: 'mute', userId: 'u1', contact: 'a+b/c?d@x.com' }, { now: NOW });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses a payload changed after signing', () => {
    const token = signLink(SECRET, { action: 'mute', userId: 'u1', contact: 'ann@acme.com' }, { now: NOW });
    const [body, sig] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, u: 'u2' })).toString('base64url');
    expect(failure(() => verifyLink(SECRET, `${forged}.${sig}`, NOW)).reason).toBe('signature');
    // Longer expiry: the same.
    const later = Buffer.from(JSON.stringify({ ...claims, e: NOW + 1000 * DAY })).toString('base64url');
    expect(failure(() => verifyLink(SECRET, `${later}.${sig}`, NOW)).reason).toBe('signature');
  });

  it('refuses a changed signature, a signature under another key, and a non-canonical encoding of the right one', () => {
    const token = signLink(SECRET, { action: 'disconnect', userId: 'u1' }, { now: NOW });
    const [body, sig] = token.split('.') as [string, string];
    const flipped = `${sig.slice(0, 5)}${sig[5] === 'A' ? 'B' : 'A'}${sig.slice(6)}`;
    expect(failure(() => verifyLink(SECRET, `${body}.${flipped}`, NOW)).reason).toBe('signature');
    expect(failure(() => verifyLink(Buffer.alloc(32, 8), token, NOW)).reason).toBe('signature');
    expect(failure(() => verifyLink(SECRET, `${body}.${sig.slice(0, -1)}`, NOW)).reason).toBe('signature');
    // 32 bytes are 43 base64url characters: the last one carries 2 unused bits. Setting them
    // decodes to the same bytes, but is not the token Sinew issued.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    const twin = `${sig.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(twin, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(failure(() => verifyLink(SECRET, `${body}.${twin}`, NOW)).reason).toBe('signature');
    // Standard base64 padding is another spelling of the same bytes: refused too.
    expect(failure(() => verifyLink(SECRET, `${body}.${sig}=`, NOW)).reason).toBe('signature');
  });

  it('calls an incomplete token malformed', () => {
    for (const token of [undefined, '', 'abc', 'abc.', '.abc', 'a.b.c']) {
      expect(failure(() => verifyLink(SECRET, token, NOW)).reason).toBe('malformed');
    }
  });

  it('checks the payload of a correctly signed token', () => {
    const good = { v: 1, a: 'mute', u: 'u1', c: 'ann@acme.com', e: NOW + DAY };
    expect(verifyLink(SECRET, signedBody(good), NOW).action).toBe('mute');
    for (const bad of [{ ...good, a: 'delete-everything' }, { ...good, v: 2 }, { ...good, extra: 1 }, { ...good, d: 0 }, { ...good, u: '' }, 'just a string']) {
      expect(failure(() => verifyLink(SECRET, signedBody(bad), NOW)).reason).toBe('malformed');
    }
    const notJson = Buffer.from('{nope').toString('base64url');
    const sig = createHmac('sha256', SECRET).update(`sinew.link.v1.${notJson}`).digest('base64url');
    expect(failure(() => verifyLink(SECRET, `${notJson}.${sig}`, NOW)).reason).toBe('malformed');
  });

  it('expires at expiresAt, naming the day', () => {
    const token = signLink(SECRET, { action: 'fine', userId: 'u1', contact: 'ann@acme.com' }, { now: NOW, ttlMs: DAY });
    expect(verifyLink(SECRET, token, NOW + DAY - 1).action).toBe('fine');
    const refused = failure(() => verifyLink(SECRET, token, NOW + DAY));
    expect(refused.reason).toBe('expired');
    expect(refused.message).toContain('2026-11-24');
  });

  it('refuses a secret shorter than 32 bytes, when signing and verifying', () => {
    const short = Buffer.alloc(31, 1);
    expect(() => signLink(short, { action: 'pause', userId: 'u1' }, { now: NOW })).toThrow(ConfigError);
    const token = signLink(SECRET, { action: 'pause', userId: 'u1' }, { now: NOW });
    expect(() => verifyLink(short, token, NOW)).toThrow(/at least 32 bytes \(got 31\)/);
  });

  it('gives each action its TTL, and unsubscribe links a year', () => {
    for (const action of LINK_ACTIONS) {
      const token = signLink(SECRET, { action, userId: 'u1' }, { now: NOW });
      expect(verifyLink(SECRET, token, NOW).expiresAt).toBe(NOW + LINK_TTL_MS[action]);
    }
    expect(LINK_TTL_MS.unsubscribe).toBeGreaterThanOrEqual(365 * DAY);
    expect(LINK_TTL_MS.join).toBeLessThanOrEqual(DAY);
    expect(verifyLink(SECRET, signLink(SECRET, { action: 'mute', userId: 'u1' }, { now: NOW, ttlMs: 5000 }), NOW).expiresAt).toBe(NOW + 5000);
  });

  it('refuses to sign claims it could not verify', () => {
    expect(() => signLink(SECRET, { action: 'snooze', userId: 'u1', days: 0 }, { now: NOW })).toThrow();
    expect(() => signLink(SECRET, { action: 'snooze', userId: 'u1', days: 366 }, { now: NOW })).toThrow();
    expect(() => signLink(SECRET, { action: 'pause', userId: '' }, { now: NOW })).toThrow();
  });

  it('builds the absolute URL under /l/', () => {
    expect(linkUrl('https://x.example/', 'abc.def')).toBe('https://x.example/l/abc.def');
    expect(linkUrl('https://x.example', 'abc.def')).toBe('https://x.example/l/abc.def');
  });
});
