import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { dispatchReports } from '#lib/report/dispatch.ts';
import { SqsReportQueue } from '#lib/queue/sqs.ts';
import { InputError } from '#lib/errors.ts';
import { getRuntime } from '#functions/shared/runtime.ts';
import { required } from '#functions/shared/env.ts';
import { lambdaHandler } from '#functions/shared/handler.ts';
import { logger, metrics } from '#functions/shared/observability.ts';

/**
 * The hourly report tick (EventBridge Scheduler, minute 0): enqueues a report job for
 * every unpaused user whose zone is at Monday `SINEW_REPORT_HOUR` local. The schedule
 * should pass `{"scheduledTime": "<aws.scheduler.scheduled-time>"}` so a retried
 * invocation enqueues the same jobs (same `asOf`); an EventBridge rule event's `time`
 * works too, and without either the invocation time is used.
 */
const tickSchema = z
  .object({ scheduledTime: z.iso.datetime().optional(), time: z.iso.datetime().optional() })
  .loose();

export async function dispatch(event: unknown): Promise<{ jobs: number; zones: number }> {
  const parsed = tickSchema.safeParse(event ?? {});
  if (!parsed.success) throw new InputError(`report tick: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const { env, store, sqs } = getRuntime();
  const tick = parsed.data.scheduledTime ?? parsed.data.time;
  const result = await dispatchReports({
    store,
    queue: new SqsReportQueue(sqs, required(env, 'SINEW_REPORT_QUEUE_URL')),
    now: tick ? new Date(tick) : new Date(),
    reportHour: env.SINEW_REPORT_HOUR,
  });
  metrics.addMetric('ReportJobsEnqueued', MetricUnit.Count, result.jobs);
  logger.info('report jobs enqueued', { jobs: result.jobs, zones: result.zones.length });
  return { jobs: result.jobs, zones: result.zones.length };
}

export const handler = lambdaHandler(dispatch);
