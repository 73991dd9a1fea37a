import type { Config } from '#lib/config.ts';
import { googleConsentFor } from '#lib/providers/google/consent.ts';
import { byCredentials } from './client-cache.ts';
import { endpointsOf } from './endpoints.ts';
import { CONNECTED_PROVIDERS, connectedProvider, type ConnectedProvider, type OAuthClientCredentials, type ProviderConsent, type ProviderEndpoints } from './registry.ts';

/**
 * The providers' consent clients alone (the connect page, `sinew connect`, `sinew serve`):
 * Google's on Node's fetch (no Google library), Microsoft's on MSAL, without the API
 * clients of sync, so the connect function bundles no Gmail, Calendar or Graph client.
 */

/** Each connected provider's consent, built on first use and again when its credentials change. */
export type ProviderConsents = { readonly [P in ConnectedProvider]: () => Promise<ProviderConsent> };

/**
 * How each connected provider's consent client is built (its own folder knows how).
 * Microsoft's (MSAL) is loaded on first use, so a cold connect function evaluates MSAL
 * only for a Microsoft sign-in.
 */
const BUILD: Readonly<Record<ConnectedProvider, (credentials: OAuthClientCredentials, endpoints: ProviderEndpoints) => ProviderConsent | Promise<ProviderConsent>>> = {
  google: googleConsentFor,
  microsoft: async (credentials, endpoints) => (await import('#lib/providers/microsoft/oauth.ts')).msOAuthFor(credentials, endpoints),
};

export function providerConsents(credentials: (provider: ConnectedProvider) => Promise<OAuthClientCredentials>, endpoints: ProviderEndpoints): ProviderConsents {
  const consent = byCredentials(credentials, (provider, creds) => BUILD[provider](creds, endpoints));
  return Object.fromEntries(CONNECTED_PROVIDERS.map((p) => [p.id, () => consent(p.id)])) as unknown as ProviderConsents;
}

/** The consents from the local configuration: a provider without its client id fails, naming the variable, when first used. */
export function providerConsentsFromConfig(config: Config): ProviderConsents {
  return providerConsents(async (provider) => connectedProvider(provider)!.credentialsFromConfig(config), endpointsOf(config));
}
