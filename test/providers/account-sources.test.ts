import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '#lib/config.ts';
import { ConfigError, InputError } from '#lib/errors.ts';
import { GoogleOAuth } from '#lib/providers/google/oauth.ts';
import { MsOAuth } from '#lib/providers/microsoft/oauth.ts';
import { accountSources, grantRevoker, providerClients, providerClientsFromConfig, type ProviderEndpoints } from '#lib/providers/account-sources.ts';
import type { ConnectedProvider, OAuthClientCredentials } from '#lib/providers/registry.ts';
import type { Account } from '#lib/store/types.ts';
import { lambdaEndpoints } from '#functions/shared/providers.ts';
import { lambdaEnv } from '#functions/shared/env.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';

/**
 * The providers' clients, built in one place from an OAuth app's credentials and the
 * endpoints: kept while the credentials stay the same, built again when they change (a
 * rotated client secret), never kept after a failed build.
 */
const ENDPOINTS: ProviderEndpoints = {
  googleTokenUrl: 'https://oauth2.googleapis.com/token',
  googleApiRoot: 'https://www.googleapis.com/',
  // http: MsOAuth.create refuses it before any network call.
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
    expect(first.consent).toBeInstanceOf(GoogleOAuth);
    expect(await clients.google()).toBe(first);
    credentials = { clientId: 'id-1', clientSecret: 's-2' };
    const rotated = await clients.google();
    expect(rotated).not.toBe(first);
    expect(await clients.google()).toBe(rotated);
    // Only Google was asked for: Microsoft's client (a network call to resolve) is never built.
    expect(asked).toStrictEqual(['google', 'google', 'google', 'google']);
  });

  it('does not keep a failed build: the next use tries again', async () => {
    const create = vi.spyOn(MsOAuth, 'create');
    const clients = providerClients(async () => ({ clientId: 'ms-id' }), ENDPOINTS);
    await expect(clients.microsoft()).rejects.toThrow(/SINEW_MS_AUTHORITY: .* must be https/);
    await expect(clients.microsoft()).rejects.toThrow(ConfigError);
    expect(create).toHaveBeenCalledTimes(2);
  });

  it('from the local configuration: a provider without its client id fails with the variable to set, when first used', async () => {
    const clients = providerClientsFromConfig(loadConfig({ SINEW_GOOGLE_CLIENT_ID: 'g-id' }));
    expect((await clients.google()).consent).toBeInstanceOf(GoogleOAuth);
    await expect(clients.microsoft()).rejects.toThrow(/^SINEW_MS_CLIENT_ID: /);
  });

  it('revokes through a provider whose consent revokes, and refuses one that offers none', async () => {
    const revoked: string[] = [];
    const consent = { authorizationUrl: () => '', exchangeCode: () => Promise.reject(new Error('unused')) };
    const revoker = grantRevoker({
      google: async () => ({ consent: { ...consent, revoke: async (t: string) => void revoked.push(t) }, sources: async () => [] }),
      microsoft: async () => ({ consent, sources: async () => [] }),
    });
    await (await revoker('google')).revoke('1//refresh');
    expect(revoked).toStrictEqual(['1//refresh']);
    await expect(revoker('microsoft')).rejects.toThrow('Microsoft 365 offers no revocation to Sinew');
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
