import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KMSClient } from '@aws-sdk/client-kms';
import { PROJECT_ROOT } from '#infra/bundling.ts';
import { KmsTokenVault } from '#lib/connect/kms-token-vault.ts';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { recordConnectedAccount } from '#lib/connect/accounts.ts';
import { syncJobDedupId, type SyncJob } from '#lib/queue/jobs.ts';
import type { Account } from '#lib/store/types.ts';
import { systemClock } from '#lib/time/clock.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { buildGraphMailbox } from '#test/support/microsoft/graph-mail-fixture.ts';
import { consentInMsBrowser, startMicrosoftWorld, type MicrosoftWorld } from '#test/support/microsoft/world.ts';
import { fakeKms, type FakeKms } from './fake-kms.ts';
import type { ChildResult } from './lambda-child.ts';
import { deployedStack, type DeployedStack } from '#test/support/service-world.ts';
import { fifoRecord } from './sync-events.ts';

const run = promisify(execFile);

/**
 * A Microsoft 365 mailbox synced by the sync worker as Lambda runs it: the production
 * `handler` export (its own clock, its endpoints read from the environment, no injected
 * runtime, the token refresh's and the Graph client's own transport: Node's fetch, no custom `ca`),
 * started in a fresh Node process whose environment is what the synthesized stack gives
 * the function, with the admin's `msAuthority` and `graphBaseUrl` pointing at the https
 * emulators, and the emulator's certificate trusted the way a deployment behind a
 * TLS-inspecting proxy would trust it: NODE_EXTRA_CA_CERTS, which Node reads only at
 * start-up. The emulators run on the real clock (no throttling, no latency: nothing waits).
 */
const ME = 'me@example.com';
const AS_OF = Date.UTC(2026, 10, 23, 7);
const CLIENT_SECRET = 'ms-client-secret-from-secrets-manager';

let world: MicrosoftWorld;
let db: TestDynamo;
let stack: DeployedStack;
let dir: string;
let caFile: string;
let kms: FakeKms;
const masterKey = randomBytes(32);
let account: Account;
let secrets: Record<string, string>;

beforeAll(async () => {
  world = await startMicrosoftWorld({ mailbox: buildGraphMailbox({ messages: 120, seed: 13, asOf: AS_OF }), clock: systemClock, throttle: false });
  db = await startTestDynamo();
  // The admin's deploy: -c msAuthority=... -c graphBaseUrl=... (a national cloud's, here the emulator's).
  stack = deployedStack(db.tableName, { msAuthority: `${world.emulator.url}/common`, graphBaseUrl: world.emulator.graphUrl });
  dir = await mkdtemp(join(tmpdir(), 'sinew-sync-ms-'));
  caFile = join(dir, 'emulator-ca.pem');
  await writeFile(caFile, world.emulator.ca);
  secrets = Object.fromEntries([...stack.secrets.values()].map((s) => [s.arn, s.value]));
  secrets[stack.functions.get('sync-worker')!.env.SINEW_MICROSOFT_SECRET_ARN!] = JSON.stringify({ clientId: world.identity.clientId, clientSecret: CLIENT_SECRET });

  // Connected as the connect function would leave it: the MSAL cache sealed under the stack's token key.
  kms = fakeKms(masterKey);
  const vault = new KmsTokenVault(new KMSClient({ region: 'eu-west-1' }), stack.functions.get('sync-worker')!.env.SINEW_TOKEN_KEY_ARN!);
  const grant = await runLoopbackConsent({ provider: 'microsoft', oauth: world.oauth, onUrl: (url) => void consentInMsBrowser(world, url) });
  ({ account } = await recordConnectedAccount(db.store(), vault, { provider: 'microsoft', grant, now: new Date(AS_OF), timeZone: 'Europe/Paris' }));
}, 60_000);

