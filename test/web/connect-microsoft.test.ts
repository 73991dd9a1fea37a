import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '#lib/config.ts';
import { derivePkce } from '#lib/connect/pkce.ts';
import { createState, verifyState } from '#lib/connect/state.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { tokenContext } from '#lib/connect/accounts.ts';
import { accountIdFor, accountIdForSubject, userIdFor } from '#lib/connect/identity.ts';
import { fetchTrusting } from '#lib/providers/microsoft/graph-client.ts';
import { msOAuthFromConfig, type MsOAuth } from '#lib/providers/microsoft/oauth.ts';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import type { SyncJob } from '#lib/queue/jobs.ts';
import type { Account } from '#lib/store/types.ts';
import { createConnectApp, nonceCookieName, type ConnectAppDeps, type ProviderConsent } from '#lib/web/connect-app.ts';
import type { WebRequest, WebResponse } from '#lib/web/http.ts';
import type { WebApp } from '#lib/web/router.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { accountCacheStore } from '#test/support/microsoft/world.ts';
import { PERSONAL_ACCOUNTS_TENANT, startIdentityEmulator, type IdentityEmulator } from '#test/support/microsoft/identity.ts';
import { signLink } from '#lib/links/token.ts';
import { get, setCookies } from './connect-harness.ts';

/**
 * The connect page's Microsoft 365 flow over real parts: the real MSAL (MsOAuth, a
 * confidential client as the Lambda builds it) against the identity emulator over https,
 * dynalite, a local vault and a memory queue. The test plays the browser: it carries the
 * nonce cookie by hand and follows the consent redirect to the emulator, which consents
 * (or declines) at once and sends it back to our callback.
 */
const T0 = Date.UTC(2026, 10, 23, 9, 30);
const ORIGIN = 'https://connect.example.com';
const CALLBACK = `${ORIGIN}/oauth/microsoft/callback`;
const COOKIE = nonceCookieName('microsoft');
const ANN = 'ann@contoso.example';
const PAT = 'pat@outlook.example';
const CY = 'cy@contoso.example';
const DEE = 'dee@contoso.example';
const CLIENT_SECRET = 'web-client-secret';

