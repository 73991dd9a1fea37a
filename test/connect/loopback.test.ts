import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConsentError } from '#lib/connect/errors.ts';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { createState, verifyState } from '#lib/connect/state.ts';
import { GoogleOAuth } from '#lib/providers/google/oauth.ts';
import { GoogleOAuthEmulator, serveOnLoopback } from '#test/support/google/oauth-emulator.ts';
import { s256Challenge } from '#lib/connect/pkce.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';

const CLIENT_ID = 'sinew-desktop.apps.googleusercontent.com';
const secret = Buffer.alloc(32, 5);
const clock = new VirtualClock();

let emulator: GoogleOAuthEmulator;
let server: { url: string; close: () => Promise<void> };
let oauth: GoogleOAuth;

beforeAll(async () => {
  emulator = new GoogleOAuthEmulator({ clientId: CLIENT_ID, clientSecret: 'GOCSPX-desktop', user: { email: 'sam@example.org', sub: '42' } });
  server = await serveOnLoopback(emulator.handle);
  oauth = new GoogleOAuth({ clientId: CLIENT_ID, clientSecret: 'GOCSPX-desktop', authUrl: `${server.url}/o/oauth2/v2/auth`, tokenUrl: `${server.url}/token` });
});
afterAll(() => server.close());
beforeEach(() => {
  emulator.consent = 'approve';
  emulator.grantScopes = undefined;
});

/** The user's browser: follows the consent URL to the emulator, which redirects to the loopback callback. */
async function consentRedirect(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function visit(url: URL | string): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** Starts a flow and hands back the consent URL once it is known. */
function start(extra: Partial<Parameters<typeof runLoopbackConsent>[0]> = {}) {
  let announce!: (url: string) => void;
  const announced = new Promise<string>((resolve) => (announce = resolve));
  const flow = runLoopbackConsent({ provider: 'google', oauth, stateSecret: secret, clock, onUrl: announce, ...extra });
  flow.catch(() => undefined);
  return { flow, announced };
}

describe('runLoopbackConsent', () => {
  it('connects end to end: PKCE and signed state through a real redirect to 127.0.0.1', async () => {
    const { flow, announced } = start();
    const consentUrl = new URL(await announced);
    const callback = await consentRedirect(consentUrl.toString());
    expect(callback.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(callback.pathname).toBe('/callback');
    const page = await visit(callback);
    expect(page.status).toBe(200);
    expect(page.body).toContain('You can close this tab');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');

    const grant = await flow;
    expect(grant.email).toBe('sam@example.org');
    expect(emulator.validateAccessToken(grant.accessToken)?.email).toBe('sam@example.org');
    // The state is ours, signed and for Google; the verifier sent matches the challenge.
    expect(verifyState(secret, consentUrl.searchParams.get('state'), { provider: 'google', now: clock.now() }).provider).toBe('google');
    const verifier = emulator.tokenRequests.at(-1)!.params.code_verifier!;
    expect(s256Challenge(verifier)).toBe(consentUrl.searchParams.get('code_challenge'));
    expect(consentUrl.searchParams.get('redirect_uri')).toBe(`${callback.origin}/callback`);
    // The one-shot server is gone.
    await expect(fetch(callback)).rejects.toThrow();
  });

  it('ignores a callback with a tampered or foreign state and still completes with the real one', async () => {
    const { flow, announced } = start();
    const callback = await consentRedirect(await announced);
    const state = callback.searchParams.get('state')!;

    const tampered = new URL(callback);
    tampered.searchParams.set('state', state.slice(0, 5) + (state[5] === 'A' ? 'B' : 'A') + state.slice(6));
    const refused = await visit(tampered);
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('signature does not match');

    // Signed with the same secret, but issued to another run.
    const foreign = new URL(callback);
    foreign.searchParams.set('state', createState(secret, { provider: 'google', now: clock.now() }));
    expect((await visit(foreign)).status).toBe(400);

    expect((await visit(new URL('/favicon.ico', callback))).status).toBe(404);
    expect((await visit(callback)).status).toBe(200);
    expect((await flow).email).toBe('sam@example.org');
  });

  it('ends with a clear error when the user declines', async () => {
    emulator.consent = 'deny';
    const { flow, announced } = start();
    const callback = await consentRedirect(await announced);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const page = await visit(callback);
    expect(page.status).toBe(400);
    expect(page.body).toContain('declined');
    await expect(flow).rejects.toMatchObject({ name: 'ConsentError', reason: 'denied' });
  });

  it('shows and reports a refused grant (gmail.readonly)', async () => {
    emulator.grantScopes = ['https://www.googleapis.com/auth/gmail.readonly', 'openid', 'email'];
    const { flow, announced } = start();
    const page = await visit(await consentRedirect(await announced));
    expect(page.status).toBe(400);
    expect(page.body).toContain('beyond metadata');
    await expect(flow).rejects.toMatchObject({ reason: 'scopes' });
  });

  it('times out with a clear error and closes its server', async () => {
    const { flow, announced } = start({ sleep: () => Promise.resolve(), timeoutMs: 120_000 });
    const consentUrl = new URL(await announced);
    await expect(flow).rejects.toThrow(ConsentError);
    await expect(flow).rejects.toThrow(/no answer from the browser within 120 s/);
    await expect(fetch(consentUrl.searchParams.get('redirect_uri')!)).rejects.toThrow();
  });

  it('can be cancelled', async () => {
    const abort = new AbortController();
    const { flow, announced } = start({ signal: abort.signal });
    await announced;
    abort.abort();
    await expect(flow).rejects.toMatchObject({ reason: 'cancelled' });
  });

  it('opens the browser when asked, and a browser that fails to open is not fatal', async () => {
    const opened: string[] = [];
    const browsing: Promise<unknown>[] = [];
    const grant = await runLoopbackConsent({
      provider: 'google',
      oauth,
      openUrl: async (url) => {
        opened.push(url);
        // The browser loads the page on its own time; the opener itself then fails.
        browsing.push(consentRedirect(url).then(visit));
        throw new Error('xdg-open: not found');
      },
    });
    expect(opened).toHaveLength(1);
    expect(grant.email).toBe('sam@example.org');
    await Promise.all(browsing);
  });
});