afterAll(async () => {
  kms?.restore();
  await world?.close();
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One invocation of the production sync worker in a fresh process, with one FIFO record of `job`. */
async function invokeWorker(job: SyncJob): Promise<ChildResult> {
  const result = join(dir, `result-${randomBytes(4).toString('hex')}.json`);
  const record = fifoRecord({ body: JSON.stringify(job), groupId: job.accountId, dedupId: syncJobDedupId(job) });
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_EXTRA_CA_CERTS: caFile,
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    ...stack.functions.get('sync-worker')!.env,
    SINEW_DYNAMODB_ENDPOINT: db.dynamo.endpoint,
    SINEW_TEST_FUNCTION: 'sync-worker',
    SINEW_TEST_EVENT: JSON.stringify({ Records: [record] }),
    SINEW_TEST_KMS_KEY: masterKey.toString('hex'),
    SINEW_TEST_SECRETS: JSON.stringify(secrets),
    SINEW_TEST_RESULT: result,
  };
  const child = await run(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test/functions/lambda-child.ts')], { cwd: PROJECT_ROOT, env, timeout: 60_000 }).catch(
    (err: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`the worker process failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    },
  );
  const out = JSON.parse(await readFile(result, 'utf8')) as ChildResult;
  if (out.error) throw new Error(`the handler threw ${out.error}\n${child.stdout}\n${child.stderr}`);
  return out;
}

async function itemCount(): Promise<number> {
  let n = 0;
  for await (const _ of db.store().queryItems(account.userId)) n += 1;
  return n;
}
const stored = async (): Promise<Account> => (await db.store().getAccount(account.userId, account.accountId))!;

describe('sync worker, production wiring, Microsoft 365 over https', () => {
  it('syncs a connected mailbox, then finds nothing new, then tells its owner when the consent is gone', async () => {
    const tokenRequests = world.identity.tokenRequests.length;
    const first = await invokeWorker({ v: 1, userId: account.userId, accountId: account.accountId, reason: 'connected', slot: new Date(AS_OF).toISOString() });
    expect(first.response).toEqual({ batchItemFailures: [] });
    expect(first.sqs).toEqual([]); // done within one invocation: no continuation
    const items = await itemCount();
    expect(items).toBeGreaterThan(50);
    const synced = await stored();
    expect(synced.status).toBe('active');
    expect(synced.cursors['graph-mail']).toMatch(/deltatoken/i);
    // The sealed MSAL cache was opened (and resealed when a refresh rotated it) under the stack's key.
    expect(first.kms).toContain('Decrypt');
    // Graph was called with bearer tokens (the emulator refuses anything else) at the configured root.
    expect(world.emulator.requests.some((r) => r.path.startsWith('/v1.0/me/mailFolders'))).toBe(true);

    const graphBefore = world.emulator.requests.length;
    // The next ticks began after that sync (the worker runs on the wall clock: a tick before it would be skipped as synced since).
    const again = await invokeWorker({ v: 1, userId: account.userId, accountId: account.accountId, reason: 'scheduled', slot: new Date().toISOString() });
    expect(again.response).toEqual({ batchItemFailures: [] });
    expect(await itemCount()).toBe(items);
    const idle = world.emulator.requests.slice(graphBefore).filter((r) => r.path.startsWith('/v1.0/'));
    // An idle incremental run: one delta request per resource (each mail folder, the calendar), nothing else.
    expect(idle.length).toBeGreaterThan(1);
    for (const r of idle) expect(`${r.method} ${r.path}`).toMatch(/^GET \/v1\.0\/me\/(mailFolders\/[^/]+\/messages|calendarView)\/delta$/);
    expect(new Set(idle.map((r) => r.path)).size).toBe(idle.length);

    world.identity.revoke(ME, 'consent');
    const revoked = await invokeWorker({ v: 1, userId: account.userId, accountId: account.accountId, reason: 'scheduled', slot: new Date().toISOString() });
    expect(revoked.response).toEqual({ batchItemFailures: [] });
    expect((await stored()).status).toBe('needs-reconnect');
    // Graph refused the access token; the worker tried to refresh it (lib/providers/microsoft/refresh.ts, no MSAL)
    // at the https authority, as the confidential client whose secret Secrets Manager holds, and was told the consent is gone.
    const refreshes = world.identity.tokenRequests.slice(tokenRequests);
    expect(refreshes.map((r) => r.grantType)).toContain('refresh_token');
    expect(refreshes.every((r) => r.clientSecret === CLIENT_SECRET)).toBe(true);
    expect(await itemCount()).toBe(items);
    // The reconnect email, through SES from the stack's sender and configuration set.
    const env = stack.functions.get('sync-worker')!.env;
    expect(revoked.ses).toEqual([{ from: env.SINEW_SENDER, to: [ME], configurationSet: env.SINEW_SES_CONFIGURATION_SET }]);
  }, 120_000);
});