describe('connect app: Microsoft 365 through the identity emulator', () => {
  let db: TestDynamo;
  let em: IdentityEmulator;
  let oauth: MsOAuth;
  let browser: typeof fetch;
  const vault = LocalKeyVault.fromKey(randomBytes(32));
  const secret = randomBytes(32);
  const clock = { t: T0 };

  beforeAll(async () => {
    [db, em] = await Promise.all([startTestDynamo(), startIdentityEmulator({ users: [ANN, PAT, CY, DEE] })]);
    const config = loadConfig({ SINEW_MS_CLIENT_ID: em.platform.clientId, SINEW_MS_CLIENT_SECRET: CLIENT_SECRET, SINEW_MS_AUTHORITY: em.authority });
    oauth = await msOAuthFromConfig(config, { ca: em.server.ca });
    browser = fetchTrusting(em.server.ca);
  });
  afterAll(async () => {
    await em?.close();
    await db?.close();
  });
  beforeEach(() => {
    clock.t = T0;
    em.platform.mode = 'consent';
    em.platform.signInAs = undefined;
  });

  function build(overrides: Partial<ConnectAppDeps> = {}): { app: WebApp; queue: MemoryQueue<SyncJob> } {
    const queue = new MemoryQueue<SyncJob>();
    const app = createConnectApp({
      store: db.store(),
      vault,
      syncQueue: queue,
      secret: async () => secret,
      providers: { microsoft: async () => oauth },
      allowedDomains: ['*'],
      now: () => new Date(clock.t),
      ...overrides,
    });
    return { app, queue };
  }

  /** `/connect/microsoft`, then the emulator's consent page: the callback request the browser would send. */
  async function throughConsent(app: WebApp): Promise<{ start: WebResponse; nonce: string; callback: WebRequest }> {
    const start = await app(get(ORIGIN, '/connect/microsoft'));
    expect(start.status, start.body).toBe(302);
    const nonce = setCookies(start)[COOKIE]!.value;
    const consent = await browser(start.headers.location!, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const back = new URL(consent.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(CALLBACK);
    return { start, nonce, callback: get(ORIGIN, back.pathname, Object.fromEntries(back.searchParams), { [COOKIE]: nonce }) };
  }

  function codeRedemptions(): typeof em.platform.tokenRequests {
    return em.platform.tokenRequests.filter((r) => r.grantType === 'authorization_code');
  }

  async function expectNothingStored(email: string, queue: MemoryQueue<SyncJob>): Promise<void> {
    expect(queue.sent).toEqual([]);
    expect(await db.store().getUser(userIdFor(email))).toBeUndefined();
    expect(await db.store().listAccounts(userIdFor(email))).toEqual([]);
  }

  it('starts at the emulator with PKCE S256 from the nonce, the metadata scopes and a signed state', async () => {
    const { app } = build();
    const res = await app(get(ORIGIN, '/connect/microsoft'));
    expect(res.status).toBe(302);
    const url = new URL(res.headers.location!);
    expect(url.origin + url.pathname).toBe(`${em.authority}/oauth2/v2.0/authorize`);
    const q = url.searchParams;
    expect(q.get('client_id')).toBe(em.platform.clientId);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('redirect_uri')).toBe(CALLBACK);
    expect(q.get('scope')!.split(' ').sort()).toEqual(['Calendars.ReadBasic', 'Mail.ReadBasic', 'User.Read', 'offline_access', 'openid', 'profile']);
    expect(q.get('prompt')).toBe('select_account');
    expect(q.has('login_hint')).toBe(false);
    const cookie = setCookies(res)[COOKIE]!;
    expect(cookie.line).toMatch(/; Max-Age=600; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
    const state = verifyState(secret, q.get('state'), { provider: 'microsoft', now: T0 });
    expect(state.nonce).toBe(cookie.value);
    expect(q.get('code_challenge')).toBe(derivePkce(secret, state.nonce).challenge);
    expect(q.get('code_challenge_method')).toBe('S256');
    // MSAL's template placeholders are all replaced by this request's own values.
    expect(url.toString()).not.toMatch(/127\.0\.0\.1\/callback|state=state\b|code_challenge=challenge\b/);

    // Two starts are two flows: each its own nonce, challenge and request id.
    const again = new URL((await app(get(ORIGIN, '/connect/microsoft'))).headers.location!).searchParams;
    expect(again.get('code_challenge')).not.toBe(q.get('code_challenge'));
    expect(again.get('client-request-id')).not.toBe(q.get('client-request-id'));
  });

  it('connects: redeems the code with the derived verifier, stores the sealed MSAL cache and enqueues one sync', async () => {
    const { app, queue } = build();
    const { nonce, callback } = await throughConsent(app);
    const before = codeRedemptions().length;
    clock.t = T0 + 60_000;
    const res = await app(callback);
    expect(res.status, res.body).toBe(200);
    expect(res.body).toContain(`<h1>Connected ${ANN}</h1>`);
    expect(setCookies(res)[COOKIE]!.line).toContain('Max-Age=0');

    // The emulator redeemed this code once, with the verifier derived from the nonce, as a confidential client.
    const redeemed = codeRedemptions().slice(before);
    expect(redeemed).toEqual([
      expect.objectContaining({ code: callback.query.code, codeVerifier: derivePkce(secret, nonce).verifier, clientSecret: CLIENT_SECRET }),
    ]);

    const userId = userIdFor(ANN);
    expect(await db.store().getUser(userId)).toMatchObject({ email: ANN, me: [ANN], createdAt: new Date(T0 + 60_000).toISOString() });
    const accounts = await db.store().listAccounts(userId);
    expect(accounts).toHaveLength(1);
    const account = accounts[0]!;
    // Keyed on the tenant and object ids, not the address.
    const annUser = em.platform.userNamed(ANN);
    expect(account).toMatchObject({ accountId: accountIdForSubject('microsoft', `${annUser.tenantId}/${annUser.oid}`), provider: 'microsoft', address: ANN, status: 'active' });
    expect(account.accountId).not.toBe(accountIdFor('microsoft', ANN));
    expect(account.grantedScopes).toEqual(['Calendars.ReadBasic', 'Mail.ReadBasic', 'User.Read', 'openid', 'profile']);

    // Sealed: opens with the vault under the account's context into MSAL's cache, whose
    // refresh and access tokens appear nowhere in the stored item.
    const opened = JSON.parse(await vault.open(account.encryptedToken!, tokenContext(account))) as {
      RefreshToken: Record<string, { secret: string }>;
      AccessToken: Record<string, { secret: string }>;
    };
    const refreshTokens = Object.values(opened.RefreshToken).map((t) => t.secret);
    expect(refreshTokens).toEqual([expect.stringMatching(/^rt-/)]);
    const accessToken = Object.values(opened.AccessToken)[0]!.secret;
    const item = JSON.stringify(account);
    expect(item).not.toContain(refreshTokens[0]);
    expect(item).not.toContain(accessToken);
    expect(item).not.toContain('RefreshToken');
    await expect(vault.open(account.encryptedToken!, { ...tokenContext(account), accountId: accountIdFor('microsoft', ANN) })).rejects.toThrow();

    // What the sync worker will do with it: an MSAL session over the sealed cache gets a token Graph accepts.
    const holder: { account: Account } = { account };
    const session = oauth.session({ vault, context: tokenContext(account), store: accountCacheStore(db.store(), holder) });
    expect(em.platform.validateAccessToken(await session.getAccessToken())).toMatchObject({ mailbox: ANN });

    expect(queue.sent).toEqual([{ v: 1, userId, accountId: account.accountId, reason: 'connected', slot: new Date(T0 + 60_000).toISOString() }]);

    // The same answer replayed (cookie and all) is refused: Microsoft redeems a code once.
    const replay = await app(callback);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('Microsoft refused the authorization code');
    expect(replay.body).toContain('AADSTS54005');
    expect(queue.sent).toHaveLength(1);
    expect(await db.store().listAccounts(userId)).toHaveLength(1);
  });

  it('refuses a new person outside the sign-up domains (403) and drops the grant: Microsoft has no revocation', async () => {
    em.platform.signInAs = PAT;
    const { app, queue } = build({ allowedDomains: ['contoso.example'] });
    const { callback } = await throughConsent(app);
    const before = codeRedemptions().length;
    const res = await app(callback);
    expect(res.status).toBe(403);
    expect(res.body).toContain(`admits new people with an address at contoso.example only; ${PAT} is not one of them`);
    expect(res.body).toContain('the access you just granted was dropped');
    expect(res.body).toContain('remove Sinew at https://myapps.microsoft.com');
    expect(setCookies(res)[COOKIE]!.line).toContain('Max-Age=0');
    // The address is only known from the ID token, so the code was redeemed before the refusal.
    expect(codeRedemptions().length).toBe(before + 1);
    await expectNothingStored(PAT, queue);
  });

  it("refuses an account whose tenant typed another person's address as its email (no xms_edov), storing nothing", async () => {
    const OTHER_TENANT = '0b5e8d7c-6a4f-4e3d-8c2b-1a0f9e8d7c6b';
    const MALLORY = 'mallory@fabrikam.example';
    em.platform.addUser(MALLORY, 'Mallory', { tenantId: OTHER_TENANT });
    em.platform.signInAs = MALLORY;
    const ann = userIdFor(ANN);
    const annAccounts = (await db.store().listAccounts(ann)).length;

    // Into another person: Fabrikam's admin sets Mallory's mail to Ann's address, a domain Fabrikam does not own.
    em.platform.setEmailClaim(MALLORY, ANN, false);
    const { app, queue } = build();
    const res = await app((await throughConsent(app)).callback);
    expect(res.status).toBe(400);
    expect(res.body).toContain('not at a domain its organization has verified with Microsoft (xms_edov is false)');
    expect(res.body).toContain('Nothing was stored');
    expect(queue.sent).toEqual([]);
    expect(await db.store().listAccounts(ann)).toHaveLength(annAccounts);
    await expectNothingStored(MALLORY, queue);

    // Past the domain rule: an address at the one allowed domain, the claim without xms_edov at all.
    em.platform.setEmailClaim(MALLORY, 'newcomer@contoso.example', undefined);
    const ruled = build({ allowedDomains: ['contoso.example'] });
    const noClaim = await ruled.app((await throughConsent(ruled.app)).callback);
    expect(noClaim.status).toBe(400);
    expect(noClaim.body).toContain('no xms_edov claim');
    expect(noClaim.body).toContain('optional claim &quot;xms_edov&quot;');
    await expectNothingStored('newcomer@contoso.example', ruled.queue);
  });

  it('keeps the same oid one account when its email changes, and takes a personal account\'s own address', async () => {
    const FAY = 'fay@contoso.example';
    const FAY_NEW = 'fay.lee@contoso.example';
    const fay = em.platform.addUser(FAY, 'Fay');
    em.platform.signInAs = FAY;
    const first = build();
    expect((await first.app((await throughConsent(first.app)).callback)).status).toBe(200);
    const userId = userIdFor(FAY);
    const [before] = await db.store().listAccounts(userId);
    expect(before!.accountId).toBe(accountIdForSubject('microsoft', `${fay.tenantId}/${fay.oid}`));

    // The mailbox is renamed: same tenant, same oid, a new (verified) address. Its reconnect link brings it back.
    em.platform.renameUser(FAY, FAY_NEW);
    em.platform.signInAs = FAY_NEW;
    const link = signLink(secret, { action: 'reconnect', userId, accountId: before!.accountId }, { now: clock.t });
    const again = build();
    const start = await again.app(get(ORIGIN, '/connect/microsoft', { link }));
    expect(start.status, start.body).toBe(302);
    const consent = await browser(start.headers.location!, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    const res = await again.app(get(ORIGIN, back.pathname, Object.fromEntries(back.searchParams), { [COOKIE]: setCookies(start)[COOKIE]!.value }));
    expect(res.status, res.body).toBe(200);
    const after = await db.store().listAccounts(userId);
    expect(after.map((a) => [a.accountId, a.address])).toEqual([[before!.accountId, FAY_NEW]]);
    // Reports follow the mailbox's new address; the old one stays among the person's own.
    expect(await db.store().getUser(userId)).toMatchObject({ email: FAY_NEW, me: [FAY_NEW, FAY] });

    // A personal Microsoft account: its address is Microsoft's own, no xms_edov needed.
    const GUS = 'gus@outlook.example';
    em.platform.addUser(GUS, 'Gus', { tenantId: PERSONAL_ACCOUNTS_TENANT });
    em.platform.signInAs = GUS;
    const personal = build();
    const ok = await personal.app((await throughConsent(personal.app)).callback);
    expect(ok.status, ok.body).toBe(200);
    expect((await db.store().listAccounts(userIdFor(GUS)))[0]).toMatchObject({ address: GUS, provider: 'microsoft' });
  });

  it('says kindly that nothing was stored when the user declines consent', async () => {
    em.platform.mode = 'deny';
    em.platform.signInAs = CY;
    const { app, queue } = build();
    const before = em.platform.tokenRequests.length;
    const { callback } = await throughConsent(app);
    expect(callback.query).toMatchObject({ error: 'access_denied' });
    expect(callback.query.code).toBeUndefined();
    const res = await app(callback);
    expect(res.status).toBe(200);
    expect(res.body).toContain('No mailbox connected');
    expect(res.body).toContain('You declined on Microsoft 365&#39;s page, so nothing was stored');
    expect(res.cookies?.[0]).toMatch(new RegExp(`^${COOKIE}=; Max-Age=0`));
    expect(em.platform.tokenRequests.length).toBe(before);
    await expectNothingStored(CY, queue);
  });

  it("refuses a Google state on the Microsoft callback, and a Microsoft state on Google's, before redeeming the code", async () => {
    em.platform.signInAs = DEE;
    const { app, queue } = build();
    const { nonce, callback } = await throughConsent(app);
    const before = em.platform.tokenRequests.length;
    const googleState = createState(secret, { provider: 'google', now: T0, nonce });
    const res = await app({ ...callback, query: { ...callback.query, state: googleState } });
    expect(res.status).toBe(400);
    expect(res.body).toContain('came back for another provider&#39;s sign-in, not Microsoft 365&#39;s');
    expect(em.platform.tokenRequests.length).toBe(before);
    await expectNothingStored(DEE, queue);

    // The other way round, with a Google consent that must never be reached.
    const google = async (): Promise<ProviderConsent> => ({
      authorizationUrl: () => 'https://accounts.google.com/o/oauth2/v2/auth',
      exchangeCode: () => Promise.reject(new Error('the Google exchange must not be reached')),
    });
    const both = build({ providers: { google, microsoft: async () => oauth } });
    const onGoogle = await both.app(get(ORIGIN, '/oauth/google/callback', callback.query, { [nonceCookieName('google')]: nonce }));
    expect(onGoogle.status).toBe(400);
    expect(onGoogle.body).toContain('came back for another provider&#39;s sign-in, not Google&#39;s');
    expect(both.queue.sent).toEqual([]);

    // The untouched answer still works: the refusals consumed nothing.
    const ok = await app(callback);
    expect(ok.status, ok.body).toBe(200);
    expect(ok.body).toContain(`<h1>Connected ${DEE}</h1>`);
    expect(queue.sent).toHaveLength(1);
  });
});
