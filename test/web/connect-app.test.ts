import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivePkce } from '#lib/connect/pkce.ts';
import { verifyState } from '#lib/connect/state.ts';
import { tokenContext } from '#lib/connect/accounts.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { signLink, verifyLink } from '#lib/links/token.ts';
import { GOOGLE_CONNECT_SCOPES } from '#lib/providers/google/oauth.ts';
import { MS_CONNECT_SCOPES } from '#lib/providers/microsoft/oauth.ts';
import type { CodeExchange, ConnectedGrant } from '#lib/connect/consent.ts';
import { JOIN_COOKIE, type ProviderConsent } from '#lib/web/connect-app.ts';
import { accountIdFor } from '#lib/connect/identity.ts';
import { get, setCookies, startConnectHarness, T0, throughConsent, type ConnectHarness } from './connect-harness.ts';

/** A Microsoft consent that is never reached: only its presence matters to the page. */
const unusedMicrosoft = async (): Promise<ProviderConsent> => ({
  authorizationUrl: () => 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
  exchangeCode: () => Promise.reject(new Error('not used')),
});

describe('connect app: page, start, success, sign-up rule, join', () => {
  let h: ConnectHarness;
  beforeAll(async () => {
    h = await startConnectHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  function as(email: string): void {
    h.emulator.user = { email, sub: `sub-${email}` };
  }

  it('serves a self-contained connect page with the exact scopes and only the configured providers', async () => {
    const only = await h.app().app(get(h.origin, '/'));
    expect(only.status).toBe(200);
    expect(only.headers['content-security-policy']).toContain("default-src 'none'");
    expect(only.body).toContain('href="/connect/google"');
    expect(only.body).toContain('Connect Google');
    expect(only.body).not.toContain('Connect Microsoft 365');
    for (const scope of GOOGLE_CONNECT_SCOPES) expect(only.body).toContain(`<code>${scope}</code>`);
    expect(only.body).toMatch(/Metadata only/);
    expect(only.body).toMatch(/Never<\/strong> message bodies, subjects or attachments/);
    // No external asset: every src/href is relative.
    expect(only.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(only.body).toMatch(/<html lang="en">/);
    expect(only.body).toContain('name="viewport"');

    const both = await h.app({ providers: { google: async () => h.oauth, microsoft: unusedMicrosoft } }).app(get(h.origin, '/'));
    expect(both.body).toContain('href="/connect/microsoft"');
    for (const scope of MS_CONNECT_SCOPES) expect(both.body).toContain(`<code>${scope}</code>`);
  });

  it('starts the flow with PKCE derived from the nonce, a signed state bound to a __Host- cookie', async () => {
    const { app } = h.app();
    const res = await app(get(h.origin, '/connect/google', { tz: 'Europe/Paris' }));
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location!);
    expect(url.origin + url.pathname).toBe(h.authUrl);
    expect(url.searchParams.get('redirect_uri')).toBe(`${h.origin}/oauth/google/callback`);
    const state = verifyState(h.secret, url.searchParams.get('state'), { provider: 'google', now: T0 });
    expect(state.expiresAt).toBe(T0 + 10 * 60_000);
    expect(state.data).toEqual({ tz: 'Europe/Paris' });
    expect(url.searchParams.get('code_challenge')).toBe(derivePkce(h.secret, state.nonce).challenge);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    const cookie = setCookies(res)['__Host-sinew-connect-google']!;
    expect(cookie.value).toBe(state.nonce);
    expect(cookie.line).toMatch(/; Max-Age=600; Path=\/; Secure; HttpOnly; SameSite=Lax$/);

    // A configured base URL wins over the request's origin; a bogus zone is dropped.
    const based = await h.app({ baseUrl: 'https://connect.example.org/' }).app(get(h.origin, '/connect/google', { tz: 'Mars/Olympus' }));
    const basedUrl = new URL(based.headers.location!);
    expect(basedUrl.searchParams.get('redirect_uri')).toBe('https://connect.example.org/oauth/google/callback');
    expect(verifyState(h.secret, basedUrl.searchParams.get('state'), { provider: 'google', now: T0 }).data).toEqual({});
  });

  it('answers an unknown or unconfigured provider with a page that says so', async () => {
    const { app } = h.app();
    const unknown = await app(get(h.origin, '/connect/yahoo'));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('&#39;yahoo&#39; is not one of them');
    const unset = await app(get(h.origin, '/oauth/microsoft/callback', { code: 'x', state: 'y' }));
    expect(unset.status).toBe(404);
    expect(unset.body).toContain('Microsoft 365 is not set up here');
    expect((await app(get(h.origin, '/nowhere'))).status).toBe(404);
    expect((await app({ ...get(h.origin, '/connect/google'), method: 'POST' })).status).toBe(405);
  });

  it('stores the account with a sealed token, enqueues one sync and shows what happens next', async () => {
    as('ann@acme.com');
    const { app, queue } = h.app();
    const { callback } = await throughConsent(app, h.origin, { tz: 'Europe/Paris' });
    h.clock.t = T0 + 60_000;
    const res = await app(callback);
    expect(res.status, res.body).toBe(200);
    expect(res.body).toContain('<h1>Connected ann@acme.com</h1>');
    expect(res.body).toContain('next Monday at 07:00 your time');
    expect(setCookies(res)['__Host-sinew-connect-google']!.line).toContain('Max-Age=0');

    const userId = userIdFor('ann@acme.com');
    const user = await h.store.getUser(userId);
    expect(user).toMatchObject({ email: 'ann@acme.com', timeZone: 'Europe/Paris' });
    const [account] = await h.store.listAccounts(userId);
    const refreshToken = h.emulator.issuedRefreshTokens.at(-1)!;
    expect(account!.encryptedToken).toBeDefined();
    expect(account!.encryptedToken).not.toContain(refreshToken);
    expect(await h.vault.open(account!.encryptedToken!, tokenContext(account!))).toBe(refreshToken);
    expect(queue.sent).toEqual([{ v: 1, userId, accountId: account!.accountId, reason: 'connected', slot: new Date(T0 + 60_000).toISOString() }]);

    // The time-zone form posts to a signed timezone link; "another mailbox" carries a signed join.
    const action = /<form id="tz-form" method="post" action="\/l\/([^"]+)"/.exec(res.body)?.[1];
    expect(verifyLink(h.secret, action, h.clock.t)).toMatchObject({ action: 'timezone', userId });
    expect(res.body).toContain('<option value="Europe/Paris" selected>');
    const join = /href="\/connect\/google\?join=([^"]+)"/.exec(res.body)?.[1];
    expect(verifyLink(h.secret, decodeURIComponent(join!), h.clock.t)).toMatchObject({ action: 'join', userId });
  });

  it('refuses a new person outside the sign-up domains, revokes the grant and names the rule', async () => {
    as('pat@gmail.com');
    const { app, queue } = h.app({ allowedDomains: ['acme.com', ' Example.ORG '] });
    const { callback } = await throughConsent(app, h.origin);
    const res = await app(callback);
    expect(res.status).toBe(403);
    expect(res.body).toContain('admits new people with an address at acme.com, example.org only; pat@gmail.com is not one of them');
    expect(res.body).toContain('was revoked');
    expect(h.emulator.revoked).toContain(h.emulator.issuedRefreshTokens.at(-1));
    expect(await h.store.getUser(userIdFor('pat@gmail.com'))).toBeUndefined();
    expect(queue.sent).toEqual([]);
  });

  it('admits nobody new while no sign-up domain is configured, and anyone only by an explicit "*"', async () => {
    as('nell@gmail.com');
    const closed = h.app({ allowedDomains: [' ', ''] });
    const res = await closed.app((await throughConsent(closed.app, h.origin)).callback);
    expect(res.status).toBe(403);
    expect(res.body).toContain('The administrator of this Sinew has not opened sign-up yet');
    expect(res.body).toContain('was revoked');
    expect(h.emulator.revoked).toContain(h.emulator.issuedRefreshTokens.at(-1));
    expect(await h.store.getUser(userIdFor('nell@gmail.com'))).toBeUndefined();
    expect(closed.queue.sent).toEqual([]);

    const anyone = h.app({ allowedDomains: ['*'] });
    const admitted = await anyone.app((await throughConsent(anyone.app, h.origin)).callback);
    expect(admitted.status, admitted.body).toBe(200);
    expect(await h.store.getUser(userIdFor('nell@gmail.com'))).toMatchObject({ email: 'nell@gmail.com' });

    // Closed sign-up keeps out new people only: someone already in Sinew signs in again.
    const again = h.app({ allowedDomains: [] });
    const back = await again.app((await throughConsent(again.app, h.origin)).callback);
    expect(back.status, back.body).toBe(200);
    expect(again.queue.sent).toHaveLength(1);
  });

  it('refuses to start with a sign-up list it cannot read, naming the entry', () => {
    expect(() => h.app({ allowedDomains: ['acme.com', 'not a domain'] })).toThrow(/expected a domain such as acme.com for each entry \(got "not a domain"\)/);
    expect(() => h.app({ allowedDomains: ['*', 'acme.com'] })).toThrow(/either "\*" or a list of domains, not both/);
  });

  it('lets a signed join, in the browser that signed in, add a mailbox of any domain to an admitted person', async () => {
    as('cy@acme.com');
    const first = h.app({ allowedDomains: ['acme.com'] });
    const signedIn = await first.app((await throughConsent(first.app, h.origin)).callback);
    expect(signedIn.status).toBe(200);
    const userId = userIdFor('cy@acme.com');
    const join = setCookies(signedIn)[JOIN_COOKIE]!.value;
    expect(verifyLink(h.secret, join, h.clock.t)).toMatchObject({ action: 'join', userId });
    const browser = { [JOIN_COOKIE]: join };

    as('cy.personal@gmail.com');
    const page = await first.app(get(h.origin, '/', { join }, browser));
    expect(page.body).toContain(`href="/connect/google?join=${encodeURIComponent(join)}"`);
    const second = h.app({ allowedDomains: ['acme.com'] });
    const { callback } = await throughConsent(second.app, h.origin, { join }, browser);
    const res = await second.app(callback);
    expect(res.status, res.body).toBe(200);
    expect(res.body).toContain('This mailbox joins the reports of <strong>cy@acme.com</strong>');
    const accounts = await h.store.listAccounts(userId);
    expect(accounts.map((a) => a.address).sort()).toEqual(['cy@acme.com', 'cypersonal@gmail.com']);
    expect((await h.store.getUser(userId))!.email).toBe('cy@acme.com');
    expect(await h.store.getUser(userIdFor('cy.personal@gmail.com'))).toBeUndefined();
    expect(second.queue.sent).toHaveLength(1);
    expect(second.queue.sent[0]).toMatchObject({ userId, reason: 'connected' });
  });

  it('refuses a join link that was altered, is of another action, or names nobody', async () => {
    const { app } = h.app();
    const userId = userIdFor('cy@acme.com');
    const join = signLink(h.secret, { action: 'join', userId }, { now: h.clock.t });
    const altered = `${join.slice(0, 10)}${join[10] === 'A' ? 'B' : 'A'}${join.slice(11)}`;
    const cases: Array<[string, RegExp]> = [
      [altered, /signature does not match|payload is not one Sinew issued/],
      [signLink(h.secret, { action: 'timezone', userId }, { now: h.clock.t }), /a &#39;timezone&#39; link, not a link to connect a mailbox/],
      [signLink(h.secret, { action: 'join', userId: 'u-nobody' }, { now: h.clock.t }), /no longer in Sinew/],
      [signLink(h.secret, { action: 'join', userId }, { now: h.clock.t - 2 * 86_400_000 }), /link expired/],
    ];
    for (const [token, reason] of cases) {
      // In the browser holding the very same token as its join cookie: the link's own faults decide.
      const res = await app(get(h.origin, '/connect/google', { join: token }, { [JOIN_COOKIE]: token }));
      expect(res.status).toBe(400);
      expect(res.body).toMatch(reason);
      expect(res.cookies).toBeUndefined();
    }
  });

  it('hints the mailbox of a reconnect link handed over by the links app', async () => {
    const userId = userIdFor('eve@acme.com');
    const accountId = accountIdFor('google', 'eve@acme.com');
    await h.store.putUser({ userId, email: 'eve@acme.com', timeZone: 'UTC', me: ['eve@acme.com'], internalDomains: [], reportsPaused: false, createdAt: new Date(T0).toISOString() });
    await h.store.putAccount({ userId, accountId, provider: 'google', address: 'eve@acme.com', aliases: [], status: 'needs-reconnect', errorCount: 1, cursors: {} });
    const link = signLink(h.secret, { action: 'reconnect', userId, accountId }, { now: h.clock.t });
    const res = await h.app().app(get(h.origin, '/connect/google', { link }));
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location!);
    expect(url.searchParams.get('login_hint')).toBe('eve@acme.com');
    expect(verifyState(h.secret, url.searchParams.get('state'), { provider: 'google', now: h.clock.t }).data).toEqual({ r: userId, a: accountId });
  });

  it('drops a Microsoft grant outside the sign-up domains (Microsoft has no revocation), having traded the code with the derived verifier', async () => {
    const exchanges: CodeExchange[] = [];
    const microsoft = async (): Promise<ProviderConsent> => ({
      authorizationUrl: (r) => `https://login.microsoftonline.com/common/oauth2/v2.0/authorize?state=${encodeURIComponent(r.state)}`,
      exchangeCode: async (x): Promise<ConnectedGrant> => {
        exchanges.push(x);
        return { refreshToken: '{"msal":"cache"}', accessToken: 'at', expiresAt: undefined, email: 'dee@outlook.com', grantedScopes: ['Mail.ReadBasic'] };
      },
    });
    const { app, queue } = h.app({ providers: { microsoft }, allowedDomains: ['acme.com'] });
    const start = await app(get(h.origin, '/connect/microsoft'));
    const state = new URL(start.headers.location!).searchParams.get('state')!;
    const nonce = setCookies(start)['__Host-sinew-connect-microsoft']!.value;
    const res = await app(get(h.origin, '/oauth/microsoft/callback', { code: 'M.C1', state }, { '__Host-sinew-connect-microsoft': nonce }));
    expect(res.status).toBe(403);
    expect(res.body).toContain('the access you just granted was dropped');
    expect(exchanges).toEqual([{ code: 'M.C1', codeVerifier: derivePkce(h.secret, nonce).verifier, redirectUri: `${h.origin}/oauth/microsoft/callback` }]);
    expect(queue.sent).toEqual([]);
  });
});
