import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '#lib/config.ts';
import { ConfigError, InputError } from '#lib/errors.ts';
import { GoogleConsent, GoogleOAuth } from '#lib/providers/google/oauth.ts';
import { MsRefreshClient } from '#lib/providers/microsoft/refresh.ts';
import { accountSources, providerClients, providerClientsFromConfig, type ProviderEndpoints } from '#lib/providers/account-sources.ts';
import { providerConsents } from '#lib/providers/consents.ts';
import { grantRevoker } from '#lib/providers/revocation.ts';
import { CONNECTED_PROVIDERS, type ConnectedProvider, type OAuthClientCredentials } from '#lib/providers/registry.ts';
import type { Account } from '#lib/store/types.ts';
import { lambdaEndpoints, lambdaEnv } from '#functions/shared/env.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';

/**
 * The providers' clients, built in one place from an OAuth app's credentials and the
 * endpoints: kept while the credentials stay the same, built again when they change (a
 * rotated client secret), never kept after a failed build.
 */
const ENDPOINTS: ProviderEndpoints = {
  googleTokenUrl: 'https://oauth2.googleapis.com/token',
  googleApiRoot: 'https://www.googleapis.com/',
  // http: refused before any network call (MsOAuth.create, MsRefreshClient.create).
  msAuthority: 'http://login.example.test/common',
  graphBaseUrl: 'https://graph.microsoft.com/v1.0',
};

afterEach(() => vi.restoreAllMocks());

describe('providerClients', () => {
  it('keeps a provider\'s clients while its credentials stay the same, and builds them again when they change', async () => {
    let credentials: OAuthClientCredentials = { clientId: 'id-1', clientSecret: 's-1' };
    const asked: ConnectedProvider[] = [];
    const clients = providerClients(async (p) => (asked.push(p), credentials), ENDPOINTS);
    const first = await clients.google();
    expect(first.sources).toBeTypeOf('function');
    expect(await clients.google()).toBe(first);
    credentials = { clientId: 'id-1', clientSecret: 's-2' };
    const rotated = await clients.google();
    expect(rotated).not.toBe(first);
    expect(await clients.google()).toBe(rotated);
    // Only Google was asked for: Microsoft's client (a network call to resolve) is never built.
    expect(asked).toStrictEqual(['google', 'google', 'google', 'google']);
  });

  it('does not keep a failed build: the next use tries again', async () => {
    const create = vi.spyOn(MsRefreshClient, 'create');
    const clients = providerClients(async () => ({ clientId: 'ms-id' }), ENDPOINTS);
    await expect(clients.microsoft()).rejects.toThrow(/SINEW_MS_AUTHORITY: .* must be https/);
    await expect(clients.microsoft()).rejects.toThrow(ConfigError);
    expect(create).toHaveBeenCalledTimes(2);
  });

  it('from the local configuration: a provider without its client id fails with the variable to set, when first used', async () => {
    const clients = providerClientsFromConfig(loadConfig({ SINEW_GOOGLE_CLIENT_ID: 'g-id' }));
    expect((await clients.google()).sources).toBeTypeOf('function');
    await expect(clients.microsoft()).rejects.toThrow(/^SINEW_MS_CLIENT_ID: /);
  });

  it('consents alone: the same consent client while the credentials stay the same, without building any sync client', async () => {
    let credentials: OAuthClientCredentials = { clientId: 'id-1' };
    const consents = providerConsents(async () => credentials, ENDPOINTS);
    const first = await consents.google();
    // The consent alone, on fetch: no Google library (and no sync client) behind it.
    expect(first).toBeInstanceOf(GoogleConsent);
    expect(first).not.toBeInstanceOf(GoogleOAuth);
    expect(await consents.google()).toBe(first);
    credentials = { clientId: 'id-2' };
    expect(await consents.google()).not.toBe(first);
    await expect(consents.microsoft()).rejects.toThrow(ConfigError);
  });
});

describe('grantRevoker', () => {
  it('revokes at exactly the providers the registry says Sinew revokes at, and reads no secret for the others', async () => {
    const asked: ConnectedProvider[] = [];
    const revoker = grantRevoker(async (p) => (asked.push(p), { clientId: `${p}-id` }), ENDPOINTS);
    for (const p of CONNECTED_PROVIDERS) {
      if (p.grant.revocable) expect(await revoker(p.id), p.id).toHaveProperty('revoke');
      else await expect(revoker(p.id), p.id).rejects.toThrow(`${p.label} offers no revocation to Sinew`);
    }
    expect(asked).toStrictEqual(CONNECTED_PROVIDERS.filter((p) => p.grant.revocable).map((p) => p.id));
    expect(await revoker('google')).toBeInstanceOf(GoogleConsent);
    expect(await revoker('google')).not.toBeInstanceOf(GoogleOAuth);
  });
});

describe('accountSources', () => {
  const account = (over: Partial<Account>): Account =>
    ({ userId: 'u1', accountId: 'a1', provider: 'google', address: 'pat@example.com', aliases: [], status: 'active', errorCount: 0, cursors: {}, ...over }) as Account;
  const never = async () => {
    throw new Error('no provider client may be built');
  };
  const deps = { providers: { google: never, microsoft: never }, vault: { seal: never, open: never }, store: {} as never, clock: new VirtualClock(0) };

  it('refuses an imported archive and an account without a token before building any client', async () => {
    await expect(accountSources(account({ provider: 'files' }), deps)).rejects.toThrow(InputError);
    await expect(accountSources(account({ provider: 'microsoft' }), deps)).rejects.toThrow(/holds no token; its owner must connect it again/);
  });
});

describe('lambdaEndpoints', () => {
  it('takes Microsoft\'s from the stack\'s environment and Google\'s from the process, each defaulting to the real provider', () => {
    const env = lambdaEnv({ SINEW_TABLE_NAME: 'sinew', SINEW_MS_AUTHORITY: 'https://login.example.test/tenant', SINEW_GRAPH_BASE_URL: 'https://graph.example.test/v1.0' });
    expect(lambdaEndpoints(env, { SINEW_GOOGLE_TOKEN_URL: 'https://proxy.example.test/token', SINEW_MS_AUTHORITY: 'https://ignored.example.test/x' })).toStrictEqual({
      googleTokenUrl: 'https://proxy.example.test/token',
      googleApiRoot: 'https://www.googleapis.com/',
      msAuthority: 'https://login.example.test/tenant',
      graphBaseUrl: 'https://graph.example.test/v1.0',
    });
    expect(lambdaEndpoints(lambdaEnv({ SINEW_TABLE_NAME: 'sinew' }), { SINEW_GOOGLE_AUTH_URL: 'https://proxy.example.test/auth' })).toStrictEqual({
      googleAuthUrl: 'https://proxy.example.test/auth',
      googleTokenUrl: 'https://oauth2.googleapis.com/token',
      googleApiRoot: 'https://www.googleapis.com/',
      msAuthority: 'https://login.microsoftonline.com/common',
      graphBaseUrl: 'https://graph.microsoft.com/v1.0',
    });
  });
});
