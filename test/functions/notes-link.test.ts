import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '#functions/links.ts';
import { lambdaEnv } from '#functions/shared/env.ts';
import { setRuntimeForTests, type Runtime } from '#functions/shared/runtime.ts';
import { KmsTokenVault } from '#lib/connect/kms-token-vault.ts';
import { notesLink } from '#lib/links/notes-links.ts';
import { listNotes } from '#lib/notes/notes.ts';
import { SK_NOTE_PREFIX } from '#lib/store/dynamodb/schema.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { aUser } from '#test/links/fixtures.ts';
import { partition } from '#test/links/partition.ts';
import { lambdaContext as fakeContext } from '#test/support/lambda.ts';
import { fakeKms, type FakeKms } from './fake-kms.ts';

const SECRET = Buffer.from('n'.repeat(64), 'utf8');
const DOMAIN = 'abc123.execute-api.eu-west-1.amazonaws.com';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0f3c6a55-1111-4222-8333-944455556666';
const ANN = 'ann@acme.com';
const TEXT = 'Grandson Theo born in October; avoid calls on Fridays';

let db: TestDynamo;
let runtime: Runtime;
let kms: FakeKms;
let userId: string;
let n = 0;
let output: string[];

beforeAll(async () => {
  db = await startTestDynamo();
});
afterAll(async () => db.close());
beforeEach(async () => {
  n += 1;
  userId = `u-fn-notes-${n}`;
  kms = fakeKms(Buffer.alloc(32, 5));
  runtime = {
    env: lambdaEnv({ SINEW_TABLE_NAME: db.tableName, SINEW_LINK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:links', SINEW_TOKEN_KEY_ARN: KEY_ARN }),
    store: db.store(),
    vault: new KmsTokenVault(new KMSClient({ region: 'eu-west-1' }), KEY_ARN),
    sqs: new SQSClient({ region: 'eu-west-1' }),
    oauthClient: vi.fn(async () => ({ clientId: 'id', clientSecret: 'secret' })),
    linkSecret: async () => SECRET,
  };
  setRuntimeForTests(runtime);
  await runtime.store.putUser(aUser(userId));
  // Powertools writes JSON lines to stdout and stderr: everything the function logs lands here.
  output = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => output.push(String(chunk)) > 0);
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  kms.restore();
  setRuntimeForTests(undefined);
});

function linkToken(): string {
  const url = notesLink({ baseUrl: `https://${DOMAIN}`, secret: SECRET, userId, now: new Date() }, ANN);
  return url.slice(`https://${DOMAIN}/l/`.length);
}

function httpEvent(method: 'GET' | 'POST', token: string, body?: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const now = Date.now();
  const path = `/l/${token}`;
  return {
    version: '2.0',
    routeKey: `${method} /l/{token}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      accept: 'text/html',
      host: DOMAIN,
      'x-forwarded-proto': 'https',
      ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      ...headers,
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
    pathParameters: { token },
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body }),
  };
}

const context = fakeContext({ functionName: 'sinew-links', memoryMb: 256, remainingMs: () => 28_000 });
const invoke = async (event: APIGatewayProxyEventV2) => (await handler(event, context)) as APIGatewayProxyStructuredResultV2;

async function formToken(token: string): Promise<string> {
  const page = await invoke(httpEvent('GET', token));
  expect(page.statusCode).toBe(200);
  return /name="form" value="([^"]+)"/.exec(page.body ?? '')![1]!;
}

describe('functions/links: the notes page', () => {
  it('seals a posted note with KMS under {purpose: note, userId, noteId}, stores no plaintext, and logs neither text nor contact', async () => {
    const token = linkToken();
    const form = await formToken(token);
    const body = new URLSearchParams({ op: 'add', text: TEXT, form }).toString();
    const res = await invoke(httpEvent('POST', token, body, { origin: `https://${DOMAIN}`, 'sec-fetch-site': 'same-origin' }));
    expect(res.statusCode).toBe(303);
    const [note] = await listNotes({ store: runtime.store, vault: runtime.vault }, userId);
    expect(note).toMatchObject({ contact: ANN, text: TEXT });
    expect(kms.calls.filter((c) => c.op === 'GenerateDataKey')).toStrictEqual([
      { op: 'GenerateDataKey', keyId: KEY_ARN, context: { purpose: 'note', userId, noteId: note!.id } },
    ]);
    const raw = JSON.stringify(await partition(db, userId));
    expect(raw).toContain(`"${SK_NOTE_PREFIX}${note!.id}"`);
    expect(raw).not.toMatch(/Theo|October|Fridays/);

    // The page then opens it (Decrypt under the same context) and shows it.
    const page = await invoke(httpEvent('GET', token));
    expect(page.body).toContain(TEXT);
    expect(kms.calls.at(-1)).toStrictEqual({ op: 'Decrypt', keyId: KEY_ARN, context: { purpose: 'note', userId, noteId: note!.id } });

    const logs = output.join('');
    expect(logs).toContain('note changed');
    expect(logs).toContain(userId);
    expect(logs).not.toMatch(/Theo|October|Fridays/);
    expect(logs).not.toContain(ANN);
    expect(logs).not.toContain('acme.com');
    expect(logs).not.toContain(token.split('.')[1]!);
  });

  it('refuses a cross-site POST through the handler (403), writes nothing, and logs only why', async () => {
    const token = linkToken();
    const form = await formToken(token);
    const before = await partition(db, userId);
    const body = new URLSearchParams({ op: 'add', text: TEXT, form }).toString();
    const res = await invoke(httpEvent('POST', token, body, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }));
    expect(res.statusCode).toBe(403);
    expect(await partition(db, userId)).toStrictEqual(before);
    expect(kms.calls.filter((c) => c.op === 'GenerateDataKey')).toHaveLength(0);
    const logs = output.join('');
    expect(logs).toContain('cross-site');
    expect(logs).not.toMatch(/Theo|October|Fridays/);
  });
});
