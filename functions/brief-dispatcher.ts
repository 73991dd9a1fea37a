import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { dispatchBriefs } from '#lib/brief/dispatch.ts';
import { SqsBriefQueue } from '#lib/queue/sqs.ts';
import { InputError } from '#lib/errors.ts';
import { getRuntime } from '#functions/shared/runtime.ts';
import { required } from '#functions/shared/env.ts';
import { lambdaHandler } from '#functions/shared/handler.ts';
import { logger, metrics } from '#functions/shared/observability.ts';

/**
 * The hourly brief tick (EventBridge Scheduler, minute 0): enqueues a brief job for every
 * person whose local time is `SINEW_BRIEF_HOUR` and who has briefs on and a briefed
 * meeting that local day (lib/brief/dispatch.ts). The schedule passes the tick's
 * `time`, so a retried invocation enqueues the same jobs (same date and `asOf`), which
 * the worker's claim makes one email each; without it the invocation time is used.
 */
const tickSchema = z
  .object({ scheduledTime: z.iso.datetime().optional(), time: z.iso.datetime().optional() })
  .loose();

export async function dispatch(event: unknown): Promise<{ jobs: number; zones: number; listed: number }> {
  const parsed = tickSchema.safeParse(event ?? {});
  if (!parsed.success) throw new InputError(`brief tick: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const { env, store, sqs } = getRuntime();
  const tick = parsed.data.scheduledTime ?? parsed.data.time;
  const result = await dispatchBriefs({
    store,
    queue: new SqsBriefQueue(sqs, required(env, 'SINEW_BRIEF_QUEUE_URL')),
    now: tick ? new Date(tick) : new Date(),
    briefHour: env.SINEW_BRIEF_HOUR,
  });
  metrics.addMetric('BriefJobsEnqueued', MetricUnit.Count, result.jobs);
  logger.info('brief jobs enqueued', { jobs: result.jobs, zones: result.zones.length, listed: result.listed, ...result.skipped });
  return { jobs: result.jobs, zones: result.zones.length, listed: result.listed };
}

export const handler = lambdaHandler(dispatch);
