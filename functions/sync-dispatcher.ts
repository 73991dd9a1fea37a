import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { InputError } from '#lib/errors.ts';
import { SqsSyncQueue } from '#lib/queue/sqs.ts';
import { dispatchSyncs, type DispatchSyncsResult } from '#lib/sync/dispatch.ts';
import { systemClock } from '#lib/time/clock.ts';
import { required } from '#functions/shared/env.ts';
import { lambdaHandler } from '#functions/shared/handler.ts';
import { logger, metrics } from '#functions/shared/observability.ts';
import { getRuntime } from '#functions/shared/runtime.ts';

/**
 * The EventBridge Scheduler invocation: it carries little. `time` (an EventBridge event's,
 * or the schedule's `<aws.scheduler.scheduled-time>` when the stack templates it in) is
 * the tick; a retried invocation carries the same one, so it sends the same jobs.
 */
const scheduleEventSchema = z.looseObject({ time: z.iso.datetime({ offset: true }).optional() });

/** Fans the schedule tick out to one sync job per account due (DESIGN section 1). */
async function dispatch(event: unknown, _context: Context): Promise<DispatchSyncsResult> {
  const parsed = scheduleEventSchema.safeParse(event ?? {});
  if (!parsed.success) {
    throw new InputError(`sync dispatcher: event.time: ${parsed.error.issues[0]!.message}`);
  }
  const runtime = getRuntime();
  const now = parsed.data.time ? new Date(parsed.data.time) : new Date(systemClock.now());
  const queue = new SqsSyncQueue(runtime.sqs, required(runtime.env, 'SINEW_SYNC_QUEUE_URL'));
  const intervalMs = runtime.env.SINEW_SYNC_INTERVAL_MINUTES * 60_000;
  const result = await dispatchSyncs({ store: runtime.store, queue, now, intervalMs });
  metrics.addMetric('AccountsEnqueued', MetricUnit.Count, result.enqueued);
  logger.info('sync jobs enqueued', { ...result });
  return result;
}

export const handler = lambdaHandler(dispatch);
