import * as z from 'zod';
import { ConfigError } from '#lib/errors.ts';
import { providerEndpointsFromEnv } from '#lib/providers/endpoints.ts';
import type { ProviderEndpoints } from '#lib/providers/registry.ts';

/**
 * The Lambda environment: the contract between `infra/` (which sets these) and the
 * handlers (which read them once at cold start). Secrets are never here: only the ARNs
 * of the Secrets Manager secrets that hold them.
 */
export const lambdaEnvSchema = z.object({
  SINEW_TABLE_NAME: z.string().min(3),
  /** Another DynamoDB endpoint (a local one); unset in AWS, where the SDK finds the regional one. */
  SINEW_DYNAMODB_ENDPOINT: z.url().optional(),
  /** KMS key (ARN) that envelope-encrypts refresh tokens. */
  SINEW_TOKEN_KEY_ARN: z.string().startsWith('arn:').optional(),
  SINEW_SYNC_QUEUE_URL: z.url().optional(),
  SINEW_REPORT_QUEUE_URL: z.url().optional(),
  SINEW_BRIEF_QUEUE_URL: z.url().optional(),
  /** Secrets Manager secret with `{"clientId": "...", "clientSecret": "..."}`. */
  SINEW_GOOGLE_SECRET_ARN: z.string().startsWith('arn:').optional(),
  SINEW_MICROSOFT_SECRET_ARN: z.string().startsWith('arn:').optional(),
  /** Secrets Manager secret (generated at deploy) keying signed state and links. */
  SINEW_LINK_SECRET_ARN: z.string().startsWith('arn:').optional(),
  /** Public base URL of the HTTP API (`https://...`), for links in emails. */
  SINEW_BASE_URL: z.url().optional(),
  /** Sender address (an SES-verified identity). */
  SINEW_SENDER: z.email().optional(),
  SINEW_SES_CONFIGURATION_SET: z.string().min(1).optional(),
  /**
   * The SES account's sending rate (messages a second; CDK context `sesSendRate`): the report
   * worker spaces its sends by it (lib/mail/pace.ts). Unset, sends are not spaced.
   */
  SINEW_SES_SEND_RATE: z.coerce.number().int().min(1).optional(),
  /**
   * Who may sign up: comma-separated email domains, or `*` for anyone. Empty (or unset)
   * admits nobody: "anyone" is the admin's explicit choice (CDK context `allowedDomains`).
   */
  SINEW_ALLOWED_DOMAINS: z.string().default(''),
  /**
   * Minutes between sync ticks, as the `syncSchedule` rate says (a cron schedule keeps
   * the default): the dispatcher's tick slots, so a retried run sends the same jobs.
   */
  SINEW_SYNC_INTERVAL_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  /** Local hour on Monday when weekly reports go out. */
  SINEW_REPORT_HOUR: z.coerce.number().int().min(0).max(23).default(7),
  /** Local hour each day when meeting briefs go out (DESIGN section 9). */
  SINEW_BRIEF_HOUR: z.coerce.number().int().min(0).max(23).default(7),
  /**
   * The team view (DESIGN section 10; CDK context `team=on`): `on` in the report worker and
   * the links function of a deployment that turned it on.
   */
  SINEW_TEAM: z.enum(['on', 'off']).optional(),
  /** Microsoft authority (tenant) for sign-in, default the multi-tenant `common`. */
  SINEW_MS_AUTHORITY: z.url().default('https://login.microsoftonline.com/common'),
  /** Microsoft Graph root with its version (the sync worker; lib/config.ts has the default). */
  SINEW_GRAPH_BASE_URL: z.url().optional(),
});
export type LambdaEnv = z.infer<typeof lambdaEnvSchema>;

/** Reads the environment once; a missing or bad value names the variable. */
export function lambdaEnv(env: Record<string, string | undefined> = process.env): LambdaEnv {
  const parsed = lambdaEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0] ?? 'environment')}: ${issue.message}`);
  }
  return parsed.data;
}

/** A value the handler cannot do without. */
export function required<K extends keyof LambdaEnv>(env: LambdaEnv, key: K): NonNullable<LambdaEnv[K]> {
  const value = env[key];
  if (value === undefined || value === '') throw new ConfigError(`${key} is not set: the stack must pass it to this function`);
  return value as NonNullable<LambdaEnv[K]>;
}

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
