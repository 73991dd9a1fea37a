import { providerClients, type ProviderClients } from '#lib/providers/account-sources.ts';
import { lambdaEndpoints } from './env.ts';
import { perRuntime } from './runtime.ts';

/**
 * The providers' sync clients of the sync worker: credentials from the
 * runtime's Secrets Manager secrets, endpoints from the environment. Built once per
 * runtime (per cold start); each provider's on first use, and again when its secret
 * changes (a rotated client secret is picked up). The connect and links functions build
 * only the parts they need (./consents.ts, and links' revoker), so they bundle no API client.
 */
export const runtimeProviders = perRuntime((runtime): ProviderClients => providerClients(runtime.oauthClient, lambdaEndpoints(runtime.env)));
