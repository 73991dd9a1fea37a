import type { Config } from '#lib/config.ts';
import { ConfigError } from '#lib/errors.ts';
import { googleConsentFor } from '#lib/providers/google/consent.ts';
import { byCredentials } from './client-cache.ts';
import { endpointsOf } from './endpoints.ts';
import { connectedProvider, type ConnectedProvider, type OAuthClientCredentials, type ProviderEndpoints, type TokenRevoker } from './registry.ts';

/**
 * Revocation of a grant at the providers whose grant Sinew revokes (the registry's
 * `grant.revocable`: Google), for disconnect, on Node's fetch: the links function bundles
 * no provider library.
 */
const BUILD: Readonly<Partial<Record<ConnectedProvider, (credentials: OAuthClientCredentials, endpoints: ProviderEndpoints) => TokenRevoker>>> = {
  google: googleConsentFor,
};

/**
 * Each revocable provider's revoker, built on first use (its OAuth secret read only
 * then) and again when its credentials change.
 * @throws ConfigError for a provider that offers Sinew no revocation (disconnect never asks one)
 */
export function grantRevoker(
  credentials: (provider: ConnectedProvider) => Promise<OAuthClientCredentials>,
  endpoints: ProviderEndpoints,
): (provider: ConnectedProvider) => Promise<TokenRevoker> {
  const revoker = byCredentials(credentials, (provider, creds) => BUILD[provider]!(creds, endpoints));
  return async (provider) => {
    if (!connectedProvider(provider)!.grant.revocable || !BUILD[provider]) throw new ConfigError(`${connectedProvider(provider)!.label} offers no revocation to Sinew`);
    return revoker(provider);
  };
}

/** The revoker from the local configuration (`sinew serve`). */
export function grantRevokerFromConfig(config: Config): (provider: ConnectedProvider) => Promise<TokenRevoker> {
  return grantRevoker(async (provider) => connectedProvider(provider)!.credentialsFromConfig(config), endpointsOf(config));
}
