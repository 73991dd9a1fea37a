import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConsentError } from '#lib/connect/errors.ts';
import { createPkce } from '#lib/connect/pkce.ts';
import { ConfigError, ReconnectRequiredError } from '#lib/errors.ts';
import {
  CALENDAR_EVENTS_READONLY_SCOPE,
  GMAIL_METADATA_SCOPE,
  GoogleOAuth,
  googleOAuthFromConfig,
  grantsCalendar,
} from '#lib/providers/google/oauth.ts';
import { loadConfig } from '#lib/config.ts';
import { GoogleOAuthEmulator, serveOnLoopback } from '#test/support/google/oauth-emulator.ts';

const CLIENT_ID = 'sinew-test.apps.googleusercontent.com';
const CLIENT_SECRET = 'GOCSPX-test-secret';
const REDIRECT = 'http://127.0.0.1:53682/callback';

let emulator: GoogleOAuthEmulator;
let server: { url: string; close: () => Promise<void> };
let oauth: GoogleOAuth;

beforeAll(async () => {
  emulator = new GoogleOAuthEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  server = await serveOnLoopback(emulator.handle);
  oauth = new GoogleOAuth({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    authUrl: `${server.url}/o/oauth2/v2/auth`,
    tokenUrl: `${server.url}/token`,
  });
});
afterAll(() => server.close());
beforeEach(() => {
  emulator.consent = 'approve';
  emulator.grantScopes = undefined;
  emulator.idTokenOverrides = {};
});

/** Plays the user's browser up to the redirect: returns the code the emulator handed back. */
async function consent(challenge: string, state = 'state-1'): Promise<string> {
  const url = oauth.authorizationUrl({ state, codeChallenge: challenge, redirectUri: REDIRECT });
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(back.searchParams.get('state')).toBe(state);
  return back.searchParams.get('code')!;
}

describe('GoogleOAuth.authorizationUrl', () => {
  it('asks for exactly the metadata scopes, offline, with consent, S256 PKCE and no incremental scopes', () => {
    const url = new URL(oauth.authorizationUrl({ state: 's', codeChallenge: 'c'.repeat(43), redirectUri: REDIRECT, loginHint: 'pat@example.com' }));
    expect(`${url.origin}${url.pathname}`).toBe(`${server.url}/o/oauth2/v2/auth`);
    const q = Object.fromEntries(url.searchParams);
    expect(q.scope!.split(' ')).toEqual([GMAIL_METADATA_SCOPE, CALENDAR_EVENTS_READONLY_SCOPE, 'openid', 'email']);
    expect(q).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      access_type: 'offline',
      prompt: 'select_account consent',
      include_granted_scopes: 'false',
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
      redirect_uri: REDIRECT,
      state: 's',
      login_hint: 'pat@example.com',
    });
  });
});

