import type { Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SinewError } from '#lib/errors.ts';
import type { Mailer } from '#lib/mail/mailer.ts';
import { pacedMailer, SEND_RETRY_MARGIN_MS, SendPacer, sendIntervalMs } from '#lib/mail/pace.ts';
import { systemClock, type Clock } from '#lib/time/clock.ts';
import { sesMailer } from './mail.ts';
import { logger, metrics } from './observability.ts';
import { perRuntime, type Runtime } from './runtime.ts';

/**
 * SES sends of the queue workers that mail people in waves (the weekly report on Monday,
 * the brief at the brief hour), kept to the account's sending rate (lib/mail/pace.ts): the
 * stack caps each worker at `reportWorkerConcurrency(sesSendRate)`, each execution
 * environment spaces its sends by `sendIntervalMs` (SINEW_SES_SEND_RATE; unpaced without
 * it), and a send SES throttles for the rate is tried again within the invocation until
 * {@link SEND_RETRY_MARGIN_MS} before its end. A record not started by then goes back to
 * the queue unbuilt ({@link DeferredSendError}), spending a receive but no send.
 */

/** A record left for a later receive: too little of the invocation was left to build and send it. */
export class DeferredSendError extends SinewError {
  override name = 'DeferredSendError';
}

export interface PacingOptions {
  /** Pacing and throttling waits. @default the wall clock */
  clock?: Clock;
  /** Jitter of the throttling waits. @default Math.random */
  random?: () => number;
}

/** What one record is sent with: the paced mailer, and the clock it keeps time by. */
export interface PacedSend {
  mailer: Mailer;
  clock: Clock;
  /** The invocation's remaining time when the record started, in ms. */
  remainingMs: number;
}

/**
 * The pacing of one worker function: call it once per function (one pacer per execution
 * environment, whose invocations run one after the other), then `forRecord` per record.
 *
 * @param metric the metric counted at each throttled try (`ReportThrottled`, `BriefThrottled`)
 */
export function sesPacing(metric: string, options: PacingOptions = {}) {
  const clock = options.clock ?? systemClock;
  const pacerOf = perRuntime((runtime: Runtime) => {
    const rate = runtime.env.SINEW_SES_SEND_RATE;
    return rate === undefined ? undefined : new SendPacer(sendIntervalMs(rate), clock);
  });
  return {
    clock,
    /**
     * The mailer for one record, or a {@link DeferredSendError} when the invocation has too
     * little time left to start it (`what` names the record in the error and the log).
     */
    forRecord(runtime: Runtime, context: Context | undefined, what: Record<string, string>): PacedSend {
      const remainingMs = context?.getRemainingTimeInMillis() ?? 15 * 60_000;
      if (remainingMs < SEND_RETRY_MARGIN_MS) {
        logger.warn('deferred: too little of the invocation left', { ...what, remainingMs });
        throw new DeferredSendError(`${JSON.stringify(what)} was not started with ${remainingMs} ms left; it comes back from the queue`);
      }
      const mailer = pacedMailer(sesMailer(runtime), {
        pacer: pacerOf(runtime) ?? new SendPacer(0, clock),
        clock,
        deadline: clock.now() + remainingMs - SEND_RETRY_MARGIN_MS,
        ...(options.random ? { random: options.random } : {}),
        onThrottled: (waitMs) => {
          metrics.addMetric(metric, MetricUnit.Count, 1);
          logger.info('send throttled by SES; trying again', { ...what, waitMs: Math.round(waitMs) });
        },
      });
      return { mailer, clock, remainingMs };
    },
  };
}
