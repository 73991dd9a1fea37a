import { providerConsents, type ProviderConsents } from '#lib/providers/consents.ts';
import { CONNECTED_PROVIDERS, type ConnectedProvider, type ProviderConsent } from '#lib/providers/registry.ts';
import { ConfigError } from '#lib/errors.ts';
import { lambdaEndpoints } from './env.ts';
import { logger } from './observability.ts';
import { perRuntime, type Runtime } from './runtime.ts';

/**
 * The providers' consent clients of the connect function: credentials from the runtime's
 * Secrets Manager secrets, endpoints from the environment; built once per runtime (per
 * cold start), each provider's on first use, and again when its secret changes.
 */
export const runtimeConsents = perRuntime((runtime): ProviderConsents => providerConsents(runtime.oauthClient, lambdaEndpoints(runtime.env)));

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
  const consents = runtimeConsents(runtime);
  return Object.fromEntries(providers.map((p) => [p, consents[p]]));
}
