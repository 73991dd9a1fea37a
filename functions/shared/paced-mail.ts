import { randomUUID } from 'node:crypto';
import type { Context, SQSRecord } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SinewError } from '#lib/errors.ts';
import type { MailJobDeps } from '#lib/mail/send-once.ts';
import { pacedMailer, SEND_RETRY_MARGIN_MS, SendPacer, sendIntervalMs } from '#lib/mail/pace.ts';
import { systemClock, type Clock } from '#lib/time/clock.ts';
import { required } from './env.ts';
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

/** What one record's job sends with (see `MailJobDeps`), its lease set from the invocation's time. */
export type PacedSend = MailJobDeps & { leaseMs: number };

/** Beyond the remaining time, for clock skew between workers. */
const LEASE_MARGIN_MS = 60_000;

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
     * What one record's job sends with, or a {@link DeferredSendError} when the invocation
     * has too little time left to start it (`what` names the record in the error and the log).
     */
    async forRecord(runtime: Runtime, context: Context | undefined, record: SQSRecord, what: Record<string, string>): Promise<PacedSend> {
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
      return {
        store: runtime.store,
        mailer,
        sender: required(runtime.env, 'SINEW_SENDER'),
        baseUrl: required(runtime.env, 'SINEW_BASE_URL'),
        secret: await runtime.linkSecret(),
        owner: `${context?.awsRequestId ?? 'local'}:${record.messageId}:${randomUUID()}`,
        now: () => new Date(clock.now()),
        leaseMs: remainingMs + LEASE_MARGIN_MS,
      };
    },
  };
}
