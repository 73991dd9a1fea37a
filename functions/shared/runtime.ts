import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';
import { ConfigError } from '#lib/errors.ts';
import { KmsTokenVault } from '#lib/connect/kms-token-vault.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { connectedProvider, type ConnectedProvider } from '#lib/providers/registry.ts';
import { makeDynamoClient } from '#lib/store/dynamodb/client.ts';
import { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { lambdaEnv, required, type LambdaEnv } from './env.ts';

/**
 * What every handler needs, built once per cold start and reused across invocations:
 * the environment, the store, the token vault, the SQS client and the secrets (cached by
 * Powertools Parameters for 5 minutes, so a rotated secret is picked up without a deploy).
 * What only some functions need and is costly to load or build (the providers' clients,
 * the SES mailer) is built from it once per runtime by {@link perRuntime}, in
 * ./providers.ts and ./mail.ts, so a function that never uses it never bundles it.
 * Tests replace any part through {@link setRuntimeForTests}.
 */
export interface Runtime {
  env: LambdaEnv;
  store: DynamoStore;
  vault: TokenVault;
  sqs: SQSClient;
  /** `{ clientId, clientSecret }` of a provider's OAuth app. */
  oauthClient(provider: ConnectedProvider): Promise<OAuthClientSecret>;
  /** The key of signed OAuth state and signed links (at least 32 bytes). */
  linkSecret(): Promise<Uint8Array>;
}

const oauthClientSchema = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) });
export type OAuthClientSecret = z.infer<typeof oauthClientSchema>;

const SECRET_MAX_AGE_S = 300;

let runtime: Runtime | undefined;

/** The runtime for this execution environment (built on first use). */
export function getRuntime(): Runtime {
  runtime ??= buildRuntime(lambdaEnv());
  return runtime;
}

/** Replaces the runtime (tests: dynalite, emulators, mocked AWS clients); `undefined` resets. */
export function setRuntimeForTests(value: Runtime | undefined): void {
  runtime = value;
}

/**
 * A part built from a runtime on first use and kept with it: once per cold start in
 * Lambda, and afresh for each runtime a test swaps in.
 */
export function perRuntime<T>(build: (runtime: Runtime) => T): (runtime: Runtime) => T {
  const built = new WeakMap<Runtime, T>();
  return (runtime) => {
    if (!built.has(runtime)) built.set(runtime, build(runtime));
    return built.get(runtime)!;
  };
}

function buildRuntime(env: LambdaEnv): Runtime {
  const store = new DynamoStore({
    client: makeDynamoClient(env.SINEW_DYNAMODB_ENDPOINT ? { endpoint: env.SINEW_DYNAMODB_ENDPOINT } : {}),
    tableName: env.SINEW_TABLE_NAME,
  });
  const vault: TokenVault = env.SINEW_TOKEN_KEY_ARN
    ? new KmsTokenVault(new KMSClient({}), env.SINEW_TOKEN_KEY_ARN)
    : {
        seal: () => Promise.reject(new ConfigError('SINEW_TOKEN_KEY_ARN is not set: this function cannot seal tokens')),
        open: () => Promise.reject(new ConfigError('SINEW_TOKEN_KEY_ARN is not set: this function cannot open tokens')),
      };
  return {
    env,
    store,
    vault,
    sqs: new SQSClient({}),
    oauthClient: async (provider) => {
      const arn = required(env, connectedProvider(provider)!.secretArnVariable);
      return parseOAuthClientSecret(await getSecret(arn, { maxAge: SECRET_MAX_AGE_S }), provider);
    },
    linkSecret: async () => parseLinkSecret(await getSecret(required(env, 'SINEW_LINK_SECRET_ARN'), { maxAge: SECRET_MAX_AGE_S })),
  };
}

/** Reads an OAuth client secret; an unfilled secret says how to fill it. */
export function parseOAuthClientSecret(value: unknown, provider: string): OAuthClientSecret {
  let raw: unknown = value;
  if (typeof value === 'string') {
    try {
      raw = JSON.parse(value);
    } catch {
      raw = undefined;
    }
  }
  const parsed = oauthClientSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`the ${provider} OAuth secret is not filled in: put {"clientId":"...","clientSecret":"..."} in it (README, Deploying)`);
  }
  return parsed.data;
}

/** The link key from its secret string (CDK generates 64 characters). */
export function parseLinkSecret(value: unknown): Uint8Array {
  if (typeof value !== 'string' || value.length < 32) {
    throw new ConfigError('the link signing secret is missing or shorter than 32 characters');
  }
  return Buffer.from(value, 'utf8');
}
