import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createState } from '#lib/connect/state.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import type { WebRequest, WebResponse } from '#lib/web/http.ts';
import { GMAIL_METADATA_SCOPE } from '#lib/providers/google/oauth.ts';
import { startConnectHarness, T0, throughConsent, type ConnectHarness } from './connect-harness.ts';

/**
 * Every way a callback is refused, each with the reason on the page, and nothing stored
 * or enqueued: the state (missing, altered, expired, foreign), the cookie (missing, of
 * another attempt), the user's "no", and a grant broader than metadata.
 */
describe('connect callback refusals', () => {
  let h: ConnectHarness;
  const email = 'refused@acme.com';
  beforeAll(async () => {
    h = await startConnectHarness();
    h.emulator.user = { email, sub: 'sub-refused' };
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Runs the callback, then checks nothing reached the store or the queue. */
  async function refused(mutate: (callback: WebRequest) => WebRequest, now = T0): Promise<WebResponse> {
    h.clock.t = T0;
    const { app, queue } = h.app();
    const { callback } = await throughConsent(app, h.origin);
    h.clock.t = now;
    const res = await app(mutate(callback));
    expect(queue.sent).toEqual([]);
    expect(await h.store.getUser(userIdFor(email))).toBeUndefined();
    return res;
  }

  function withState(req: WebRequest, state: string | undefined): WebRequest {
    const query = { ...req.query };
    if (state === undefined) delete query.state;
    else query.state = state;
    return { ...req, query };
  }

  it('refuses a callback without state', async () => {
    const res = await refused((req) => withState(req, undefined));
    expect(res.status).toBe(400);
    expect(res.body).toContain('carries no state that Sinew issued');
  });

  it('refuses an altered state', async () => {
    const res = await refused((req) => {
      const [body, sig] = req.query.state!.split('.');
      const payload = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as Record<string, unknown>;
      payload.d = { j: 'u-someone-else' };
      return withState(req, `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`);
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain('was altered: its signature does not match');
  });

  it('refuses an expired state', async () => {
    const res = await refused((req) => req, T0 + 11 * 60_000);
    expect(res.status).toBe(400);
    expect(res.body).toContain('This connect attempt expired: signing in must be finished within 10 minutes');
  });

  it('refuses a foreign state: another key, or another provider', async () => {
    const otherKey = await refused((req) => withState(req, createState(randomBytes(32), { provider: 'google', now: T0, nonce: req.cookies['__Host-sinew-connect-google'] })));
    expect(otherKey.status).toBe(400);
    expect(otherKey.body).toContain('signature does not match');
    const otherProvider = await refused((req) =>
      withState(req, createState(h.secret, { provider: 'microsoft', now: T0, nonce: req.cookies['__Host-sinew-connect-google'] })),
    );
    expect(otherProvider.status).toBe(400);
    expect(otherProvider.body).toContain('came back for another provider&#39;s sign-in, not Google&#39;s');
  });

  it('refuses a callback in a browser that did not start it (login CSRF)', async () => {
    const missing = await refused((req) => ({ ...req, cookies: {} }));
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('This browser did not start this connect attempt');
    const other = await refused((req) => ({ ...req, cookies: { '__Host-sinew-connect-google': randomBytes(16).toString('base64url') } }));
    expect(other.status).toBe(400);
    expect(other.body).toContain('belongs to another connect attempt');
  });

  it('refuses a code traded with another verifier: PKCE is checked by the provider', async () => {
    // A state of this browser's nonce but a code from another flow: the verifier derives from the nonce, so the exchange fails.
    const res = await refused((req) => ({ ...req, query: { ...req.query, code: '4/0A-not-a-code' } }));
    expect(res.status).toBe(400);
    expect(res.body).toContain('Google refused the authorization code');
  });

  it('says kindly that nothing was stored when the user declines', async () => {
    h.emulator.consent = 'deny';
    try {
      const res = await refused((req) => req);
      expect(res.status).toBe(200);
      expect(res.body).toContain('You declined on Google&#39;s page, so nothing was stored');
      expect(res.cookies?.[0]).toMatch(/^__Host-sinew-connect-google=; Max-Age=0/);
    } finally {
      h.emulator.consent = 'approve';
    }
  });

  it('refuses and revokes a grant broader than metadata', async () => {
    h.emulator.grantScopes = [GMAIL_METADATA_SCOPE, 'https://www.googleapis.com/auth/gmail.readonly', 'openid', 'email'];
    try {
      const res = await refused((req) => req);
      expect(res.status).toBe(400);
      expect(res.body).toContain('Google granted Gmail access beyond metadata (https://www.googleapis.com/auth/gmail.readonly)');
      expect(h.emulator.revoked).toContain(h.emulator.issuedRefreshTokens.at(-1));
    } finally {
      h.emulator.grantScopes = undefined;
    }
  });
});
