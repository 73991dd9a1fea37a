import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import type { SyncJob } from '#lib/queue/jobs.ts';
import { dispatchSyncs, SYNC_INTERVAL_MS } from '#lib/sync/dispatch.ts';
import type { Account, AccountStatus } from '#lib/store/types.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';

/**
 * Which accounts a schedule tick enqueues, read from the real schedule index (gsi1 on
 * dynalite): active accounts not synced since the tick, stuck `syncing` ones past the
 * lease, never `needs-reconnect`.
 */
const TICK = Date.UTC(2026, 10, 23, 7, 30);
const iso = (ms: number) => new Date(ms).toISOString();

function account(accountId: string, status: AccountStatus, lastSyncAt?: number): Account {
  return {
    userId: `u-${accountId}`, accountId, provider: 'google', address: `${accountId}@example.com`, aliases: [],
    status, errorCount: 0, cursors: {}, ...(lastSyncAt !== undefined ? { lastSyncAt: iso(lastSyncAt) } : {}),
  };
}

describe('dispatchSyncs', () => {
  let db: TestDynamo;
  let store: DynamoStore;
  beforeAll(async () => {
    db = await startTestDynamo();
    store = db.store();
    for (const a of [
      account('never', 'active'),
      account('old', 'active', TICK - 31 * 60_000),
      account('just-before-tick', 'active', TICK - 1),
      account('after-tick', 'active', TICK + 60_000),
      account('revoked', 'needs-reconnect', TICK - 86_400_000),
      account('stuck', 'syncing', TICK - 40 * 60_000),
      account('live', 'syncing', TICK - 5 * 60_000),
    ]) {
      await store.putAccount(a);
    }
  });
  afterAll(async () => db.close());

  it('enqueues active accounts not synced since the tick and syncing ones past the lease, never needs-reconnect', async () => {
    const queue = new MemoryQueue<SyncJob>();
    const result = await dispatchSyncs({ store, queue, now: new Date(TICK + 7 * 60_000 + 123) });
    const ids = queue.sent.map((j) => j.accountId).sort();
    expect(ids).toEqual(['just-before-tick', 'never', 'old', 'stuck']);
    expect(result).toEqual({ slot: iso(TICK), due: 3, reclaimed: 1, enqueued: 4 });
    for (const job of queue.sent) {
      expect(job).toEqual({ v: 1, userId: `u-${job.accountId}`, accountId: job.accountId, reason: 'scheduled', slot: iso(TICK) });
    }
  });

  it('floors to the interval: any time within one tick gives the same slot, the next tick a new one', async () => {
    const slots = [];
    for (const at of [TICK, TICK + SYNC_INTERVAL_MS - 1, TICK + SYNC_INTERVAL_MS]) {
      const queue = new MemoryQueue<SyncJob>();
      slots.push((await dispatchSyncs({ store, queue, now: new Date(at) })).slot);
    }
    expect(slots).toEqual([iso(TICK), iso(TICK), iso(TICK + SYNC_INTERVAL_MS)]);
  });

  it('a shorter lease reclaims a syncing account sooner', async () => {
    const queue = new MemoryQueue<SyncJob>();
    const result = await dispatchSyncs({ store, queue, now: new Date(TICK), leaseMs: 60_000 });
    expect(queue.sent.map((j) => j.accountId).sort()).toEqual(['just-before-tick', 'live', 'never', 'old', 'stuck']);
    expect(result.reclaimed).toBe(2);
  });
});
