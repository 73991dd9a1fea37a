import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// Lambda sets the region; the handlers' SDK clients read it.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_REGION = 'eu-west-1';
});

import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaEnv } from '#functions/shared/env.ts';
import { getRuntime, setRuntimeForTests } from '#functions/shared/runtime.ts';
import { FUNCTION_NAMES, type FunctionName } from '#infra/bundling.ts';
import { ConfigError } from '#lib/errors.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { TEST_CLIENT } from '#test/support/google/world.ts';
import { fakeKms, type FakeKms } from './fake-kms.ts';
import { deployedStack, type DeployedStack } from '#test/support/service-world.ts';

/**
 * The production runtime builder (functions/shared/runtime.ts `getRuntime`), run as each
 * function runs it in Lambda: from nothing but the environment the synthesized stack gives
 * that function. DynamoDB is dynalite (its endpoint the one variable added, as
 * SINEW_DYNAMODB_ENDPOINT); KMS and Secrets Manager, which have no local stand-in, are
 * mocked at the SDK.
 */
let db: TestDynamo;
let stack: DeployedStack;
let kms: FakeKms;
const secrets = mockClient(SecretsManagerClient);
const secretReads: string[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  db = await startTestDynamo();
  stack = deployedStack(db.tableName);
  kms = fakeKms(randomBytes(32));
  const values = new Map([...stack.secrets.values()].map((s) => [s.arn, s.value]));
  // The admin filled the Google client; the Microsoft one still holds its deploy placeholder.
  const google = [...stack.secrets.entries()].find(([id]) => id.startsWith('SecretsGoogleClient'))![1];
  values.set(google.arn, JSON.stringify(TEST_CLIENT));
  secrets.on(GetSecretValueCommand).callsFake(async (input: { SecretId: string }) => {
    secretReads.push(input.SecretId);
    const value = values.get(input.SecretId);
    if (value === undefined) throw new ResourceNotFoundException({ message: `Secrets Manager can't find ${input.SecretId}`, $metadata: {} });
    return { ARN: input.SecretId, SecretString: value };
  });
}, 30_000);
afterEach(() => {
  setRuntimeForTests(undefined);
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});
afterAll(async () => {
  kms.restore();
  secrets.restore();
  await db.close();
});

/** As Lambda starts the function: its stack environment (plus dynalite's endpoint), nothing cached. */
function coldStart(name: FunctionName): Record<string, string> {
  const env = { ...stack.functions.get(name)!.env, SINEW_DYNAMODB_ENDPOINT: db.dynamo.endpoint };
  Object.assign(process.env, env);
  setRuntimeForTests(undefined);
  clearCaches();
  kms.calls.length = 0;
  secretReads.length = 0;
  return env;
}

describe('getRuntime in each function, from the environment the stack sets', () => {
  it.each(FUNCTION_NAMES.map((name) => [name]))('%s', async (name) => {
    const env = coldStart(name);
    const runtime = getRuntime();
    expect(getRuntime()).toBe(runtime); // built once per execution environment
    expect(runtime.env).toEqual(lambdaEnv(env));

    // The store is the stack's table, reached at the configured endpoint.
    const email = `${name}@example.com`;
    const userId = userIdFor(email);
    await runtime.store.putUser({ userId, email, timeZone: 'Europe/Paris', me: [], internalDomains: [], reportsPaused: false, createdAt: '2026-11-23T07:00:00.000Z' });
    expect(await db.store().getUser(userId)).toMatchObject({ userId, email });

    // Tokens: sealed and opened under the stack's token key and the account's context, or refused by name.
    const context = { userId, accountId: `google-${name}` };
    if (env.SINEW_TOKEN_KEY_ARN) {
      const sealed = await runtime.vault.seal('refresh-token', context);
      expect(await runtime.vault.open(sealed, context)).toBe('refresh-token');
      expect(kms.calls.map((c) => [c.op, c.keyId, c.context])).toEqual([
        ['GenerateDataKey', env.SINEW_TOKEN_KEY_ARN, context],
        ['Decrypt', env.SINEW_TOKEN_KEY_ARN, context],
      ]);
    } else {
      await expect(runtime.vault.seal('refresh-token', context)).rejects.toThrow(/SINEW_TOKEN_KEY_ARN is not set/);
      await expect(runtime.vault.open('sv1.kms.x', context)).rejects.toThrow(ConfigError);
    }

    // Secrets: read by the ARN the stack passes, parsed, cached; a placeholder says how to fill it.
    if (env.SINEW_GOOGLE_SECRET_ARN) {
      expect(await runtime.oauthClient('google')).toEqual(TEST_CLIENT);
      expect(await runtime.oauthClient('google')).toEqual(TEST_CLIENT);
      expect(secretReads.filter((arn) => arn === env.SINEW_GOOGLE_SECRET_ARN)).toHaveLength(1);
    } else {
      await expect(runtime.oauthClient('google')).rejects.toThrow(/SINEW_GOOGLE_SECRET_ARN is not set/);
    }
    if (env.SINEW_MICROSOFT_SECRET_ARN) await expect(runtime.oauthClient('microsoft')).rejects.toThrow(/microsoft OAuth secret is not filled in/);
    if (env.SINEW_LINK_SECRET_ARN) expect((await runtime.linkSecret()).length).toBeGreaterThanOrEqual(32);
    else await expect(runtime.linkSecret()).rejects.toThrow(/SINEW_LINK_SECRET_ARN is not set/);
    expect(await runtime.sqs.config.region()).toBe('eu-west-1');
  });

  it('refuses a bad environment naming the variable, before any client is built', () => {
    coldStart('connect');
    process.env.SINEW_DYNAMODB_ENDPOINT = 'not a url';
    expect(() => getRuntime()).toThrow(/SINEW_DYNAMODB_ENDPOINT/);
    delete process.env.SINEW_TABLE_NAME;
    delete process.env.SINEW_DYNAMODB_ENDPOINT;
    expect(() => getRuntime()).toThrow(/SINEW_TABLE_NAME/);
  });
});
