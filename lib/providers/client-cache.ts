import type { ConnectedProvider, OAuthClientCredentials } from './registry.ts';

/**
 * A provider's client built from its OAuth app's credentials (Secrets Manager in AWS, read
 * through a cache; the environment locally) on first use, and kept while the credentials
 * stay the same: built again when they change (a rotated client secret is picked up). A
 * failed build is not kept, so the next use tries again.
 */
export function byCredentials<T>(
  credentials: (provider: ConnectedProvider) => Promise<OAuthClientCredentials>,
  build: (provider: ConnectedProvider, credentials: OAuthClientCredentials) => T | Promise<T>,
): (provider: ConnectedProvider) => Promise<T> {
  const built = new Map<ConnectedProvider, { key: string; client: Promise<T> }>();
  return async (provider) => {
    const creds = await credentials(provider);
    const key = `${creds.clientId}\n${creds.clientSecret ?? ''}`;
    const kept = built.get(provider);
    if (kept?.key === key) return kept.client;
    const client = (async () => build(provider, creds))();
    built.set(provider, { key, client });
    client.catch(() => {
      if (built.get(provider)?.client === client) built.delete(provider);
    });
    return client;
  };
}
