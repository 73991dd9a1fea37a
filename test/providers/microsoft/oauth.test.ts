import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConsentError } from '#lib/connect/errors.ts';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { createPkce } from '#lib/connect/pkce.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { ConfigError, ReconnectRequiredError } from '#lib/errors.ts';
import { grantsCalendar, MS_CONNECT_SCOPES, MsOAuth, scopeProblem } from '#lib/providers/microsoft/oauth.ts';
import { startIdentityEmulator, type IdentityEmulator } from '#test/support/microsoft/identity.ts';
import { fetchTrusting } from '#lib/providers/microsoft/graph-client.ts';

const MAILBOX = 'ada@contoso.example';
let em: IdentityEmulator;
let oauth: MsOAuth;
let browser: typeof fetch;

beforeAll(async () => {
  em = await startIdentityEmulator({ users: [MAILBOX, 'bob@contoso.example'] });
  browser = fetchTrusting(em.server.ca);
  oauth = await MsOAuth.create({ clientId: em.platform.clientId, authority: em.authority, ca: em.server.ca });
});
afterAll(() => em.close());
beforeEach(() => {
  em.platform.mode = 'consent';
  em.platform.grantScopes = undefined;
  em.platform.accessTokenLifetimeSeconds = 3600;
});

/** The user's browser: consent at the emulator, then follow its redirect to the loopback callback. */
function userBrowser(tamper?: (callback: URL) => void): (url: string) => Promise<void> {
  return async (url) => {
    const res = await browser(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const callback = new URL(res.headers.get('location')!);
    tamper?.(callback);
    await fetch(callback);
  };
}

/** A full loopback connect through the real MSAL; returns the grant. */
function connect(openUrl = userBrowser()) {
  return runLoopbackConsent({ provider: 'microsoft', oauth, openUrl, timeoutMs: 10_000 });
}

describe('MsOAuth.authorizationUrl', () => {
  it('is the authority\'s authorize endpoint with the metadata scopes, S256 PKCE and the account chooser', () => {
    const url = new URL(oauth.authorizationUrl({ state: 's1', codeChallenge: 'c'.repeat(43), redirectUri: 'http://127.0.0.1:1/callback', loginHint: MAILBOX }));
    expect(`${url.origin}${url.pathname}`).toBe(`${em.authority}/oauth2/v2.0/authorize`);
    const q = Object.fromEntries(url.searchParams);
    expect(q.scope!.split(' ').sort()).toEqual([...MS_CONNECT_SCOPES, 'openid', 'profile'].sort());
    expect(q).toMatchObject({
      client_id: em.platform.clientId, response_type: 'code', state: 's1', code_challenge: 'c'.repeat(43), code_challenge_method: 'S256',
      prompt: 'select_account', login_hint: MAILBOX, redirect_uri: 'http://127.0.0.1:1/callback', client_info: '1',
    });
    const bare = new URL(oauth.authorizationUrl({ state: 's2', codeChallenge: 'd'.repeat(43), redirectUri: 'http://127.0.0.1:2/callback' }));
    expect(bare.searchParams.has('login_hint')).toBe(false);
    expect(bare.searchParams.get('state')).toBe('s2');
  });

  it('refuses an http authority and a missing client id', async () => {
    await expect(MsOAuth.create({ clientId: 'x', authority: 'http://127.0.0.1:9/common' })).rejects.toThrow(ConfigError);
    await expect(MsOAuth.create({ clientId: '', authority: em.authority })).rejects.toThrow(/SINEW_MS_CLIENT_ID/);
  });
});

describe('connecting through the loopback flow', () => {
  it('connects with PKCE: the grant names the mailbox, its scopes and carries MSAL\'s cache with a refresh token', async () => {
    const grant = await connect();
    expect(grant.email).toBe(MAILBOX);
    expect(grant.grantedScopes).toEqual(expect.arrayContaining(['Mail.ReadBasic', 'Calendars.ReadBasic', 'User.Read']));
    expect(grantsCalendar(grant.grantedScopes)).toBe(true);
    expect(em.platform.validateAccessToken(grant.accessToken)).toMatchObject({ mailbox: MAILBOX });
    const cache = JSON.parse(grant.refreshToken) as { RefreshToken: Record<string, { secret: string }> };
    expect(Object.values(cache.RefreshToken)[0]!.secret).toMatch(/^rt-/);
  });

  it('ignores a callback whose state was tampered with, and still completes with the genuine one', async () => {
    let tamperedStatus = 0;
    const grant = await connect(async (url) => {
      const res = await browser(url, { redirect: 'manual' });
      const callback = new URL(res.headers.get('location')!);
      const forged = new URL(callback);
      forged.searchParams.set('state', `${callback.searchParams.get('state')!.slice(0, -2)}AA`);
      tamperedStatus = (await fetch(forged)).status;
      await fetch(callback);
    });
    expect(tamperedStatus).toBe(400);
    expect(grant.email).toBe(MAILBOX);
  });

  it('turns a declined consent into ConsentError(denied)', async () => {
    em.platform.mode = 'deny';
    await expect(connect()).rejects.toMatchObject({ name: 'ConsentError', reason: 'denied' });
  });

  it('refuses a grant broader than metadata (Mail.Read) and one without Mail.ReadBasic', async () => {
    em.platform.grantScopes = ['Mail.ReadBasic', 'Mail.Read', 'Calendars.ReadBasic', 'User.Read'];
    await expect(connect()).rejects.toMatchObject({ name: 'ConsentError', reason: 'scopes', message: expect.stringMatching(/Mail\.Read\b/) });
    em.platform.grantScopes = ['Calendars.ReadBasic', 'User.Read'];
    await expect(connect()).rejects.toMatchObject({ reason: 'scopes', message: expect.stringMatching(/Mail\.ReadBasic/) });
  });

  it('keeps a grant without calendar access, which then skips calendar sync', async () => {
    em.platform.grantScopes = ['Mail.ReadBasic', 'User.Read'];
    const grant = await connect();
    expect(grantsCalendar(grant.grantedScopes)).toBe(false);
  });
});

describe('MsOAuth.exchangeCode', () => {
  async function codeFor(challenge: string, redirectUri: string): Promise<string> {
    const res = await browser(oauth.authorizationUrl({ state: 's', codeChallenge: challenge, redirectUri }), { redirect: 'manual' });
    return new URL(res.headers.get('location')!).searchParams.get('code')!;
  }

  it('fails when the PKCE verifier does not match the challenge (the emulator checks S256)', async () => {
    const pkce = await createPkce();
    const other = await createPkce();
    const code = await codeFor(pkce.challenge, 'http://127.0.0.1:3/callback');
    const err = await oauth.exchangeCode({ code, codeVerifier: other.verifier, redirectUri: 'http://127.0.0.1:3/callback' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsentError);
    expect((err as ConsentError).message).toMatch(/AADSTS501481|code_verifier|Code_Verifier/i);
  });

  it('sends the client secret when one is configured (a confidential client)', async () => {
    const web = await MsOAuth.create({ clientId: em.platform.clientId, clientSecret: 'web-secret', authority: em.authority, ca: em.server.ca });
    const pkce = await createPkce();
    const code = await codeFor(pkce.challenge, 'http://127.0.0.1:5/callback');
    const grant = await web.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: 'http://127.0.0.1:5/callback' });
    expect(grant.email).toBe(MAILBOX);
    expect(em.platform.tokenRequests.at(-1)).toMatchObject({ grantType: 'authorization_code', clientSecret: 'web-secret' });
  });

  it('reports an unknown application as a ConfigError', async () => {
    const stranger = await MsOAuth.create({ clientId: 'not-registered', authority: em.authority, ca: em.server.ca });
    const pkce = await createPkce();
    const code = await codeFor(pkce.challenge, 'http://127.0.0.1:4/callback');
    await expect(stranger.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: 'http://127.0.0.1:4/callback' })).rejects.toThrow(ConfigError);
  });
});

