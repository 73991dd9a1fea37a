import { randomBytes } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '#functions/links.ts';
import { lambdaEnv } from '#functions/shared/env.ts';
import { setRuntimeForTests, type Runtime } from '#functions/shared/runtime.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import type { LinkedUser } from '#lib/links/actions.ts';
import { signLink, type LinkClaims } from '#lib/links/token.ts';
import { tokenContext } from '#lib/connect/accounts.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { aUser, anAccount } from '#test/links/fixtures.ts';
import { partition } from '#test/links/partition.ts';
import { lambdaContext as fakeContext } from '#test/support/lambda.ts';

const SECRET = 'k'.repeat(64);
const DOMAIN = 'abc123.execute-api.eu-west-1.amazonaws.com';
const ANN = 'ann@acme.com';

let db: TestDynamo;
let runtime: Runtime;
let userId: string;
let n = 0;
let stdout: string[];

beforeAll(async () => {
  db = await startTestDynamo();
});
afterAll(async () => db.close());
beforeEach(async () => {
  n += 1;
  userId = `u-fn-${n}`;
  runtime = {
    env: lambdaEnv({ SINEW_TABLE_NAME: db.tableName, SINEW_LINK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:links' }),
    store: db.store(),
    vault: LocalKeyVault.fromKey(randomBytes(32)),
    sqs: new SQSClient({ region: 'eu-west-1' }),
    oauthClient: vi.fn(async () => ({ clientId: 'id', clientSecret: 'secret' })),
    linkSecret: async () => Buffer.from(SECRET, 'utf8'),
  };
  setRuntimeForTests(runtime);
  await runtime.store.putUser(aUser(userId));
  // Powertools writes JSON lines to stdout (info) and stderr (errors): keep them for the checks.
  stdout = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0);
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  setRuntimeForTests(undefined);
});

function token(action: LinkClaims['action'], extra: Partial<Omit<LinkClaims, 'expiresAt'>> = {}): string {
  return signLink(Buffer.from(SECRET, 'utf8'), { action, userId, ...extra }, { now: Date.now() });
}

/** An API Gateway HTTP API (payload 2.0) event as the `/l/{token}` routes deliver it. */
function httpEvent(method: 'GET' | 'POST' | 'HEAD', linkToken: string, body?: { text: string; contentType?: string; base64?: boolean }): APIGatewayProxyEventV2 {
  const now = Date.now();
  const path = `/l/${linkToken}`;
  return {
    version: '2.0',
    routeKey: `${method} /l/{token}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      accept: 'text/html',
      host: DOMAIN,
      'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)',
      'x-forwarded-proto': 'https',
      ...(body ? { 'content-type': body.contentType ?? 'application/x-www-form-urlencoded' } : {}),
    },
    requestContext: {
      accountId: '111122223333',
      apiId: 'abc123',
      domainName: DOMAIN,
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'Mozilla/5.0' },
      requestId: `req-${n}`,
      routeKey: `${method} /l/{token}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    pathParameters: { token: linkToken },
    isBase64Encoded: body?.base64 ?? false,
    ...(body ? { body: body.base64 ? Buffer.from(body.text).toString('base64') : body.text } : {}),
  };
}

const context = fakeContext({ functionName: 'sinew-links', memoryMb: 256, remainingMs: () => 28_000 });

async function invoke(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
}

describe('functions/links', () => {
  it('GET answers the confirmation page and changes nothing', async () => {
    const before = await partition(db, userId);
    const res = await invoke(httpEvent('GET', token('mute', { contact: ANN })));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers?.['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.body).toContain(`action="https://${DOMAIN}/l/`);
    expect(await partition(db, userId)).toStrictEqual(before);
  });

  it('POST applies, and the logs carry ids, never the address or the token', async () => {
    const t = token('mute', { contact: ANN });
    const res = await invoke(httpEvent('POST', t, { text: '' }));
    expect(res.statusCode).toBe(200);
    expect(await runtime.store.listFeedback(userId)).toMatchObject([{ contact: ANN, action: 'mute' }]);
    const logs = stdout.join('');
    expect(logs).toContain('link applied');
    expect(logs).toContain(userId);
    expect(logs).toContain('sinew-links');
    expect(logs).not.toContain(ANN);
    expect(logs).not.toContain(t.split('.')[1]!);
  });

  it('applies a one-click unsubscribe whose body API Gateway base64-encoded', async () => {
    const res = await invoke(httpEvent('POST', token('unsubscribe'), { text: 'List-Unsubscribe=One-Click', base64: true }));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^text\/plain/);
    const user = (await runtime.store.getUser(userId)) as LinkedUser;
    expect(user.reportsPaused).toBe(true);
    expect(user.unsubscribedAt).toBeDefined();
  });

  it('takes the time zone from the posted form', async () => {
    const res = await invoke(httpEvent('POST', token('timezone'), { text: 'timeZone=Asia%2FTokyo' }));
    expect(res.statusCode).toBe(200);
    expect((await runtime.store.getUser(userId))!.timeZone).toBe('Asia/Tokyo');
    const bad = await invoke(httpEvent('POST', token('timezone'), { text: 'timeZone=Asia%2FAtlantis' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Asia/Atlantis');
  });

  it('refuses a tampered link with a 400 page', async () => {
    const t = token('pause');
    const res = await invoke(httpEvent('POST', `${t.slice(0, -3)}abc`, { text: '' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Nothing was changed');
    expect((await runtime.store.getUser(userId))!.reportsPaused).toBe(false);
  });

  it('disconnect deletes the partition, and does not reach Google for a token it cannot open', async () => {
    const google = anAccount(userId, 'google', 'pat@example.com');
    google.encryptedToken = await LocalKeyVault.fromKey(randomBytes(32)).seal('1//lost', tokenContext(google));
    await runtime.store.putAccount(google);
    await runtime.store.putFeedback(userId, { contact: ANN, action: 'fine', at: '2026-11-01T00:00:00.000Z' });
    const res = await invoke(httpEvent('POST', token('disconnect'), { text: '' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('https://myaccount.google.com/permissions');
    expect(await partition(db, userId)).toStrictEqual([]);
    expect(runtime.oauthClient).not.toHaveBeenCalled();
  });

  it('answers a 500 page, and logs the error, when the secret cannot be read', async () => {
    runtime.linkSecret = () => Promise.reject(new Error('AccessDeniedException: not authorized to GetSecretValue'));
    const res = await invoke(httpEvent('GET', token('pause')));
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain('Something went wrong');
    expect(stdout.join('')).toContain('AccessDeniedException');
  });
});
