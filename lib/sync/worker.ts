import { ProviderUnavailableError } from '#lib/errors.ts';
import { parseJob, syncJobSchema, type SyncJob } from '#lib/queue/jobs.ts';
import { runSyncJob, type SyncJobDeps } from './job.ts';

/**
 * The sync worker's part between a queue message and a sync job (DESIGN section 1): parse
 * the job, run it, say what happened in the log (ids and counts, never an address), and
 * count what the worker's metrics report. The handler (functions/sync-worker.ts) only
 * adapts SQS to it and publishes the counts.
 */

/** What one invocation's jobs did, for the worker's metrics. */
export interface SyncTally {
  /** Items read from the providers. */
  synced: number;
  /** Jobs failed by the provider's rate limit (429, or Google's rate-limit 403). */
  throttled: number;
  /** Jobs that ran out of budget and enqueued their continuation. */
  continuations: number;
}

export function newSyncTally(): SyncTally {
  return { synced: 0, throttled: 0, continuations: 0 };
}

/** The slice of a structured logger the worker uses (Powertools' Logger fits). */
export interface SyncWorkerLog {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
  debug(message: string, attributes: Record<string, unknown>): void;
}

export interface SyncMessageDeps extends Omit<SyncJobDeps, 'budgetMs' | 'onNeedsReconnect' | 'onSyncFailed'> {
  /** Tells an account's owner it must be reconnected (the reconnect email); resolves whether it was sent. */
  notifyReconnect: (userId: string, accountId: string) => Promise<unknown>;
  /** A mailbox has kept failing for a day (stale): the admin's alarm watches this count. */
  onStale: () => void;
  log: SyncWorkerLog;
}

/**
 * Runs the sync job one queue message carries, within `budgetMs`, and adds what it did to
 * `tally`. A malformed body, or a job that failed, is thrown for the queue to redeliver
 * (a malformed one fails until the DLQ keeps it).
 */
export async function runSyncMessage(
  message: { id: string; body: string },
  budgetMs: number,
  deps: SyncMessageDeps,
  tally: SyncTally,
): Promise<void> {
  let job: SyncJob;
  try {
    job = parseJob(syncJobSchema, message.body, `sync job ${message.id}`);
  } catch (err) {
    // Redelivery cannot fix it: it fails until maxReceiveCount sends it to the DLQ.
    deps.log.error('malformed sync job', { messageId: message.id, error: (err as Error).message });
    throw err;
  }
  const { notifyReconnect, onStale, log: logger, ...jobDeps } = deps;
  const log = { accountId: job.accountId, reason: job.reason, messageId: message.id };
  try {
    const result = await runSyncJob(job, {
      ...jobDeps,
      budgetMs,
      onSyncFailed: (account, freshness) => {
        // Syncs failing for a day (not a revoked grant): the owner sees the mailbox
        // stale in the weekly email, and the admin's alarm watches this metric.
        if (freshness.state !== 'stale') return;
        onStale();
        logger.warn('mailbox sync stale', { accountId: account.accountId, failingSince: freshness.failingSince, lastSyncAt: freshness.lastSyncAt ?? null });
      },
      onNeedsReconnect: async (userId, accountId) => {
        // The sync itself went right; a lost notice must not fail the job, whose
        // redelivery would find the account already needs-reconnect and not retry it.
        // The weekly report still shows the mailbox needs reconnecting.
        try {
          const sent = await notifyReconnect(userId, accountId);
          logger.info('account needs reconnecting', { accountId, noticeSent: sent });
        } catch (err) {
          // Mail errors name the recipient: the message only at debug level.
          const e = err as Error & { retryable?: boolean };
          logger.warn('reconnect notice failed', { accountId, error: e.name, retryable: e.retryable });
          logger.debug('reconnect notice failure', { accountId, error: e.message });
        }
      },
    });
    if (result.outcome === 'skipped') {
      logger.info('sync job skipped', { ...log, why: result.why });
      return;
    }
    tally.synced += result.stats.read;
    if (result.outcome === 'continued') tally.continuations += 1;
    logger.info('sync job done', { ...log, outcome: result.outcome, ...result.stats });
  } catch (err) {
    // Google answers rate limits with 429 or 403; other 403s never become this error.
    if (err instanceof ProviderUnavailableError && (err.status === 429 || err.status === 403)) tally.throttled += 1;
    logger.warn('sync job failed; the queue will redeliver it', { ...log, error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