describe('token sessions over the sealed MSAL cache', () => {
  const vault = LocalKeyVault.fromKey(randomBytes(32));
  const context = { userId: 'u-ada', accountId: 'microsoft:ada@contoso.example' };

  async function connectedSession() {
    const grant = await connect();
    const stored = { sealed: await vault.seal(grant.refreshToken, context), saves: 0 };
    const store = {
      load: async () => stored.sealed,
      save: async (sealed: string) => {
        stored.sealed = sealed;
        stored.saves++;
      },
    };
    return { grant, stored, session: oauth.session({ vault, context, store }) };
  }

  it('stores no token in the clear and serves the cached access token without a refresh', async () => {
    const { grant, stored, session } = await connectedSession();
    const cache = JSON.parse(grant.refreshToken) as { RefreshToken: Record<string, { secret: string }> };
    expect(stored.sealed).not.toContain(Object.values(cache.RefreshToken)[0]!.secret);
    expect(stored.sealed).not.toContain(grant.accessToken);
    await expect(vault.open(stored.sealed, { ...context, accountId: 'microsoft:bob@contoso.example' })).rejects.toThrow();
    const before = em.platform.tokenRequests.length;
    expect(await session.getAccessToken()).toBe(grant.accessToken);
    expect(em.platform.tokenRequests.length).toBe(before);
  });

  it('refreshes when the access token expires (without MSAL, as sync does), and saves the rotated cache sealed', async () => {
    em.platform.accessTokenLifetimeSeconds = 60; // under the 5-minute margin (MSAL's too): every call refreshes
    const { grant, stored, session } = await connectedSession();
    const firstSealed = stored.sealed;
    const token = await session.accessToken();
    expect(token).not.toBe(grant.accessToken);
    expect(em.platform.validateAccessToken(token)).toMatchObject({ mailbox: MAILBOX, scopes: expect.arrayContaining(['Mail.ReadBasic']) });
    expect(em.platform.tokenRequests.at(-1)).toMatchObject({ grantType: 'refresh_token' });
    expect(stored.saves).toBeGreaterThan(0);
    expect(stored.sealed).not.toBe(firstSealed);
    const cache = JSON.parse(await vault.open(stored.sealed, context)) as { AccessToken: Record<string, { secret: string }> };
    expect(Object.values(cache.AccessToken).map((t) => t.secret)).toContain(token);
  });

  it('turns a revoked grant (AADSTS50173) and revoked consent (AADSTS65001) into ReconnectRequiredError', async () => {
    em.platform.accessTokenLifetimeSeconds = 60;
    for (const how of ['grant', 'consent'] as const) {
      const { session } = await connectedSession();
      em.platform.revoke(MAILBOX, how);
      const err = await session.accessToken().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReconnectRequiredError);
      expect((err as Error).message).toMatch(how === 'grant' ? /50173|invalid_grant/ : /65001|consent/);
    }
  });

  it('asks for a reconnect when nothing is stored', async () => {
    const session = oauth.session({ vault, context, store: { load: async () => undefined, save: async () => undefined } });
    await expect(session.accessToken()).rejects.toThrow(ReconnectRequiredError);
  });
});

describe('scopeProblem', () => {
  it('accepts metadata scopes with or without the resource prefix and refuses any broader mail scope', () => {
    expect(scopeProblem(['https://graph.microsoft.com/Mail.ReadBasic', 'User.Read'])).toBeUndefined();
    expect(scopeProblem(['Mail.ReadBasic', 'Mail.ReadWrite'])).toMatch(/Mail\.ReadWrite/);
    expect(scopeProblem(['Mail.ReadBasic', 'https://graph.microsoft.com/Mail.Read'])).toMatch(/beyond metadata/);
  });
});
