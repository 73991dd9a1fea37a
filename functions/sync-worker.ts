import middy from '@middy/core';
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ProviderUnavailableError } from '#lib/errors.ts';
import { SesMailer } from '#lib/mail/ses-mailer.ts';
import type { Mailer } from '#lib/mail/mailer.ts';
import { sendReconnectNotice } from '#lib/mail/reconnect-notice.ts';
import { parseJob, syncJobSchema } from '#lib/queue/jobs.ts';
import { providerClients, providerEndpointsFromEnv, type ProviderEndpoints } from '#lib/providers/account-sources.ts';
import { SqsSyncQueue } from '#lib/queue/sqs.ts';
import { runSyncJob } from '#lib/sync/job.ts';
import { systemClock, type Clock } from '#lib/time/clock.ts';
import { required } from '#functions/shared/env.ts';
import { logger, metrics, tracer } from '#functions/shared/observability.ts';
import { getRuntime, type Runtime } from '#functions/shared/runtime.ts';

/**
 * Time kept back from the Lambda timeout: the page in flight when the budget runs out,
 * its checkpoint, and the continuation's send must all finish before the timeout.
 */
export const SAFETY_MARGIN_MS = 30_000;

/** Tells an account's owner it must be reconnected (the reconnect email). */
export type ReconnectNotifier = (runtime: Runtime, userId: string, accountId: string, now: () => Date) => Promise<unknown>;

let mailer: Mailer | undefined;

/**
 * The reconnect email through SES (lib/mail/reconnect-notice.ts), which itself sends
 * at most one per transition; the mailer is built once per cold start.
 */
export const sesReconnectNotice: ReconnectNotifier = async (runtime, userId, accountId, now) => {
  const { env } = runtime;
  mailer ??= new SesMailer({
    client: new SESv2Client({}),
    ...(env.SINEW_SES_CONFIGURATION_SET ? { configurationSetName: env.SINEW_SES_CONFIGURATION_SET } : {}),
  });
  return sendReconnectNotice(
    { store: runtime.store, mailer, sender: required(env, 'SINEW_SENDER'), baseUrl: required(env, 'SINEW_BASE_URL'), secret: await runtime.linkSecret(), now },
    userId,
    accountId,
  );
};

export interface SyncWorkerOptions {
  /** @default the wall clock */
  clock?: Clock;
  /** @default from the environment (the real providers unless SINEW_* endpoints are set) */
  endpoints?: ProviderEndpoints;
  /** @default {@link SAFETY_MARGIN_MS} */
  safetyMarginMs?: number;
  /** Called once when a job turns an account `needs-reconnect`. @default {@link sesReconnectNotice} */
  notifyReconnect?: ReconnectNotifier;
}

/**
 * The sync worker's handler: each record of the FIFO batch is one SyncJob, run in order.
 * A failed sync that leaves its mailbox stale (failing for a day, lib/sync/freshness.ts)
 * adds 1 to the `MailboxSyncStale` metric, which the admin's alarm watches.
 * A failed record fails the rest of its message group (SqsFifoPartialProcessorAsync with
 * `skipGroupOnError`), so one mailbox's jobs never run out of order while other mailboxes
 * in the batch go on; the failed ones come back after the visibility timeout, and after
 * `maxReceiveCount` the DLQ keeps them. A malformed body fails with its fault named.
 */
export function makeSyncWorkerHandler(options: SyncWorkerOptions = {}) {
  const clock = options.clock ?? systemClock;
  const margin = options.safetyMarginMs ?? SAFETY_MARGIN_MS;

  async function work(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    const runtime = getRuntime();
    const queue = new SqsSyncQueue(runtime.sqs, required(runtime.env, 'SINEW_SYNC_QUEUE_URL'));
    const providers = providerClients(runtime.oauthClient, options.endpoints ?? providerEndpointsFromEnv());
    const notify = options.notifyReconnect ?? sesReconnectNotice;
    const now = () => new Date(clock.now());
    const tally = { synced: 0, throttled: 0, continuations: 0 };

    async function syncRecord(record: SQSRecord): Promise<void> {
      let job;
      try {
        job = parseJob(syncJobSchema, record.body, `sync job ${record.messageId}`);
      } catch (err) {
        // Redelivery cannot fix it: it fails until maxReceiveCount sends it to the DLQ.
        logger.error('malformed sync job', { messageId: record.messageId, error: (err as Error).message });
        throw err;
      }
      const log = { accountId: job.accountId, reason: job.reason, messageId: record.messageId };
      try {
        const result = await runSyncJob(job, {
          store: runtime.store,
          vault: runtime.vault,
          queue,
          providers,
          clock,
          // Per record: earlier records of the batch have used some of the invocation.
          budgetMs: context.getRemainingTimeInMillis() - margin,
          onSyncFailed: (account, freshness) => {
            // Syncs failing for a day (not a revoked grant): the owner sees the mailbox
            // stale in the weekly email, and the admin's alarm watches this metric.
            if (freshness.state !== 'stale') return;
            metrics.addMetric('MailboxSyncStale', MetricUnit.Count, 1);
            logger.warn('mailbox sync stale', { accountId: account.accountId, failingSince: freshness.failingSince, lastSyncAt: freshness.lastSyncAt ?? null });
          },
          onNeedsReconnect: async (userId, accountId) => {
            // The sync itself went right; a lost notice must not fail the job, whose
            // redelivery would find the account already needs-reconnect and not retry it.
            // The weekly report still shows the mailbox needs reconnecting.
            try {
              const sent = await notify(runtime, userId, accountId, now);
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

    const response = await processPartialResponse(event, syncRecord, new SqsFifoPartialProcessorAsync(), {
      context,
      skipGroupOnError: true,
      // Every record failing is still a partial response: SQS retries exactly those.
      throwOnFullBatchFailure: false,
    });
    metrics.addMetric('MessagesSynced', MetricUnit.Count, tally.synced);
    metrics.addMetric('Throttled', MetricUnit.Count, tally.throttled);
    metrics.addMetric('Continuations', MetricUnit.Count, tally.continuations);
    return response;
  }

  return middy(work).use(captureLambdaHandler(tracer)).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

export const handler = makeSyncWorkerHandler();
