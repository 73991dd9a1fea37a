import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '#functions/connect.ts';
import { lambdaEnv } from '#functions/shared/env.ts';
import { logger } from '#functions/shared/observability.ts';
import { getRuntime, parseOAuthClientSecret, setRuntimeForTests } from '#functions/shared/runtime.ts';
import { OAUTH_SECRET_PLACEHOLDER } from '#infra/constructs/secrets.ts';
import { KmsTokenVault } from '#lib/connect/kms-token-vault.ts';
import { tokenContext } from '#lib/connect/accounts.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { syncJobDedupId, syncJobSchema } from '#lib/queue/jobs.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { GoogleOAuthEmulator, serveOnLoopback } from '#test/support/google/oauth-emulator.ts';
import { TEST_CLIENT } from '#test/support/google/world.ts';
import { lambdaContext as fakeContext } from '#test/support/lambda.ts';

/**
 * The connect Lambda as API Gateway invokes it: HTTP API (payload 2.0) events, a real
 * dynalite table, the Google OAuth emulator, and the two AWS services without a local
 * stand-in mocked: KMS (the token vault's data keys) and SQS (the FIFO sync queue).
 */
const DOMAIN = 'abc123def4.execute-api.eu-west-1.amazonaws.com';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/sinew-sync.fifo';
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-22bb-33cc-44dd-555555eeeeee';
const COOKIE = '__Host-sinew-connect-google';

function httpEvent(path: string, query: Record<string, string> = {}, cookies: string[] = []): APIGatewayProxyEventV2 {
  const routeKey = path === '/' ? 'GET /' : path.startsWith('/connect/') ? 'GET /connect/{provider}' : 'GET /oauth/{provider}/callback';
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers: { host: DOMAIN, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)', accept: 'text/html', 'x-forwarded-proto': 'https' },
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123def4',
      domainName: DOMAIN,
      domainPrefix: 'abc123def4',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' },
      requestId: `req-${randomBytes(4).toString('hex')}`,
      routeKey,
      stage: '$default',
      time: '23/Nov/2026:09:30:00 +0000',
      timeEpoch: Date.UTC(2026, 10, 23, 9, 30),
    },
    isBase64Encoded: false,
  };
}

const context = fakeContext({ functionName: 'sinew-connect', memoryMb: 256, requestId: 'c0ffee00-0000-4000-8000-000000000001', remainingMs: () => 10_000 });

async function invoke(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
}

