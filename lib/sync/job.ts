import { createHash } from 'node:crypto';
import type { Account, Store } from '#lib/store/types.ts';
import type { ChangeSource } from '#lib/providers/types.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import type { Clock } from '#lib/time/clock.ts';
import { syncAccount, type SyncStats } from './engine.ts';
import { syncFreshness, type SyncFreshness } from './freshness.ts';
import { ReconnectRequiredError, SinewError } from '#lib/errors.ts';
import { connectedProvider } from '#lib/providers/registry.ts';
import { accountSources, type ProviderClients } from '#lib/providers/account-sources.ts';
import type { JobQueue, SyncJob } from '#lib/queue/jobs.ts';

export interface SyncJobDeps {
  store: Store;
  vault: TokenVault;
  /** Where a continuation goes: the FIFO sync queue (the same group as the job). */
  queue: JobQueue<SyncJob>;
  providers: ProviderClients;
  clock: Clock;
  /**
   * Wall time this job may take: the Lambda's remaining time minus a safety margin for the
   * last page, the checkpoint and the continuation's send.
   */
  budgetMs: number;
  /**
   * Called once when this job turns the account `needs-reconnect` (the reconnect email).
   * A later delivery finds the account already `needs-reconnect` and does not call it again.
   */
  onNeedsReconnect?: (userId: string, accountId: string) => Promise<unknown>;
  /**
   * Called when the sync failed (before the error is thrown for redelivery), with the
   * account as the failure left it and how fresh its data now is: `stale` once its syncs
   * have kept failing for a day (the admin's alarm, DESIGN 1: sync you can see).
   */
  onSyncFailed?: (account: Account, freshness: SyncFreshness) => Promise<unknown> | unknown;
  /**
   * Builds the account's change sources. Default: {@link accountSources} (the provider's
   * clients and the sealed token); the fleet simulation (bench/fleet) passes provider models.
   */
  sources?: (account: Account) => Promise<ChangeSource[]>;
}

export type SyncJobResult =
  /**
   * Nothing done: the account is gone (disconnected), waits for its owner, has no
   * provider, or (a scheduled job) was synced since the job's tick.
   */
  | { outcome: 'skipped'; why: 'gone' | 'needs-reconnect' | 'not-a-mailbox' | 'synced-since-tick' }
  | { outcome: 'complete'; stats: SyncStats }
  /** Stopped at the budget; `continuation` was enqueued to resume from the checkpoint. */
  | { outcome: 'continued'; stats: SyncStats; continuation: SyncJob }
  /** The grant was refused; the account is now `needs-reconnect` and its owner was told. */
  | { outcome: 'needs-reconnect'; stats: SyncStats };

/** Less than this and a job is handed back untouched: a page can take seconds. */
export const MIN_SYNC_BUDGET_MS = 5_000;

const NO_STATS: SyncStats = { pages: 0, read: 0, written: 0, unchanged: 0, removed: 0, skipped: 0 };

/**
 * Runs one sync job (DESIGN section 1, the sync worker): loads the account, opens its
 * token, syncs from the stored cursors until done or out of budget, and when out of
 * budget enqueues a continuation that resumes from the checkpoint.
 *
 * Idempotent under duplicate delivery: items are keyed deterministically and every run
 * starts from the checkpointed cursors, so a repeated or stale job syncs only what is
 * new. A continuation's slot is a hash of the cursors it resumes from, so two deliveries
 * that stop at the same checkpoint enqueue the same deduplication id.
 *
 * @throws ProviderUnavailableError (and any other failure) so the queue redelivers the
 *   job; after `maxReceiveCount` deliveries the DLQ keeps it.
 */
