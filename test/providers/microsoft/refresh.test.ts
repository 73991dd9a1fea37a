import { randomBytes } from 'node:crypto';
import { PublicClientApplication } from '@azure/msal-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPkce } from '#lib/connect/pkce.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { ConfigError, ProviderUnavailableError, ReconnectRequiredError } from '#lib/errors.ts';
import { fetchTrusting } from '#lib/providers/microsoft/graph-client.ts';
import { msalNetworkTrusting } from '#lib/providers/microsoft/msal-network.ts';
import { MS_GRAPH_SCOPES, MsOAuth } from '#lib/providers/microsoft/oauth.ts';
import { MsRefreshClient, type MsTokenSession } from '#lib/providers/microsoft/refresh.ts';
import type { MsalCache } from '#lib/providers/microsoft/token-cache.ts';
import { IdentityPlatform } from '#test/support/microsoft/identity.ts';
import { startLoopbackHttps, type LoopbackHttps } from '#test/support/microsoft/loopback-https.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';

/**
 * The sync worker's token refresh without MSAL (lib/providers/microsoft/refresh.ts),
 * against the identity emulator, over the token cache MSAL wrote at connect: the cached
 * token while valid, a refresh grant when not, the rotated refresh token sealed back in a
 * cache MSAL still reads as its own, and the token endpoint's refusals mapped as MSAL's
 * were (a lost grant asks for a reconnect, an outage is retried later).
 */

const MAILBOX = 'ada@contoso.example';
const vault = LocalKeyVault.fromKey(randomBytes(32));
const context = { userId: 'u-ada', accountId: `microsoft:${MAILBOX}` };
/** A fresh identity platform per test, its clock at the wall clock's time (MSAL stamps the connect's tokens with the wall clock). */
let clock = new VirtualClock(Date.now());
let platform = new IdentityPlatform({ clock });
/** Answers the token endpoint with this status instead of the emulator, while set. */
let outage: { status: number; body: string } | undefined;
let server: LoopbackHttps;
let authority: string;
let oauth: MsOAuth;

beforeAll(async () => {
  server = await startLoopbackHttps([
    async (req, res, url) => {
      if (!outage || !url.pathname.endsWith('/oauth2/v2.0/token')) return false;
      res.writeHead(outage.status, { 'content-type': 'text/html' });
      res.end(outage.body);
      return true;
    },
    (req, res, url) => platform.handler(req, res, url),
  ]);
  authority = `${server.origin}/common`;
  oauth = await MsOAuth.create({ clientId: platform.clientId, clientSecret: 'web-secret', authority, ca: server.ca });
});
afterAll(() => server.close());
beforeEach(() => {
  outage = undefined;
  clock = new VirtualClock(Date.now() + 1000);
  platform = new IdentityPlatform({ clock });
  platform.addUser(MAILBOX);
});

/** A connect through MSAL (auth code with PKCE), its cache sealed as recordConnectedAccount seals it. */
async function connected(refresh?: MsRefreshClient) {
  refresh ??= MsRefreshClient.create({ clientId: platform.clientId, clientSecret: 'web-secret', authority, ca: server.ca });
  const pkce = await createPkce();
  const redirectUri = 'http://127.0.0.1:7/callback';
  const consent = await fetchTrusting(server.ca)(oauth.authorizationUrl({ state: 's', codeChallenge: pkce.challenge, redirectUri }), { redirect: 'manual' });
  const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
  const grant = await oauth.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri });
  const stored = { sealed: await vault.seal(grant.refreshToken, context), saves: 0 };
  const session: MsTokenSession = refresh.session({
    vault,
    context,
    clock,
    store: {
      load: async () => stored.sealed,
      save: async (sealed) => {
        stored.sealed = sealed;
        stored.saves++;
      },
    },
  });
  return { grant, stored, session };
}

const openCache = async (sealed: string) => JSON.parse(await vault.open(sealed, context)) as MsalCache;
const secrets = (section: MsalCache['AccessToken']) => Object.values(section ?? {}).map((t) => t.secret);

