import { loadConfig, type Config } from '#lib/config.ts';
import type { ProviderEndpoints } from './registry.ts';

/**
 * The endpoints a validated configuration names (its defaults: the real providers), for
 * the CLI, which reads its whole configuration.
 */
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
