import * as z from 'zod';
import { ConfigError } from './errors.ts';

const url = z.url({ message: 'expected an absolute URL such as https://example.com/path' });

/**
 * Environment configuration (DESIGN section 6), validated once at start-up. Endpoints
 * default to the real providers and can be pointed at national clouds, proxies or the
 * test emulators.
 */
export const configSchema = z.object({
  SINEW_GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  SINEW_GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  SINEW_GOOGLE_AUTH_URL: url.default('https://accounts.google.com/o/oauth2/v2/auth'),
  SINEW_GOOGLE_TOKEN_URL: url.default('https://oauth2.googleapis.com/token'),
  SINEW_GOOGLE_API_ROOT: url.default('https://www.googleapis.com/'),
  SINEW_MS_CLIENT_ID: z.string().min(1).optional(),
  SINEW_MS_CLIENT_SECRET: z.string().min(1).optional(),
  SINEW_MS_AUTHORITY: url.default('https://login.microsoftonline.com/common'),
  SINEW_GRAPH_BASE_URL: url.default('https://graph.microsoft.com/v1.0'),
  /** A DynamoDB endpoint; unset locally means the embedded store. */
  SINEW_DYNAMODB_ENDPOINT: url.optional(),
  SINEW_TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name').default('sinew'),
  /** Local sending, e.g. smtp://127.0.0.1:2525. */
  SINEW_SMTP_URL: z.url({ protocol: /^smtps?$/, message: 'expected an smtp:// or smtps:// URL' }).optional(),
  SINEW_REPORT_FROM: z.email({ message: 'expected an email address' }).default('sinew@localhost.localdomain'),
  /**
   * Base of the signed links in a sent report (`<base>/l/<token>`): where `sinew serve`
   * would answer them locally. Plain http only on loopback.
   */
  SINEW_BASE_URL: z
    .url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL such as http://127.0.0.1:8787' })
    .default('http://127.0.0.1:8787'),
});

export type Config = z.infer<typeof configSchema>;

/**
 * Reads and validates the configuration. A bad value stops the program with the
 * variable's name and what was expected.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('SINEW_') && v !== undefined && v !== ''),
  );
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`${name}: ${issue.message} (got '${picked[name] ?? ''}')`);
  }
  return parsed.data;
}