export async function runSyncJob(job: SyncJob, deps: SyncJobDeps): Promise<SyncJobResult> {
  if (deps.budgetMs < MIN_SYNC_BUDGET_MS) {
    // Too little time for one page; starting would only stamp the account as synced.
    throw new SinewError(`sync of account ${job.accountId}: only ${deps.budgetMs} ms left in this invocation; redeliver`);
  }
  const stored = await deps.store.getAccount(job.userId, job.accountId);
  if (!stored) return gone(job, deps);
  if (stored.status === 'needs-reconnect') return { outcome: 'skipped', why: 'needs-reconnect' };
  if (!connectedProvider(stored.provider)) return { outcome: 'skipped', why: 'not-a-mailbox' };
  // A scheduled job queued behind a run that ended after its tick (a continuation ahead of
  // it in the account's FIFO group, or itself delivered again) has nothing left to do: that
  // run synced since the tick and queued its own continuation if more was due. Running it
  // would start a second chain of continuations beside the first.
  if (job.reason === 'scheduled' && stored.lastSyncAt !== undefined && stored.lastSyncAt >= job.slot) {
    return { outcome: 'skipped', why: 'synced-since-tick' };
  }

  // `syncing` until the engine's last checkpoint, and begun now (`progressAt`): the
  // dispatcher leaves a live sync alone while it checkpoints and picks the account up
  // again once it stops moving for a lease (see dispatchSyncs). A conditional update: an
  // account disconnected since the read above stays deleted.
  const progressAt = new Date(deps.clock.now()).toISOString();
  const account: Account = { ...stored, status: 'syncing', progressAt };
  if ((await deps.store.updateAccount(job.userId, job.accountId, { set: { status: 'syncing', progressAt } })) !== 'updated') return gone(job, deps);

  let sources;
  try {
    sources = await (deps.sources ? deps.sources(account) : accountSources(account, deps));
  } catch (err) {
    if (err instanceof ReconnectRequiredError) return markNeedsReconnect(account, deps);
    // A failure before the first page (the token cannot be opened, the provider's
    // sign-in is down) is a failed sync like any other: counted, and stale after a day.
    const failingSince = account.failingSince ?? new Date(deps.clock.now()).toISOString();
    const recorded = await deps.store.updateAccount(job.userId, job.accountId, { set: { errorCount: account.errorCount + 1, failingSince } });
    if (recorded === 'gone') return gone(job, deps);
    await reportFailure(job, deps);
    throw err;
  }
  let outcome;
  try {
    outcome = await syncAccount({ store: deps.store, account, sources, clock: deps.clock, budgetMs: deps.budgetMs });
  } catch (err) {
    // The engine recorded the failure on the account.
    await reportFailure(job, deps);
    throw err;
  }
  if (outcome.state === 'gone') return { outcome: 'skipped', why: 'gone' };
  if (outcome.state === 'needs-reconnect') {
    // The engine stored the new status; the owner hears about it once.
    await deps.onNeedsReconnect?.(job.userId, job.accountId);
    return { outcome: 'needs-reconnect', stats: outcome.stats };
  }
  if (outcome.state === 'complete') return { outcome: 'complete', stats: outcome.stats };

  const continuation: SyncJob = {
    v: 1,
    userId: job.userId,
    accountId: job.accountId,
    reason: 'continuation',
    slot: continuationSlot(outcome.account.cursors),
  };
  if (job.reason === 'continuation' && continuation.slot === job.slot) {
    // No cursor moved (the budget ran out between sources): this continuation would carry
    // the very deduplication id SQS just delivered, and be dropped. Hand the job back.
    throw new SinewError(`sync of account ${job.accountId} ran out of budget without moving a cursor; redeliver`);
  }
  await deps.queue.send([continuation]);
  return { outcome: 'continued', stats: outcome.stats, continuation };
}

/** The slot of a continuation: a hash of the cursors it resumes from, in key order. */
export function continuationSlot(cursors: Record<string, string>): string {
  const canonical = JSON.stringify(Object.keys(cursors).sort().map((k) => [k, cursors[k]]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 64);
}

async function markNeedsReconnect(account: Account, deps: SyncJobDeps): Promise<SyncJobResult> {
  const result = await deps.store.updateAccount(account.userId, account.accountId, { set: { status: 'needs-reconnect' } });
  if (result === 'gone') return gone(account, deps);
  await deps.onNeedsReconnect?.(account.userId, account.accountId);
  return { outcome: 'needs-reconnect', stats: NO_STATS };
}

/**
 * The account is gone (its owner disconnected): nothing is synced, and any item of it a
 * run left behind (one that died between a page and its checkpoint while the disconnect
 * went on) is deleted, so nothing of the account outlives the disconnect.
 */
async function gone(job: Pick<SyncJob, 'userId' | 'accountId'>, deps: SyncJobDeps): Promise<SyncJobResult> {
  await deps.store.deleteAccountItems(job.userId, job.accountId);
  return { outcome: 'skipped', why: 'gone' };
}

/** Tells `onSyncFailed` how fresh the account is after a failed sync. */
async function reportFailure(job: SyncJob, deps: SyncJobDeps): Promise<void> {
  if (!deps.onSyncFailed) return;
  const account = await deps.store.getAccount(job.userId, job.accountId);
  if (account) await deps.onSyncFailed(account, syncFreshness(account, new Date(deps.clock.now())));
}
