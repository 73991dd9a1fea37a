import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import type { SyncJob } from '#lib/queue/jobs.ts';
import { dispatchSyncs, SYNC_INTERVAL_MS } from '#lib/sync/dispatch.ts';
import type { Account, AccountStatus } from '#lib/store/types.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { syncAccount } from '#lib/sync/engine.ts';
import type { ChangeSource } from '#lib/providers/types.ts';
import type { MailItem } from '#lib/items/types.ts';

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

const mail = (n: number): MailItem => ({
  kind: 'mail', accountId: 'backfilling', source: 'gmail', providerId: `m${n}`, messageId: `${n}@x`, threadId: `t${n}`,
  at: new Date(Date.UTC(2026, 9, 1) + n * 60_000).toISOString(), from: 'ann@acme.com', to: ['me@example.com'],
  cc: [], bcc: [], names: {}, replyTo: [], subjectHash: null, labels: ['INBOX'], bulkSignals: [],
});

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

/**
 * Issue 14's fleet at 100,000 mailboxes: `syncing` accounts were reclaimed by their last
 * finished sync, so every first backfill (no `lastSyncAt` yet) was sent a job at every
 * tick while its own run went on. A run shows life at its start and at every checkpoint
 * (`progressAt`); only one that stopped moving for a lease is picked up again.
 */
describe('dispatchSyncs and a run in progress', () => {
  let db: TestDynamo;
  let store: DynamoStore;
  const start = TICK - 50 * 60_000;
  beforeAll(async () => {
    db = await startTestDynamo();
    store = db.store();
  });
  afterAll(async () => db.close());

  /** The sync worker's claim (lib/sync/job.ts): `syncing`, begun at `at`. */
  const claim = async (accountId: string, at: number): Promise<Account> => {
    await store.putAccount(account(accountId, 'active'));
    expect(await store.updateAccount(`u-${accountId}`, accountId, { set: { status: 'syncing', progressAt: iso(at) } })).toBe('updated');
    return (await store.getAccount(`u-${accountId}`, accountId))!;
  };

  /**
   * 20 pages of 10 messages; each page takes `pageMs` of the clock, and halfway through
   * each (the run between two checkpoints) the schedule ticks: `tick` runs the dispatcher.
   */
  const slowSource = (clock: VirtualClock, pageMs: number, tick: () => Promise<void>): ChangeSource => ({
    resource: 'list',
    async *pages(cursor) {
      for (let next = cursor ? Number(cursor) : 0; next < 200; ) {
        clock.advance(pageMs / 2);
        await tick();
        clock.advance(pageMs / 2);
        const items = Array.from({ length: 10 }, (_, i) => mail(next + i));
        next += 10;
        yield { items, removed: [], cursor: String(next), done: next >= 200 };
      }
    },
  });

  it('leaves a first backfill alone while it checkpoints, and reclaims a run that stopped moving for a lease', async () => {
    // A worker that checkpointed one page at start + 5 min and died.
    await claim('crashed', start);
    expect(await store.updateAccount('u-crashed', 'crashed', { set: { cursors: { list: '10' }, progressAt: iso(start + 5 * 60_000) }, expectCursors: {} })).toBe('updated');

    // A live first backfill: a page every 4 minutes, from 50 minutes before the tick to 30 after.
    const live = await claim('backfilling', start);
    const clock = new VirtualClock(start);
    const seen: Array<{ at: number; reclaimed: string[]; lastSyncAt: string | undefined }> = [];
    const tick = async (): Promise<void> => {
      const queue = new MemoryQueue<SyncJob>();
      await dispatchSyncs({ store, queue, now: new Date(clock.now()) });
      seen.push({ at: clock.now(), reclaimed: queue.sent.map((j) => j.accountId).sort(), lastSyncAt: (await store.getAccount('u-backfilling', 'backfilling'))?.lastSyncAt });
    };
    const out = await syncAccount({ store, account: live, sources: [slowSource(clock, 4 * 60_000, tick)], clock, budgetMs: 3 * 3_600_000 });
    expect(out.state).toBe('complete');
    expect(seen).toHaveLength(20);
    for (const s of seen) {
      expect(s.lastSyncAt).toBeUndefined(); // never synced before: the old index key was '0'
      // The crashed run's last sign is start + 5 min: past the lease from the tick TICK on.
      expect(s.reclaimed).toEqual(s.at >= TICK ? ['crashed'] : []);
    }
    expect(seen.some((s) => s.at >= TICK)).toBe(true);
    expect((await store.getAccount('u-backfilling', 'backfilling'))?.status).toBe('active');
  });

  it('still retries a failing account at every tick: a failure records no progress', async () => {
    const failing = await claim('failing', TICK - 20 * 60_000);
    const clock = new VirtualClock(TICK - 20 * 60_000);
    const broken: ChangeSource = {
      resource: 'list',
      // eslint-disable-next-line require-yield
      async *pages() {
        clock.advance(60_000);
        throw new Error('provider down');
      },
    };
    await expect(syncAccount({ store, account: failing, sources: [broken], clock, budgetMs: 60_000 })).rejects.toThrow('provider down');
    expect((await store.getAccount('u-failing', 'failing'))).toMatchObject({ status: 'syncing', errorCount: 1, progressAt: iso(TICK - 20 * 60_000) });
    const queue = new MemoryQueue<SyncJob>();
    const result = await dispatchSyncs({ store, queue, now: new Date(TICK + 60_000) });
    expect(queue.sent.map((j) => j.accountId)).toContain('failing');
    expect(result.due).toBe(0);
  });
});
