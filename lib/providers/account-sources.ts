import type { ChangeSource } from './types.ts';
import type { Account } from '#lib/store/types.ts';
import { loadConfig, type Config } from '#lib/config.ts';
import { googleClient } from '#lib/providers/google/client.ts';
import { microsoftClient } from '#lib/providers/microsoft/client.ts';
import {
  CONNECTED_PROVIDERS,
  connectedProvider,
  type ConnectedProvider,
  type OAuthClientCredentials,
  type ProviderClient,
  type ProviderEndpoints,
  type SourceDeps,
  type TokenRevoker,
} from './registry.ts';
import { ConfigError, InputError, ReconnectRequiredError } from '#lib/errors.ts';

export type { ProviderEndpoints } from './registry.ts';

/**
 * The providers' clients (lib/providers/registry.ts has their facts): built from an OAuth
 * app's credentials and the endpoints, shared by the CLI (credentials from the
 * environment) and the handlers (from Secrets Manager). Endpoints come with the clients, so
 * the emulators, a proxy or a national cloud can stand in for the providers.
 */

/** How each connected provider's clients are built (its own folder knows how). */
const BUILD: Readonly<Record<ConnectedProvider, (credentials: OAuthClientCredentials, endpoints: ProviderEndpoints) => ProviderClient | Promise<ProviderClient>>> = {
  google: googleClient,
  microsoft: microsoftClient,
};

/**
 * Each connected provider's clients, built on first use: a worker that only syncs Gmail
 * never resolves Microsoft's authority (a network call).
 */
export type ProviderClients = { readonly [P in ConnectedProvider]: () => Promise<ProviderClient> };

export interface AccountSourcesDeps extends SourceDeps {
  providers: ProviderClients;
}

/**
 * The change sources of one connected mailbox, with its token opened from the vault
 * under the account's context (a token sealed for another account cannot be opened).
 * A Microsoft refresh may rotate the sealed token cache: it is saved to the store at
 * once and kept on `account`, which syncAccount re-reads at every checkpoint.
 *
 * @throws ReconnectRequiredError when the account holds no token (connect it again).
 * @throws InputError for a `files` account, which has nothing to sync from.
 */
export async function accountSources(account: Account, deps: AccountSourcesDeps): Promise<ChangeSource[]> {
  const provider = connectedProvider(account.provider);
  if (!provider) {
    throw new InputError(`account ${account.accountId} was imported from files; it has no provider to sync from`);
  }
  const encryptedToken = account.encryptedToken;
  if (!encryptedToken) {
    throw new ReconnectRequiredError(`account ${account.accountId} holds no token; its owner must connect it again`);
  }
  const client = await deps.providers[provider.id]();
  // The same object, so a rotated token the client saves is seen by the caller's account.
  return client.sources(Object.assign(account, { encryptedToken }), deps);
}

/**
 * The endpoints from the environment, with lib/config.ts's defaults (the real providers):
 * `SINEW_GOOGLE_TOKEN_URL`, `SINEW_GOOGLE_API_ROOT`, `SINEW_MS_AUTHORITY`,
 * `SINEW_GRAPH_BASE_URL`, and `SINEW_GOOGLE_AUTH_URL` when set.
 */
export function providerEndpointsFromEnv(env: Record<string, string | undefined> = process.env): ProviderEndpoints {
  // Only these: another SINEW_* variable the Lambda carries must not stop the worker.
  const keys = ['SINEW_GOOGLE_AUTH_URL', 'SINEW_GOOGLE_TOKEN_URL', 'SINEW_GOOGLE_API_ROOT', 'SINEW_MS_AUTHORITY', 'SINEW_GRAPH_BASE_URL'] as const;
  const config = loadConfig(Object.fromEntries(keys.map((k) => [k, env[k]])));
  const { googleAuthUrl, ...endpoints } = endpointsOf(config);
  // Google's consent page only when named: GoogleOAuth's default is the same page.
  return env.SINEW_GOOGLE_AUTH_URL && googleAuthUrl ? { googleAuthUrl, ...endpoints } : endpoints;
}

/** The endpoints a validated configuration names (its defaults: the real providers). */
export function endpointsOf(config: Config): ProviderEndpoints {
  return {
    googleAuthUrl: config.SINEW_GOOGLE_AUTH_URL,
    googleTokenUrl: config.SINEW_GOOGLE_TOKEN_URL,
    googleApiRoot: config.SINEW_GOOGLE_API_ROOT,
    msAuthority: config.SINEW_MS_AUTHORITY,
    graphBaseUrl: config.SINEW_GRAPH_BASE_URL,
  };
}

/**
 * Provider clients from an OAuth app's credentials (Secrets Manager in AWS, read through a
 * cache) and the endpoints. A provider's clients are kept while its credentials stay the
 * same, and built again when they change (a rotated client secret is picked up); a
 * failed build is not kept.
 */
export function providerClients(
  credentials: (provider: ConnectedProvider) => Promise<OAuthClientCredentials>,
  endpoints: ProviderEndpoints,
): ProviderClients {
  const entries = CONNECTED_PROVIDERS.map((p) => {
    let built: { key: string; client: Promise<ProviderClient> } | undefined;
    const get = async (): Promise<ProviderClient> => {
      const creds = await credentials(p.id);
      const key = `${creds.clientId}\n${creds.clientSecret ?? ''}`;
      if (built?.key !== key) {
        const client = (async () => BUILD[p.id](creds, endpoints))();
        built = { key, client };
        client.catch(() => {
          if (built?.client === client) built = undefined;
        });
      }
      return built.client;
    };
    return [p.id, get] as const;
  });
  return Object.fromEntries(entries) as unknown as ProviderClients;
}

/**
 * The providers' clients from the local configuration (lib/config.ts): a provider whose
 * client id is not set fails with the variable to set when it is first asked for.
 */
export function providerClientsFromConfig(config: Config): ProviderClients {
  return providerClients(async (provider) => connectedProvider(provider)!.credentialsFromConfig(config), endpointsOf(config));
}

/**
 * Revocation of a provider's grants for disconnect: the provider's consent client, asked
 * only for a provider whose grant Sinew revokes (the registry's `grant.revocable`).
 */
export function grantRevoker(providers: ProviderClients): (provider: ConnectedProvider) => Promise<TokenRevoker> {
  return async (provider) => {
    const { consent } = await providers[provider]();
    if (!consent.revoke) throw new ConfigError(`${connectedProvider(provider)!.label} offers no revocation to Sinew`);
    return { revoke: (token) => consent.revoke!(token) };
  };
}