describe('GoogleOAuth.exchangeCode', () => {
  it('exchanges a code with PKCE that the emulator verified against the challenge', async () => {
    const pkce = await createPkce();
    const code = await consent(pkce.challenge);
    const grant = await oauth.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT });
    expect(emulator.authorizations.at(-1)!.params).toMatchObject({ code_challenge: pkce.challenge, code_challenge_method: 'S256' });
    expect(emulator.tokenRequests.at(-1)).toMatchObject({ grantType: 'authorization_code', status: 200 });
    expect(emulator.tokenRequests.at(-1)!.params.code_verifier).toBe(pkce.verifier);
    expect(grant.email).toBe('pat@example.com');
    expect(grant.refreshToken).toMatch(/^1\/\//);
    expect(grant.grantedScopes).toContain(GMAIL_METADATA_SCOPE);
    expect(grantsCalendar(grant.grantedScopes)).toBe(true);
    expect(emulator.validateAccessToken(grant.accessToken)).toMatchObject({ email: 'pat@example.com', clientId: CLIENT_ID });
  });

  it('is refused with a wrong verifier, and the code cannot be reused afterwards', async () => {
    const pkce = await createPkce();
    const other = await createPkce();
    const code = await consent(pkce.challenge);
    const wrong = oauth.exchangeCode({ code, codeVerifier: other.verifier, redirectUri: REDIRECT });
    await expect(wrong).rejects.toThrow(ConsentError);
    await expect(wrong).rejects.toThrow(/Invalid code verifier/);
    expect(emulator.tokenRequests.at(-1)).toMatchObject({ status: 400 });
    await expect(oauth.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT })).rejects.toThrow(/invalid_grant/);
  });

  it('refuses a grant carrying gmail.readonly, and revokes it', async () => {
    emulator.grantScopes = ['https://www.googleapis.com/auth/gmail.readonly', GMAIL_METADATA_SCOPE, 'openid', 'email'];
    const pkce = await createPkce();
    const code = await consent(pkce.challenge);
    const revokedBefore = emulator.revoked.length;
    const attempt = oauth.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT });
    await expect(attempt).rejects.toMatchObject({ name: 'ConsentError', reason: 'scopes' });
    await expect(attempt).rejects.toThrow(/gmail\.readonly/);
    expect(emulator.revoked.length).toBe(revokedBefore + 1);
    expect(emulator.issuedRefreshTokens).toContain(emulator.revoked.at(-1));
  });

  it('refuses full mail access and a grant without gmail.metadata', async () => {
    for (const scopes of [['https://mail.google.com/', 'openid', 'email'], [CALENDAR_EVENTS_READONLY_SCOPE, 'openid', 'email']]) {
      emulator.grantScopes = scopes;
      const pkce = await createPkce();
      const code = await consent(pkce.challenge);
      await expect(oauth.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT })).rejects.toMatchObject({ reason: 'scopes' });
    }
  });

  it('accepts a grant without calendar and says so', async () => {
    emulator.grantScopes = [GMAIL_METADATA_SCOPE, 'openid', 'email'];
    const pkce = await createPkce();
    const grant = await oauth.exchangeCode({ code: await consent(pkce.challenge), codeVerifier: pkce.verifier, redirectUri: REDIRECT });
    expect(grantsCalendar(grant.grantedScopes)).toBe(false);
  });

  it('refuses an ID token issued to another client or with an unverified address', async () => {
    for (const [overrides, pattern] of [
      [{ aud: 'someone-else.apps.googleusercontent.com' }, /another OAuth client/],
      [{ email_verified: false }, /not verified/],
    ] as const) {
      emulator.idTokenOverrides = overrides;
      const pkce = await createPkce();
      const code = await consent(pkce.challenge);
      await expect(oauth.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT })).rejects.toThrow(pattern);
    }
  });

  it('reports a wrong client secret as configuration', async () => {
    const bad = new GoogleOAuth({ clientId: CLIENT_ID, clientSecret: 'wrong', authUrl: `${server.url}/o/oauth2/v2/auth`, tokenUrl: `${server.url}/token` });
    const pkce = await createPkce();
    const code = await consent(pkce.challenge);
    await expect(bad.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT })).rejects.toThrow(ConfigError);
  });
});

describe('GoogleOAuth refresh and revoke', () => {
  async function connect(): Promise<string> {
    const pkce = await createPkce();
    const code = await consent(pkce.challenge);
    return (await oauth.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT })).refreshToken;
  }

  it('gives a client that refreshes itself and calls APIs with a token the emulator accepts', async () => {
    const client = oauth.clientFor(await connect());
    const { token } = await client.getAccessToken();
    expect(emulator.validateAccessToken(token!)?.scopes).toContain(GMAIL_METADATA_SCOPE);
    expect(emulator.tokenRequests.at(-1)).toMatchObject({ grantType: 'refresh_token', status: 200 });
  });

  it('turns a revoked grant into ReconnectRequiredError on refresh', async () => {
    const refreshToken = await connect();
    await oauth.revoke(refreshToken);
    const client = oauth.clientFor(refreshToken);
    const attempt = client.getAccessToken();
    await expect(attempt).rejects.toThrow(ReconnectRequiredError);
    await expect(attempt).rejects.toThrow(/Token has been expired or revoked/);
    // The same through an authenticated request, as the Gmail client makes them.
    await expect(client.request({ url: `${server.url}/anything` })).rejects.toThrow(ReconnectRequiredError);
  });

  it('treats a grant revoked by the user in their account the same way', async () => {
    const refreshToken = await connect();
    emulator.revokeAllGrants();
    await expect(oauth.clientFor(refreshToken).getAccessToken()).rejects.toThrow(ReconnectRequiredError);
  });

  it('revokes idempotently', async () => {
    const refreshToken = await connect();
    await oauth.revoke(refreshToken);
    await expect(oauth.revoke(refreshToken)).resolves.toBeUndefined();
  });
});

describe('googleOAuthFromConfig', () => {
  it('needs a client id, and takes the endpoints from the environment', () => {
    expect(() => googleOAuthFromConfig(loadConfig({}))).toThrow(/SINEW_GOOGLE_CLIENT_ID/);
    const fromEnv = googleOAuthFromConfig(
      loadConfig({ SINEW_GOOGLE_CLIENT_ID: CLIENT_ID, SINEW_GOOGLE_AUTH_URL: 'https://auth.example.test/authorize' }),
    );
    expect(fromEnv.authorizationUrl({ state: 's', codeChallenge: 'c'.repeat(43), redirectUri: REDIRECT })).toMatch(/^https:\/\/auth\.example\.test\/authorize\?/);
  });
});
