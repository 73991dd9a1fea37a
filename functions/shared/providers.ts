import { CONNECTED_PROVIDERS, type ConnectedProvider, type ProviderConsent } from '#lib/providers/registry.ts';
import { providerClients, providerEndpointsFromEnv, type ProviderClients, type ProviderEndpoints } from '#lib/providers/account-sources.ts';
import { ConfigError } from '#lib/errors.ts';
import type { LambdaEnv } from './env.ts';
import { logger } from './observability.ts';
import { perRuntime, type Runtime } from './runtime.ts';

/**
 * The providers' clients of the functions that talk to providers (connect, links, the
 * sync worker): credentials from the runtime's Secrets Manager secrets, endpoints from the
 * environment. Built once per runtime (per cold start); each provider's clients on first
 * use, and again when its secret changes (a rotated client secret is picked up).
 */
export const runtimeProviders = perRuntime((runtime): ProviderClients => providerClients(runtime.oauthClient, lambdaEndpoints(runtime.env)));

/**
 * Where the providers are for a function: Microsoft's authority and Graph from the stack's
 * environment (the admin's `msAuthority`, `graphBaseUrl`); Google's endpoints, which the
 * stack never sets, from the process environment (a proxy or the emulators); each with
 * lib/config.ts's default, the real provider.
 */
export function lambdaEndpoints(env: LambdaEnv, processEnv: Record<string, string | undefined> = process.env): ProviderEndpoints {
  return providerEndpointsFromEnv({
    ...processEnv,
    SINEW_MS_AUTHORITY: env.SINEW_MS_AUTHORITY,
    ...(env.SINEW_GRAPH_BASE_URL ? { SINEW_GRAPH_BASE_URL: env.SINEW_GRAPH_BASE_URL } : {}),
  });
}

/**
 * The providers whose OAuth secret the admin has filled. The stack creates every secret
 * with a placeholder; a provider whose secret still holds it gets no button (and its
 * paths answer "not configured") instead of a button that can only fail. Read through
 * the runtime's 5-minute cache, so filling a secret shows its button within minutes.
 */
export async function filledProviders(runtime: Runtime): Promise<ConnectedProvider[]> {
  const filled: ConnectedProvider[] = [];
  for (const provider of CONNECTED_PROVIDERS) {
    const secretArn = runtime.env[provider.secretArnVariable];
    if (!secretArn) continue;
    try {
      await runtime.oauthClient(provider.id);
      filled.push(provider.id);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      logger.warn('OAuth client secret not filled: provider hidden', { provider: provider.id, secretArn });
    }
  }
  return filled;
}

/** The consent of each of `providers`, as the connect page takes them. */
export function consentsOf(runtime: Runtime, providers: readonly ConnectedProvider[]): Partial<Record<ConnectedProvider, () => Promise<ProviderConsent>>> {
  const clients = runtimeProviders(runtime);
  return Object.fromEntries(providers.map((p) => [p, async () => (await clients[p]()).consent]));
}
