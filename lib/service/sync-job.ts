import { createHash } from 'node:crypto';
import type { Account, Store } from '../store/types.ts';
import type { TokenVault } from '../connect/token-vault.ts';
import type { Clock } from '../sync/clock.ts';
import { syncAccount, type SyncStats } from '../sync/engine.ts';
import { ReconnectRequiredError, SinewError } from '../errors.ts';
import { accountSources, type ProviderClients } from './account-sources.ts';
import type { JobQueue, SyncJob } from './jobs.ts';

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
}

export type SyncJobResult =
  /** Nothing done: the account is gone (disconnected), waits for its owner, or has no provider. */
  | { outcome: 'skipped'; why: 'gone' | 'needs-reconnect' | 'not-a-mailbox' }
  | { outcome: 'complete'; stats: SyncStats }
  /** Stopped at the budget; `continuation` was enqueued to resume from the checkpoint. */
  | { outcome: 'continued'; stats: SyncStats; continuation: SyncJob }
  /** The grant was refused; the account is now `needs-reconnect` and its owner was told. */
  | { outcome: 'needs-reconnect'; stats: SyncStats };

/** Less than this and a job is handed back untouched: a page can take seconds. */
export const MIN_SYNC_BUDGET_MS = 5_000;

const NO_STATS: SyncStats = { pages: 0, read: 0, written: 0, unchanged: 0, removed: 0 };

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
  if (!stored) return { outcome: 'skipped', why: 'gone' };
  if (stored.status === 'needs-reconnect') return { outcome: 'skipped', why: 'needs-reconnect' };
  if (stored.provider === 'files') return { outcome: 'skipped', why: 'not-a-mailbox' };

  // `syncing` until the engine's last checkpoint: the dispatcher leaves a live sync alone
  // and picks the account up again if this worker dies (see dispatchSyncs).
  const account: Account = { ...stored, status: 'syncing' };
  await deps.store.putAccount(account);

  let sources;
  try {
    sources = await accountSources(account, deps);
  } catch (err) {
    if (err instanceof ReconnectRequiredError) return markNeedsReconnect(account, deps);
    throw err;
  }
  const outcome = await syncAccount({ store: deps.store, account, sources, clock: deps.clock, budgetMs: deps.budgetMs });
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
  await deps.store.putAccount({ ...account, status: 'needs-reconnect' });
  await deps.onNeedsReconnect?.(account.userId, account.accountId);
  return { outcome: 'needs-reconnect', stats: NO_STATS };
}