describe('MsTokenSession (refresh without MSAL)', () => {
  it('serves the cached access token while it is valid for 5 more minutes, and refreshes after', async () => {
    const { grant, stored, session } = await connected();
    const before = platform.tokenRequests.length;
    expect(await session.getAccessToken()).toBe(grant.accessToken);
    clock.advance(3600_000 - 302_000);
    expect(await session.getAccessToken()).toBe(grant.accessToken);
    expect(platform.tokenRequests.length).toBe(before);
    expect(stored.saves).toBe(0);
    clock.advance(3_000);
    const token = await session.getAccessToken();
    expect(token).not.toBe(grant.accessToken);
    expect(platform.validateAccessToken(token)).toMatchObject({ mailbox: MAILBOX, scopes: expect.arrayContaining(['Mail.ReadBasic']) });
    expect(platform.tokenRequests.slice(before)).toEqual([
      { grantType: 'refresh_token', scope: [...MS_GRAPH_SCOPES, 'openid', 'profile', 'offline_access'].join(' '), clientSecret: 'web-secret' },
    ]);
    // The next call serves the new token from the stored cache.
    expect(await session.getAccessToken()).toBe(token);
    expect(platform.tokenRequests.length).toBe(before + 1);
  });

  it('counts seconds as MSAL does: serves a token MSAL stamped in the last half second, and stamps none after MSAL\'s now', async () => {
    const { grant, stored, session } = await connected();
    // 600 ms into a second S: MSAL's now (rounded) is S + 1, a floored now would be S.
    clock.advance((1600 - (clock.now() % 1000)) % 1000);
    const s = Math.floor(clock.now() / 1000);
    const cache = await openCache(stored.sealed);
    for (const t of Object.values(cache.AccessToken!)) Object.assign(t, { cached_at: String(s + 1), expires_on: String(s + 1 + 3600) });
    stored.sealed = await vault.seal(JSON.stringify(cache), context);
    const before = platform.tokenRequests.length;
    expect(await session.getAccessToken()).toBe(grant.accessToken);
    expect(platform.tokenRequests.length).toBe(before);
    // A refreshed token is stamped with the floored second: never after a rounded now.
    await session.accessToken({ forceRefresh: true });
    expect(Object.values((await openCache(stored.sealed)).AccessToken!).map((t) => t.cached_at)).toEqual([String(s)]);
  });

  it('stores the rotated refresh token sealed, in a cache MSAL reads as its own', async () => {
    const { grant, stored, session } = await connected();
    const first = await openCache(stored.sealed);
    const token = await session.accessToken({ forceRefresh: true });
    expect(stored.saves).toBe(1);
    expect(stored.sealed).not.toContain(token);
    const cache = await openCache(stored.sealed);
    // The same keys MSAL wrote: one access token (the new one), one refresh token (rotated).
    expect(Object.keys(cache.AccessToken!)).toEqual(Object.keys(first.AccessToken!));
    expect(Object.keys(cache.RefreshToken!)).toEqual(Object.keys(first.RefreshToken!));
    expect(secrets(cache.AccessToken)).toEqual([token]);
    expect(secrets(cache.RefreshToken)).not.toEqual(secrets(first.RefreshToken));
    expect(secrets(cache.RefreshToken)[0]).toMatch(/^rt-/);
    expect(cache.Account).toEqual(first.Account);
    expect(grant.accessToken).not.toBe(token);

    // MSAL itself serves the refreshed token from this cache, without asking the endpoint.
    const msal = new PublicClientApplication({
      auth: { clientId: platform.clientId, authority, knownAuthorities: [new URL(authority).host] },
      system: { networkClient: msalNetworkTrusting(server.ca) },
    });
    msal.getTokenCache().deserialize(JSON.stringify(cache));
    const [account] = await msal.getTokenCache().getAllAccounts();
    const before = platform.tokenRequests.length;
    // MSAL reads the time from Date: the same clock the session stamped with (the test's runs 1 s ahead of the wall).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(clock.now());
    try {
      expect((await msal.acquireTokenSilent({ account: account!, scopes: [...MS_GRAPH_SCOPES] })).accessToken).toBe(token);
    } finally {
      vi.useRealTimers();
    }
    expect(platform.tokenRequests.length).toBe(before);
  });

  it('turns a revoked grant (invalid_grant, AADSTS50173) and removed consent (AADSTS65001) into ReconnectRequiredError, saving nothing', async () => {
    for (const how of ['grant', 'consent'] as const) {
      const { stored, session } = await connected();
      platform.revoke(MAILBOX, how);
      const err = await session.accessToken({ forceRefresh: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReconnectRequiredError);
      expect((err as Error).message).toMatch(how === 'grant' ? /invalid_grant: AADSTS50173/ : /invalid_grant: AADSTS65001/);
      expect(stored.saves).toBe(0);
    }
  });

  it('turns a 5xx or 429 from the token endpoint, or no answer at all, into ProviderUnavailableError, and keeps the stored cache', async () => {
    const { stored, session } = await connected();
    const sealed = stored.sealed;
    for (const status of [503, 500, 429]) {
      outage = { status, body: '<html>upstream unavailable</html>' };
      const err = await session.accessToken({ forceRefresh: true }).catch((e: unknown) => e);
      expect(err, String(status)).toBeInstanceOf(ProviderUnavailableError);
      expect((err as ProviderUnavailableError).status).toBe(status);
    }
    outage = undefined;
    expect(stored.sealed).toBe(sealed);

    const nobody = await startLoopbackHttps([]);
    const gone = MsRefreshClient.create({ clientId: platform.clientId, authority: `${nobody.origin}/common`, ca: nobody.ca });
    await nobody.close();
    const offline = await connected(gone);
    const err = await offline.session.accessToken({ forceRefresh: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as Error).message).toMatch(/network_error/);
  });

  it('reports an application the identity platform does not know as a ConfigError, and a cache without tokens as a reconnect', async () => {
    const stranger = MsRefreshClient.create({ clientId: 'not-registered', authority, ca: server.ca });
    const { stored } = await connected();
    const store = { load: async () => stored.sealed, save: async () => undefined };
    // Another client id finds no token of its own in the cache: only a reconnect helps.
    await expect(stranger.session({ vault, context, clock, store }).accessToken()).rejects.toThrow(ReconnectRequiredError);
    const empty = await vault.seal(JSON.stringify({ Account: {}, AccessToken: {}, RefreshToken: {} }), context);
    const own = MsRefreshClient.create({ clientId: platform.clientId, authority, ca: server.ca });
    await expect(own.session({ vault, context, clock, store: { load: async () => empty, save: async () => undefined } }).accessToken()).rejects.toThrow(/holds no account/);
    await expect(own.session({ vault, context, clock, store: { load: async () => undefined, save: async () => undefined } }).accessToken()).rejects.toThrow(ReconnectRequiredError);
    // The same cache under a client id the platform refuses (AADSTS700016): the application is misconfigured.
    const cache = await openCache(stored.sealed);
    for (const t of [...Object.values(cache.AccessToken!), ...Object.values(cache.RefreshToken!)]) t.client_id = 'not-registered';
    const relabelled = await vault.seal(JSON.stringify(cache), context);
    await expect(stranger.session({ vault, context, clock, store: { load: async () => relabelled, save: async () => undefined } }).accessToken({ forceRefresh: true }))
      .rejects.toThrow(ConfigError);
  });

  it('refuses an http authority and a missing client id when built', () => {
    expect(() => MsRefreshClient.create({ clientId: 'x', authority: 'http://127.0.0.1:9/common' })).toThrow(/SINEW_MS_AUTHORITY: .* must be https/);
    expect(() => MsRefreshClient.create({ clientId: '', authority })).toThrow(/SINEW_MS_CLIENT_ID/);
  });
});
