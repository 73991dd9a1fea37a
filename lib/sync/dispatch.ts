import type { AccountStatus } from '#lib/store/types.ts';
import type { JobQueue, SyncJob } from '#lib/queue/jobs.ts';

/** The schedule's period (DESIGN section 1: every 30 minutes). */
export const SYNC_INTERVAL_MS = 30 * 60_000;

/**
 * How long an account may stay `syncing` without progress before the dispatcher assumes
 * its worker died: a run checkpoints after every page (seconds to a minute or two), and a
 * Lambda runs at most 15 minutes, so a live sync never goes that long without a sign.
 */
export const SYNC_LEASE_MS = 15 * 60_000;

/** What the dispatcher reads: the schedule index of the DynamoDB store. */
export interface SyncSchedule {
  /**
   * Accounts in `status` whose last sign of progress sorts before `before`: `progressAt`
   * (a run began or checkpointed), else `lastSyncAt`, else `'0'` (never synced).
   */
  listAccountsDueForSync(before: string, status?: AccountStatus): Promise<Array<{ userId: string; accountId: string }>>;
}

export interface DispatchSyncsInput {
  store: SyncSchedule;
  queue: JobQueue<SyncJob>;
  /** The invocation's time (the Scheduler's scheduled time when it gives one). */
  now: Date;
  /** @default {@link SYNC_INTERVAL_MS} */
  intervalMs?: number;
  /** @default {@link SYNC_LEASE_MS} */
  leaseMs?: number;
}

export interface DispatchSyncsResult {
  /** The schedule tick the jobs carry as their slot (ISO). */
  slot: string;
  /** Active accounts not synced since the tick. */
  due: number;
  /** Accounts left `syncing` without progress for longer than a lease (a crashed worker), picked up again. */
  reclaimed: number;
  /** Jobs sent: `due + reclaimed`, each account once. */
  enqueued: number;
}

/**
 * The schedule's fan-out: one `scheduled` SyncJob per account due. Due means `active` and
 * not synced since this tick began (`lastSyncAt < tick`), so an account synced after the
 * tick (a fresh connection, or a retried dispatcher run whose jobs already ran) is left
 * alone. Accounts in `needs-reconnect` are never read: only their owner can help them.
 *
 * The slot is the tick (now floored to the interval), so a retried run in the same tick
 * sends the same deduplication ids and SQS FIFO drops the copies.
 *
 * A `syncing` account whose worker died stays `syncing`; it is picked up again once its
 * last sign of progress (`progressAt`: the run began, or checkpointed a page) is older
 * than a lease. A live run, however long its backfill (a first sync has no `lastSyncAt`),
 * checkpoints every page and is left alone: at 100,000 mailboxes re-enqueueing every
 * `syncing` account by its last finished sync sent jobs for runs still going.
 *
 * A failure records no progress (lib/sync/engine.ts), so a mailbox whose syncs keep
 * failing stays `syncing` with `progressAt` no later than its last attempt's start, and is
 * enqueued again at every tick (half an hour is past the lease): it
 * keeps retrying, and its `failingSince` makes it stale to its owner and to the admin's
 * alarm after a day (lib/sync/freshness.ts) instead of failing silently.
 */
export async function dispatchSyncs(input: DispatchSyncsInput): Promise<DispatchSyncsResult> {
  const intervalMs = input.intervalMs ?? SYNC_INTERVAL_MS;
  const leaseMs = input.leaseMs ?? SYNC_LEASE_MS;
  const tick = Math.floor(input.now.getTime() / intervalMs) * intervalMs;
  const slot = new Date(tick).toISOString();
  const due = await input.store.listAccountsDueForSync(slot, 'active');
  const stale = await input.store.listAccountsDueForSync(new Date(tick - leaseMs).toISOString(), 'syncing');
  // An account changing status between the two queries could appear twice; one job each.
  const jobs = new Map<string, SyncJob>();
  for (const { userId, accountId } of [...due, ...stale]) {
    jobs.set(`${userId}\n${accountId}`, { v: 1, userId, accountId, reason: 'scheduled', slot });
  }
  await input.queue.send([...jobs.values()]);
  return { slot, due: due.length, reclaimed: stale.length, enqueued: jobs.size };
}
