import type { Clock } from '#lib/time/clock.ts';
import { MailDeliveryError } from './errors.ts';
import type { Mailer } from './mailer.ts';

/**
 * Keeping Monday's report wave within the SES account's sending rate (README, "Fleet
 * simulation": at 14 a second with no limit on the report worker, thousands of reports
 * went to the dead-letter queue). Two halves:
 * - the stack caps the report workers running at once ({@link reportWorkerConcurrency},
 *   the SQS event source's maxConcurrency), from the CDK context `sesSendRate`;
 * - each worker spaces its sends ({@link SendPacer}, {@link sendIntervalMs}), so workers ×
 *   sends a second per worker stays at the rate however quickly reports are built.
 * A send SES throttles all the same (a fresh execution environment that does not know when
 * its predecessor sent, another function sending on the same account) is tried again
 * inside the invocation after a wait ({@link pacedMailer}), so the record does not go back
 * to the queue and spend one of its receives. A used-up daily quota is not waited on: no
 * wait of seconds helps, the record fails and the queue's receive limit ends it.
 */

/**
 * Report workers per message a second of the sending rate. A median report takes about
 * 2 s to read, compute and render (1.6 s reading 20,000 items at the bench's 12,614 a
 * second), so three workers, each sending at most once every 3 s at the rate's share,
 * keep SES busy without going over.
 */
export const WORKERS_PER_SEND_PER_SECOND = 3;
/** The SQS event source's maxConcurrency range. */
const MIN_WORKERS = 2;
const MAX_WORKERS = 1000;

/** The first production sending rate of an SES account (messages a second). */
export const DEFAULT_SES_SEND_RATE = 14;

/** How many report workers may run at once for an SES sending rate (messages a second). */
export function reportWorkerConcurrency(sesSendRate: number): number {
  return Math.min(MAX_WORKERS, Math.max(MIN_WORKERS, Math.ceil(sesSendRate * WORKERS_PER_SEND_PER_SECOND)));
}

/**
 * The least time between two sends of one worker, so that `workers` workers together send
 * at most `sesSendRate` a second.
 */
export function sendIntervalMs(sesSendRate: number, workers = reportWorkerConcurrency(sesSendRate)): number {
  return Math.ceil((1000 * workers) / sesSendRate);
}

/**
 * One worker's send slots, `intervalMs` apart: kept per execution environment, so the
 * invocations an environment runs one after the other share it.
 */
export class SendPacer {
  private next = Number.NEGATIVE_INFINITY;

  constructor(
    readonly intervalMs: number,
    private readonly clock: Clock,
  ) {}

  /** Waits for the next free slot and takes it. */
  async take(): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await this.clock.sleep(at - now);
  }
}

/** The first wait after a throttled send, doubled after each further one up to the cap. */
export const THROTTLE_FIRST_WAIT_MS = 1000;
export const THROTTLE_MAX_WAIT_MS = 16_000;

/**
 * How long before the invocation's end throttled sends stop being tried again: the rest of
 * the batch is then handed back to the queue while there is time to answer.
 */
export const SEND_RETRY_MARGIN_MS = 45_000;

/** The wait before try `attempt + 1` of a throttled send: between half and all of the doubled wait. */
export function throttleWaitMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(THROTTLE_MAX_WAIT_MS, THROTTLE_FIRST_WAIT_MS * 2 ** attempt);
  return ceiling / 2 + (random() * ceiling) / 2;
}

export interface PacedMailerOptions {
  pacer: SendPacer;
  clock: Clock;
  /** Epoch ms after which a throttled send is no longer tried again (its error is thrown). */
  deadline: number;
  /** @default Math.random */
  random?: () => number;
  /** Told of each throttled try and the wait before the next. */
  onThrottled?: (waitMs: number) => void;
}

/**
 * `inner` paced by `pacer`; a send refused for the sending rate (a {@link MailDeliveryError}
 * with `throttled: 'rate'`) is tried again after {@link throttleWaitMs} while the deadline
 * allows. Every other failure, a used-up daily quota included, is thrown at once.
 */
export function pacedMailer(inner: Mailer, options: PacedMailerOptions): Mailer {
  const random = options.random ?? Math.random;
  return {
    async send(email) {
      for (let attempt = 0; ; attempt++) {
        await options.pacer.take();
        try {
          return await inner.send(email);
        } catch (error) {
          if (!(error instanceof MailDeliveryError) || error.throttled !== 'rate') throw error;
          const wait = throttleWaitMs(attempt, random);
          if (options.clock.now() + wait >= options.deadline) throw error;
          options.onThrottled?.(wait);
          await options.clock.sleep(wait);
        }
      }
    },
  };
}