describe('functions/connect handler', () => {
  let dynamo: TestDynamo;
  let server: { url: string; close(): Promise<void> };
  const emulator = new GoogleOAuthEmulator({ ...TEST_CLIENT, redirectUris: [`https://${DOMAIN}/oauth/google/callback`] });
  const kms = mockClient(KMSClient);
  const sqs = mockClient(SQSClient);
  const dataKey = randomBytes(32);
  const wrapped = randomBytes(48);
  const vault = new KmsTokenVault(new KMSClient({ region: 'eu-west-1' }), KEY_ARN);
  const saved = { auth: process.env.SINEW_GOOGLE_AUTH_URL, token: process.env.SINEW_GOOGLE_TOKEN_URL };

  beforeAll(async () => {
    dynamo = await startTestDynamo();
    server = await serveOnLoopback(emulator.handle);
    process.env.SINEW_GOOGLE_AUTH_URL = `${server.url}/o/oauth2/v2/auth`;
    process.env.SINEW_GOOGLE_TOKEN_URL = `${server.url}/token`;
    // The vault wipes each plaintext data key after use: hand out copies.
    kms.on(GenerateDataKeyCommand).callsFake(async () => ({ Plaintext: Uint8Array.from(dataKey), CiphertextBlob: Uint8Array.from(wrapped), KeyId: KEY_ARN }));
    kms.on(DecryptCommand).callsFake(async (input: { CiphertextBlob?: Uint8Array }) => {
      if (!Buffer.from(input.CiphertextBlob ?? []).equals(wrapped)) throw Object.assign(new Error('bad blob'), { name: 'InvalidCiphertextException' });
      return { Plaintext: Uint8Array.from(dataKey), KeyId: KEY_ARN };
    });
    const secret = randomBytes(32);
    setRuntimeForTests({
      env: lambdaEnv({
        SINEW_TABLE_NAME: dynamo.tableName,
        SINEW_TOKEN_KEY_ARN: KEY_ARN,
        SINEW_SYNC_QUEUE_URL: QUEUE_URL,
        SINEW_GOOGLE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:sinew/google-AbCdEf',
        SINEW_LINK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:sinew/link-AbCdEf',
        SINEW_ALLOWED_DOMAINS: 'acme.com, example.org',
      }),
      store: dynamo.store(),
      vault,
      sqs: new SQSClient({ region: 'eu-west-1' }),
      oauthClient: async () => TEST_CLIENT,
      linkSecret: async () => secret,
    });
  });
  afterEach(() => {
    sqs.reset();
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    setRuntimeForTests(undefined);
    kms.restore();
    sqs.restore();
    if (saved.auth === undefined) delete process.env.SINEW_GOOGLE_AUTH_URL;
    else process.env.SINEW_GOOGLE_AUTH_URL = saved.auth;
    if (saved.token === undefined) delete process.env.SINEW_GOOGLE_TOKEN_URL;
    else process.env.SINEW_GOOGLE_TOKEN_URL = saved.token;
    await server?.close();
    await dynamo?.close();
  });

  /** GET /connect/google (with `query` and the browser's `cookies`), the emulator's consent, and the callback event carrying the browser's cookies. */
  async function throughConsent(email: string, query: Record<string, string> = {}, cookies: string[] = []): Promise<APIGatewayProxyEventV2> {
    emulator.user = { email, sub: `sub-${email}` };
    const start = await invoke(httpEvent('/connect/google', { tz: 'Europe/Paris', ...query }, cookies));
    expect(start.statusCode, start.body).toBe(302);
    const cookie = start.cookies!.find((c) => c.startsWith(`${COOKIE}=`))!.split(';')[0]!;
    const consent = await fetch(start.headers!.location as string, { redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    expect(back.origin).toBe(`https://${DOMAIN}`);
    return httpEvent(back.pathname, Object.fromEntries(back.searchParams), [...cookies, cookie]);
  }

  it('serves the connect page with the configured provider only', async () => {
    const res = await invoke(httpEvent('/'));
    expect(res.statusCode).toBe(200);
    expect(res.headers!['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('Connect Google');
    expect(res.body).not.toContain('Connect Microsoft 365');
  });

  it('connects through the Google emulator: KMS-sealed token stored, one FIFO sync job sent', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm-1', MD5OfMessageBody: '' }], Failed: [] });
    const callback = await throughConsent('ann@acme.com');
    const res = await invoke(callback);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('Connected ann@acme.com');
    expect(res.cookies).toEqual([`${COOKIE}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax`, expect.stringMatching(/^__Host-sinew-join=[^;]+; Max-Age=900; Path=\/; Secure; HttpOnly; SameSite=Lax$/)]);

    const userId = userIdFor('ann@acme.com');
    expect(await dynamo.store().getUser(userId)).toMatchObject({ email: 'ann@acme.com', timeZone: 'Europe/Paris' });
    const [account] = await dynamo.store().listAccounts(userId);
    const refreshToken = emulator.issuedRefreshTokens.at(-1)!;
    expect(account!.encryptedToken).toMatch(/^sv1\.kms\./);
    expect(account!.encryptedToken).not.toContain(refreshToken);
    expect(await vault.open(account!.encryptedToken!, tokenContext(account!))).toBe(refreshToken);
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input).toMatchObject({
      KeyId: KEY_ARN,
      EncryptionContext: { userId, accountId: account!.accountId },
    });

    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.QueueUrl).toBe(QUEUE_URL);
    expect(input.Entries).toHaveLength(1);
    const entry = input.Entries![0]!;
    const job = syncJobSchema.parse(JSON.parse(entry.MessageBody!));
    expect(job).toMatchObject({ v: 1, userId, accountId: account!.accountId, reason: 'connected' });
    expect(Date.parse(job.slot)).not.toBeNaN();
    expect(entry.MessageGroupId).toBe(account!.accountId);
    expect(entry.MessageDeduplicationId).toBe(syncJobDedupId(job));
  });

  it('answers every route normally when a cookie has a broken percent-encoding (API Gateway hands cookies over raw)', async () => {
    const cookies = ['stray=%E0%A4%A', `${COOKIE}=%E0%A4%A`];
    expect((await invoke(httpEvent('/', {}, cookies))).statusCode).toBe(200);
    expect((await invoke(httpEvent('/connect/google', {}, cookies))).statusCode).toBe(302);
    const callback = await invoke(httpEvent('/oauth/google/callback', { code: 'c', state: 's' }, cookies));
    expect(callback.statusCode).toBe(400);
    expect(callback.body).not.toContain('Something went wrong');
  });

  it('applies SINEW_ALLOWED_DOMAINS to a new person', async () => {
    const res = await invoke(await throughConsent('someone@gmail.com'));
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('acme.com, example.org only');
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('admits nobody new when SINEW_ALLOWED_DOMAINS is empty, and anyone when it is "*"', async () => {
    const original = getRuntime();
    try {
      setRuntimeForTests({ ...original, env: { ...original.env, SINEW_ALLOWED_DOMAINS: '' } });
      const closed = await invoke(await throughConsent('first@anywhere.example'));
      expect(closed.statusCode).toBe(403);
      expect(closed.body).toContain('has not opened sign-up yet');
      expect(await dynamo.store().getUser(userIdFor('first@anywhere.example'))).toBeUndefined();

      sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm-2', MD5OfMessageBody: '' }], Failed: [] });
      setRuntimeForTests({ ...original, env: { ...original.env, SINEW_ALLOWED_DOMAINS: '*' } });
      const open = await invoke(await throughConsent('first@anywhere.example'));
      expect(open.statusCode, open.body).toBe(200);
      expect(await dynamo.store().getUser(userIdFor('first@anywhere.example'))).toMatchObject({ email: 'first@anywhere.example' });
    } finally {
      setRuntimeForTests(original);
    }
  });

  it('tells both addresses of a join through SES (sender and configuration set from the env), each with a link to undo it', async () => {
    const original = getRuntime();
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).callsFake(async () => ({ MessageId: `ses-${ses.commandCalls(SendEmailCommand).length}` }));
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm-3', MD5OfMessageBody: '' }], Failed: [] });
    try {
      setRuntimeForTests({ ...original, env: { ...original.env, SINEW_SENDER: 'reports@acme.com', SINEW_SES_CONFIGURATION_SET: 'sinew-events' } });
      const first = await invoke(await throughConsent('joe@acme.com'));
      expect(first.statusCode, first.body).toBe(200);
      const joinCookie = first.cookies!.find((c) => c.startsWith('__Host-sinew-join='))!.split(';')[0]!;
      const join = decodeURIComponent(/href="\/connect\/google\?join=([^"]+)"/.exec(first.body ?? '')![1]!);
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);

      const joined = await invoke(await throughConsent('joe.home@example.org', { join }, [joinCookie]));
      expect(joined.statusCode, joined.body).toBe(200);
      expect(joined.body).toContain('This mailbox joins the reports of <strong>joe@acme.com</strong>');
      const sent = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
      expect(sent.map((i) => i.Destination!.ToAddresses).sort()).toEqual([['joe.home@example.org'], ['joe@acme.com']]);
      for (const input of sent) {
        expect(input).toMatchObject({ FromEmailAddress: 'reports@acme.com', ConfigurationSetName: 'sinew-events' });
        expect(Buffer.from(input.Content!.Raw!.Data!).toString('utf8').replace(/=\r\n/g, '')).toMatch(new RegExp(`https://${DOMAIN.replace(/\./g, '\\.')}/l/[A-Za-z0-9_-]+\\.`));
      }
      // The same link in another browser (no join cookie): refused, nothing sent.
      const forwarded = await invoke(httpEvent('/connect/google', { join }));
      expect(forwarded.statusCode).toBe(400);
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
    } finally {
      ses.restore();
      setRuntimeForTests(original);
    }
  });

  it('hides a provider whose secret still holds the deploy placeholder, and says what to fill when none is filled', async () => {
    const original = getRuntime();
    const placeholder = (provider: string) => parseOAuthClientSecret(OAUTH_SECRET_PLACEHOLDER, provider);
    try {
      // Google filled, Microsoft's secret as deployed: no Microsoft button, its path not configured.
      setRuntimeForTests({
        ...original,
        env: { ...original.env, SINEW_MICROSOFT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:sinew/microsoft-AbCdEf' },
        oauthClient: async (provider) => (provider === 'google' ? TEST_CLIENT : placeholder(provider)),
      });
      const home = await invoke(httpEvent('/'));
      expect(home.body).toContain('Connect Google');
      expect(home.body).not.toContain('Connect Microsoft 365');
      expect((await invoke(httpEvent('/connect/microsoft'))).statusCode).toBe(404);
      // Neither filled: a page naming the secrets to fill, not a generic 500.
      setRuntimeForTests({ ...original, oauthClient: async (provider) => placeholder(provider) });
      const none = await invoke(httpEvent('/'));
      expect(none.statusCode).toBe(503);
      expect(none.body).toContain('GoogleClientSecretArn');
      expect(none.body).not.toContain('Something went wrong');
    } finally {
      setRuntimeForTests(original);
    }
  });

  it('answers a generic 500 page and logs the error class without addresses when a part fails', async () => {
    const error = vi.spyOn(logger, 'error');
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('not authorized to send for bo@acme.com'), { name: 'AccessDeniedException' }));
    const res = await invoke(await throughConsent('bo@acme.com'));
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain('Something went wrong');
    expect(res.body).not.toContain('AccessDenied');
    expect(error).toHaveBeenCalledWith('connect request failed', expect.objectContaining({ errorName: 'AccessDeniedException' }));
    expect(JSON.stringify(error.mock.calls)).not.toContain('bo@acme.com');
  });
});
