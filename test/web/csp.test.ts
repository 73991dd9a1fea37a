import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { ConsentError } from '#lib/connect/errors.ts';
import { signLink } from '#lib/links/token.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import type { WebResponse } from '#lib/web/http.ts';
import { createLinksApp } from '#lib/web/links-app.ts';
import { get, startConnectHarness, T0, throughConsent, type ConnectHarness } from './connect-harness.ts';

/**
 * Content Security Policy: no page allows inline script wholesale ('unsafe-inline');
 * a page with script allows exactly its own, by a fresh random nonce per response that
 * every one of its <script> elements carries; a page without script allows none.
 */

/** The directives of a CSP header, by name. */
function directives(csp: string | undefined): Map<string, string[]> {
  expect(csp, 'a Content-Security-Policy header').toBeDefined();
  return new Map(
    csp!
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

/** What a page's CSP allows for scripts (script-src, else default-src). */
function scriptSources(res: { headers: Record<string, string> }): string[] {
  const d = directives(res.headers['content-security-policy']);
  return d.get('script-src') ?? d.get('default-src') ?? [];
}

/** Checks a page with script: one nonce in the CSP, the same on every <script>, no 'unsafe-inline'. */
function expectNoncedScripts(res: WebResponse): string {
  const sources = scriptSources(res);
  expect(sources).not.toContain("'unsafe-inline'");
  const nonces = sources.filter((s) => s.startsWith("'nonce-")).map((s) => s.slice("'nonce-".length, -1));
  expect(nonces).toHaveLength(1);
  const nonce = nonces[0]!;
  // 128 bits or more of randomness, base64.
  expect(Buffer.from(nonce, 'base64').length).toBeGreaterThanOrEqual(16);
  const scripts = [...res.body.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
  expect(scripts.length).toBeGreaterThan(0);
  for (const attrs of scripts) expect(attrs).toBe(` nonce="${nonce}"`);
  return nonce;
}

function expectNoScriptAllowed(res: WebResponse): void {
  expect(res.body).not.toMatch(/<script\b/);
  expect(scriptSources(res)).toEqual(["'none'"]);
}

describe('Content Security Policy of every page with script', () => {
  let h: ConnectHarness;
  beforeAll(async () => {
    h = await startConnectHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the connect page: a fresh nonce per response on its one script', async () => {
    const { app } = h.app();
    const first = expectNoncedScripts(await app(get(h.origin, '/')));
    const second = expectNoncedScripts(await app(get(h.origin, '/')));
    expect(second).not.toBe(first);
  });

  it('the success page: its time-zone script carries the nonce', async () => {
    h.emulator.user = { email: 'csp@acme.com', sub: 'sub-csp' };
    const { app } = h.app();
    const { callback } = await throughConsent(app, h.origin);
    const res = await app(callback);
    expect(res.status, res.body).toBe(200);
    expectNoncedScripts(res);
  });

  it('refusal pages allow no script at all', async () => {
    const { app } = h.app();
    const refused = await app(get(h.origin, '/oauth/google/callback', { code: 'c', state: 's' }));
    expect(refused.status).toBe(400);
    expectNoScriptAllowed(refused);
    expectNoScriptAllowed(await app(get(h.origin, '/nowhere')));
  });

  it('the links pages: the time-zone form nonces its script; the others allow none', async () => {
    const userId = userIdFor('csp-links@acme.com');
    await h.store.putUser({ userId, email: 'csp-links@acme.com', timeZone: 'UTC', me: [], internalDomains: [], reportsPaused: false, createdAt: new Date(T0).toISOString() });
    const links = createLinksApp({ store: h.store, now: () => new Date(h.clock.t), linkSecret: async () => h.secret });
    const page = (action: 'timezone' | 'pause') => links({ method: 'GET', path: `/l/${signLink(h.secret, { action, userId }, { now: h.clock.t })}`, query: {}, headers: {}, cookies: {}, origin: h.origin });
    const tz = await page('timezone');
    expect(tz.status).toBe(200);
    expectNoncedScripts(tz);
    const pause = await page('pause');
    expect(pause.status).toBe(200);
    expectNoScriptAllowed(pause);
  });

  it("the loopback page of `sinew connect` allows no script ('unsafe-inline' for styles only)", async () => {
    let seen: Response | undefined;
    const flow = runLoopbackConsent({
      provider: 'google',
      oauth: {
        authorizationUrl: (r) => `http://127.0.0.1/consent?${new URLSearchParams({ redirect: r.redirectUri, state: r.state })}`,
        exchangeCode: () => Promise.reject(new Error('unused')),
      },
      onUrl: (url) => {
        const q = new URL(url).searchParams;
        const redirect = q.get('redirect')!;
        // A stray callback (no state this run issued), then the user's "no".
        void fetch(`${redirect}?state=forged&code=x`).then(async (r) => {
          seen = r;
          await fetch(`${redirect}?${new URLSearchParams({ state: q.get('state')!, error: 'access_denied' })}`);
        });
      },
      sleep: () => new Promise(() => undefined),
    });
    await expect(flow).rejects.toBeInstanceOf(ConsentError);
    expect(seen?.status).toBe(400);
    const csp = directives(seen!.headers.get('content-security-policy') ?? undefined);
    expect(csp.get('script-src') ?? csp.get('default-src')).toEqual(["'none'"]);
  });
});
