import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { providerClients, type ProviderEndpoints } from '#lib/providers/account-sources.ts';
import { SqsSyncQueue } from '#lib/queue/sqs.ts';
import { newSyncTally, runSyncMessage } from '#lib/sync/worker.ts';
import { systemClock, type Clock } from '#lib/time/clock.ts';
import { required } from '#functions/shared/env.ts';
import { lambdaHandler } from '#functions/shared/handler.ts';
import { sesReconnectNotice, type ReconnectNotifier } from '#functions/shared/mail.ts';
import { logger, metrics } from '#functions/shared/observability.ts';
import { runtimeProviders } from '#functions/shared/providers.ts';
import { getRuntime, perRuntime } from '#functions/shared/runtime.ts';

/**
 * Time kept back from the Lambda timeout: the page in flight when the budget runs out,
 * its checkpoint, and the continuation's send must all finish before the timeout.
 */
export const SAFETY_MARGIN_MS = 30_000;

export interface SyncWorkerOptions {
  /** @default the wall clock */
  clock?: Clock;
  /** @default from the environment (the real providers unless SINEW_* endpoints are set) */
  endpoints?: ProviderEndpoints;
  /** @default {@link SAFETY_MARGIN_MS} */
  safetyMarginMs?: number;
  /** Called once when a job turns an account `needs-reconnect`. @default the reconnect email through SES */
  notifyReconnect?: ReconnectNotifier;
}

/**
 * The sync worker's handler: each record of the FIFO batch is one SyncJob, run in order
 * (lib/sync/worker.ts). A mailbox gone stale adds 1 to the `MailboxSyncStale` metric, which
 * the admin's alarm watches. A failed record fails the rest of its message group
 * (SqsFifoPartialProcessorAsync with `skipGroupOnError`), so one mailbox's jobs never run
 * out of order while other mailboxes in the batch go on; the failed ones come back after
 * the visibility timeout, and after `maxReceiveCount` the DLQ keeps them.
 */
export function makeSyncWorkerHandler(options: SyncWorkerOptions = {}) {
  const clock = options.clock ?? systemClock;
  const margin = options.safetyMarginMs ?? SAFETY_MARGIN_MS;
  const notify = options.notifyReconnect ?? sesReconnectNotice;
  const endpoints = options.endpoints;
  const providersOf = endpoints ? perRuntime((runtime) => providerClients(runtime.oauthClient, endpoints)) : runtimeProviders;

  async function work(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    const runtime = getRuntime();
    const queue = new SqsSyncQueue(runtime.sqs, required(runtime.env, 'SINEW_SYNC_QUEUE_URL'));
    const now = () => new Date(clock.now());
    const tally = newSyncTally();
    const deps = {
      store: runtime.store,
      vault: runtime.vault,
      queue,
      providers: providersOf(runtime),
      clock,
      notifyReconnect: (userId: string, accountId: string) => notify(runtime, userId, accountId, now),
      onStale: () => metrics.addMetric('MailboxSyncStale', MetricUnit.Count, 1),
      log: logger,
    };
    // Per record: earlier records of the batch have used some of the invocation.
    const syncRecord = (record: SQSRecord) => runSyncMessage({ id: record.messageId, body: record.body }, context.getRemainingTimeInMillis() - margin, deps, tally);
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

  return lambdaHandler(work);
}

export const handler = makeSyncWorkerHandler();
