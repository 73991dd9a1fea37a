import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type LocalWebServer } from '#lib/local/web-server.ts';
import { signLink } from '#lib/links/token.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { parseCookies } from '#lib/web/http.ts';
import { createLinksApp } from '#lib/web/links-app.ts';
import { routeByPrefix } from '#lib/web/router.ts';
import { startConnectHarness, T0, type ConnectHarness } from './connect-harness.ts';

/**
 * A cookie the browser sends is input like any other: a bad percent-encoding in any
 * cookie (ours or a stray one set by another app on the same host) must never turn a
 * page into a 500.
 */
const MALFORMED = '%E0%A4%A';

describe('cookie parsing', () => {
  it('keeps the well-formed cookies and drops one whose percent-encoding is broken', () => {
    expect(parseCookies(`a=1; bad=${MALFORMED}; b=x%20y; __Host-sinew-connect-google=${MALFORMED}; c=%`)).toEqual({ a: '1', b: 'x y' });
    expect(parseCookies(undefined)).toEqual({});
    expect(parseCookies('=nameless; ; novalue')).toEqual({});
  });
});

describe('a malformed cookie on every route', () => {
  let h: ConnectHarness;
  let web: LocalWebServer;
  let userId: string;

  beforeAll(async () => {
    h = await startConnectHarness();
    userId = userIdFor('ann@acme.com');
    await h.store.putUser({ userId, email: 'ann@acme.com', timeZone: 'UTC', me: ['ann@acme.com'], internalDomains: [], reportsPaused: false, createdAt: new Date(T0).toISOString() });
    const links = createLinksApp({ store: h.store, now: () => new Date(h.clock.t), linkSecret: async () => h.secret });
    web = await startWebServer(routeByPrefix([{ prefix: '/l/', app: links }, { prefix: '/', app: h.app().app }]));
  });
  afterAll(async () => {
    await web?.close();
    await h?.close();
  });

  const cookie = `theme=dark; stray=${MALFORMED}; __Host-sinew-connect-google=${MALFORMED}; __Host-sinew-join=${MALFORMED}`;

  it.each([
    ['GET', '/', 200],
    ['GET', '/connect/google', 302],
    ['GET', '/oauth/google/callback?code=c&state=s', 400],
    ['GET', '/connect/yahoo', 404],
    ['GET', '/nowhere/at/all', 404],
    ['GET', '/l/not-a-token', 400],
  ] as const)('%s %s answers %i, not 500', async (method, path, status) => {
    const res = await fetch(`${web.url}${path}`, { method, headers: { cookie }, redirect: 'manual' });
    expect(res.status, await res.text()).toBe(status);
  });

  it('GET and POST of a signed link answer normally', async () => {
    const pause = signLink(h.secret, { action: 'pause', userId }, { now: h.clock.t });
    const page = await fetch(`${web.url}/l/${pause}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Pause weekly reports');
    const applied = await fetch(`${web.url}/l/${pause}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(applied.status).toBe(200);
    expect(await applied.text()).toContain('Reports paused');
  });
});
