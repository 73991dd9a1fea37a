import type { ChangeSource } from './types.ts';
import type { Account } from '#lib/store/types.ts';
import type { Config } from '#lib/config.ts';
import {
  CONNECTED_PROVIDERS,
  connectedProvider,
  type ConnectedProvider,
  type OAuthClientCredentials,
  type ProviderClient,
  type ProviderEndpoints,
  type SourceDeps,
} from './registry.ts';
import { byCredentials } from './client-cache.ts';
import { endpointsOf } from './endpoints.ts';
import { InputError, ReconnectRequiredError } from '#lib/errors.ts';

export type { ProviderEndpoints } from './registry.ts';
export { providerEndpointsFromEnv } from './endpoints.ts';

/**
 * The providers' sync clients (lib/providers/registry.ts has their facts; ./consents.ts
 * and ./revocation.ts build the consent and revocation the web functions and
 * `sinew connect` need): built from an OAuth app's credentials and the endpoints, shared by the CLI
 * (credentials from the environment) and the sync worker (from Secrets Manager).
 * Endpoints come with the clients, so the emulators, a proxy or a national cloud can
 * stand in for the providers.
 */

/**
 * How each connected provider's clients are built (its own folder knows how), loaded on
 * first use: a cold sync worker evaluates a provider's libraries (the Graph client;
 * googleapis and google-auth-library) only when an account of that provider comes.
 */
const BUILD: Readonly<Record<ConnectedProvider, (credentials: OAuthClientCredentials, endpoints: ProviderEndpoints) => Promise<ProviderClient>>> = {
  google: async (credentials, endpoints) => (await import('#lib/providers/google/client.ts')).googleClient(credentials, endpoints),
  microsoft: async (credentials, endpoints) => (await import('#lib/providers/microsoft/client.ts')).microsoftClient(credentials, endpoints),
};

/** Each connected provider's sync client, built on first use. */
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
 * Provider clients from an OAuth app's credentials (Secrets Manager in AWS, read through a
 * cache) and the endpoints. A provider's clients are kept while its credentials stay the
 * same, and built again when they change (a rotated client secret is picked up); a
 * failed build is not kept.
 */
export function providerClients(
  credentials: (provider: ConnectedProvider) => Promise<OAuthClientCredentials>,
  endpoints: ProviderEndpoints,
): ProviderClients {
  const client = byCredentials(credentials, (provider, creds) => BUILD[provider](creds, endpoints));
  return Object.fromEntries(CONNECTED_PROVIDERS.map((p) => [p.id, () => client(p.id)])) as unknown as ProviderClients;
}

/**
 * The providers' clients from the local configuration (lib/config.ts): a provider whose
 * client id is not set fails with the variable to set when it is first asked for.
 */
export function providerClientsFromConfig(config: Config): ProviderClients {
  return providerClients(async (provider) => connectedProvider(provider)!.credentialsFromConfig(config), endpointsOf(config));
}
