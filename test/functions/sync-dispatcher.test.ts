import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// Before the handler's logger is built: Powertools re-reads its level at each invocation.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

import { randomBytes } from 'node:crypto';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { syncJobDedupId, type SyncJob } from '#lib/queue/jobs.ts';
import type { Account, AccountStatus } from '#lib/store/types.ts';
import { handler } from '#functions/sync-dispatcher.ts';
import { metrics } from '#functions/shared/observability.ts';
import { setRuntimeForTests } from '#functions/shared/runtime.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { capturingSqs, lambdaContext, SYNC_QUEUE_URL } from './sync-events.ts';

/**
 * The sync dispatcher's Lambda handler on an EventBridge Scheduler invocation: accounts
 * due read from dynalite's schedule index, jobs sent to the (mocked) FIFO queue with the
 * account as message group and deduplication ids that a retried run repeats.
 */
const TICK = Date.UTC(2026, 10, 23, 7, 30);

/** An EventBridge Scheduler invocation (the stack passes the scheduled time as `time`). */
function scheduleEvent(time: string): Record<string, unknown> {
  return {
    version: '0', id: '3b7b5f9e-5b2a-4d1e-9c55-0b5b1e6c2a10', 'detail-type': 'Scheduled Event', source: 'aws.scheduler',
    account: '123456789012', time, region: 'eu-west-1',
    resources: ['arn:aws:scheduler:eu-west-1:123456789012:schedule/default/sinew-sync'], detail: {},
  };
}

describe('sync-dispatcher handler', () => {
  let db: TestDynamo;
  let sqs: ReturnType<typeof capturingSqs>;
  let metricSpy: ReturnType<typeof vi.spyOn>;

  beforeAll(async () => {
    db = await startTestDynamo();
    const store = db.store();
    const put = (accountId: string, status: AccountStatus, lastSyncAt?: string) =>
      store.putAccount({
        userId: `u-${accountId}`, accountId, provider: 'google', address: `${accountId}@example.com`, aliases: [],
        status, errorCount: 0, cursors: {}, ...(lastSyncAt ? { lastSyncAt } : {}),
      } satisfies Account);
    await put('google-a', 'active');
    await put('google-b', 'active', '2026-11-23T07:01:00.000Z');
    await put('google-fresh', 'active', '2026-11-23T07:31:00.000Z');
    await put('google-revoked', 'needs-reconnect', '2026-11-20T07:00:00.000Z');
    sqs = capturingSqs();
    setRuntimeForTests({
      env: { SINEW_TABLE_NAME: db.tableName, SINEW_SYNC_QUEUE_URL: SYNC_QUEUE_URL, SINEW_SYNC_INTERVAL_MINUTES: 30, SINEW_ALLOWED_DOMAINS: '', SINEW_REPORT_HOUR: 7, SINEW_BRIEF_HOUR: 7, SINEW_MS_AUTHORITY: 'https://login.microsoftonline.com/common' },
      store, vault: LocalKeyVault.fromKey(randomBytes(32)), sqs: sqs.sqs,
      oauthClient: () => Promise.reject(new Error('the dispatcher needs no OAuth client')),
      linkSecret: () => Promise.reject(new Error('the dispatcher needs no link secret')),
    });
  });
  afterAll(async () => {
    setRuntimeForTests(undefined);
    await db.close();
  });
  beforeEach(() => {
    metricSpy = vi.spyOn(metrics, 'addMetric');
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      metrics.clearMetrics();
      return metrics;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('enqueues each due account in its own message group with deterministic dedup ids; needs-reconnect is skipped', async () => {
    const out = await handler(scheduleEvent('2026-11-23T07:42:17Z'), lambdaContext(() => 60_000));
    expect(out).toEqual({ slot: new Date(TICK).toISOString(), due: 2, reclaimed: 0, enqueued: 2 });
    const jobs = sqs.sent.map((e) => JSON.parse(e.MessageBody!) as SyncJob);
    expect(jobs.map((j) => j.accountId).sort()).toEqual(['google-a', 'google-b']);
    for (const [i, entry] of sqs.sent.entries()) {
      const job = jobs[i]!;
      expect(job).toEqual({ v: 1, userId: `u-${job.accountId}`, accountId: job.accountId, reason: 'scheduled', slot: '2026-11-23T07:30:00.000Z' });
      expect(entry.MessageGroupId).toBe(job.accountId);
      expect(entry.MessageDeduplicationId).toBe(syncJobDedupId(job));
    }
    expect(metricSpy.mock.calls).toEqual([['AccountsEnqueued', 'Count', 2]]);
  });

  it('a second run in the same tick sends identical dedup ids; the next tick new ones', async () => {
    const dedup = () => sqs.sent.map((e) => `${e.MessageGroupId} ${e.MessageDeduplicationId}`).sort();
    sqs.sent.length = 0;
    await handler(scheduleEvent('2026-11-23T07:30:00Z'), lambdaContext(() => 60_000));
    const first = dedup();
    sqs.sent.length = 0;
    await handler(scheduleEvent('2026-11-23T07:59:59Z'), lambdaContext(() => 60_000));
    expect(dedup()).toEqual(first);
    sqs.sent.length = 0;
    await handler(scheduleEvent('2026-11-23T08:00:00Z'), lambdaContext(() => 60_000));
    const next = dedup();
    // google-fresh synced at 07:31 is due at the 08:00 tick, not at 07:30.
    expect(next).toHaveLength(3);
    expect(next.filter((d) => first.includes(d))).toEqual([]);
  });

  it('refuses an event whose time is not a time', async () => {
    await expect(handler(scheduleEvent('Monday morning'), lambdaContext(() => 60_000))).rejects.toThrow(/event\.time/);
  });
});
