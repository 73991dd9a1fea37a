import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '#lib/connect/errors.ts';
import { createState, DEFAULT_STATE_TTL_MS, verifyState } from '#lib/connect/state.ts';
import { ConfigError, InputError } from '#lib/errors.ts';

const secret = Buffer.alloc(32, 1);
const now = Date.UTC(2026, 10, 23, 7);

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidStateError);
    expect(err).toBeInstanceOf(InputError);
    return (err as InvalidStateError).reason;
  }
  throw new Error('expected the state to be refused');
}

describe('signed OAuth state', () => {
  it('round-trips provider, nonce, expiry and data', () => {
    const token = createState(secret, { provider: 'google', now, data: { user: 'u-1', next: '/done' } });
    const state = verifyState(secret, token, { provider: 'google', now: now + 1000 });
    expect(state.provider).toBe('google');
    expect(state.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(state.expiresAt).toBe(now + DEFAULT_STATE_TTL_MS);
    expect(state.data).toEqual({ user: 'u-1', next: '/done' });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a flipped byte anywhere in the token', () => {
    const token = createState(secret, { provider: 'google', now, data: { user: 'u-1' } });
    const reasons = new Set<string>();
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      const flipped = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      reasons.add(reasonOf(() => verifyState(secret, flipped, { provider: 'google', now })));
    }
    expect([...reasons]).toEqual(['signature']);
  });

  it('refuses a payload rewritten to join another user, even re-encoded cleanly', () => {
    const token = createState(secret, { provider: 'google', now, data: { user: 'u-1' } });
    const [body, sig] = token.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    payload.d.user = 'u-2';
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
    expect(reasonOf(() => verifyState(secret, forged, { provider: 'google', now }))).toBe('signature');
  });

  it('refuses a state signed with another secret', () => {
    const token = createState(Buffer.alloc(32, 2), { provider: 'google', now });
    expect(reasonOf(() => verifyState(secret, token, { provider: 'google', now }))).toBe('signature');
  });

  it('refuses an expired state, and accepts it just before expiry', () => {
    const token = createState(secret, { provider: 'google', now, ttlMs: 60_000 });
    expect(verifyState(secret, token, { provider: 'google', now: now + 59_999 }).provider).toBe('google');
    expect(reasonOf(() => verifyState(secret, token, { provider: 'google', now: now + 60_000 }))).toBe('expired');
    expect(() => verifyState(secret, token, { provider: 'google', now: now + 120_000 })).toThrow(/expired 60 s ago/);
  });

  it('refuses a state issued for another provider', () => {
    const token = createState(secret, { provider: 'microsoft', now });
    expect(reasonOf(() => verifyState(secret, token, { provider: 'google', now }))).toBe('provider');
    expect(() => verifyState(secret, token, { provider: 'google', now })).toThrow(/issued for 'microsoft'/);
  });

  it('refuses a valid state from another flow when the nonce is pinned', () => {
    const token = createState(secret, { provider: 'google', now, nonce: 'nonce-aaaaaaaaaaaaaa' });
    expect(verifyState(secret, token, { provider: 'google', now, nonce: 'nonce-aaaaaaaaaaaaaa' }).nonce).toBe('nonce-aaaaaaaaaaaaaa');
    expect(reasonOf(() => verifyState(secret, token, { provider: 'google', now, nonce: 'nonce-bbbbbbbbbbbbbb' }))).toBe('unexpected');
  });

  it('refuses missing and malformed states', () => {
    expect(reasonOf(() => verifyState(secret, undefined, { provider: 'google', now }))).toBe('malformed');
    expect(reasonOf(() => verifyState(secret, 'abc', { provider: 'google', now }))).toBe('malformed');
    expect(reasonOf(() => verifyState(secret, 'a.b.c', { provider: 'google', now }))).toBe('malformed');
    expect(reasonOf(() => verifyState(secret, 'abc.', { provider: 'google', now }))).toBe('malformed');
  });

  it('refuses to sign with a short secret', () => {
    expect(() => createState(Buffer.alloc(16), { provider: 'google', now })).toThrow(ConfigError);
  });
});
