import type { Clock } from '#lib/time/clock.ts';
import { QuotaGovernor } from '#lib/providers/governor.ts';
import type { QuotaModel } from '#lib/providers/governor.ts';
import type { RequestPacer } from '#lib/providers/pacer.ts';
import { withRetry } from './retry.ts';
import type { GoogleFailure } from './retry.ts';

/** Options of {@link createGooglePacer}. */
export interface GooglePacerOptions {
  clock: Clock;
  /** The per-user quota in force (GMAIL_QUOTA_2026, GMAIL_QUOTA_LEGACY, GCAL_QUOTA...). */
  quota: QuotaModel;
  /** Requests in flight per user. @default 10 */
  concurrency?: number;
  /** Share of the ceiling to spend in steady state. @default 0.95 */
  utilization?: number;
  /** Uniform [0, 1) for backoff jitter. @default Math.random */
  random?: () => number;
  /** Attempts per call, the first included. @default 8 */
  maxAttempts?: number;
  /** Told about each retry (for logs and tests). */
  onRetry?: (failure: GoogleFailure, attempt: number, delayMs: number) => void;
  /** Told as units are spent (for tests and benchmarks). */
  onSpend?: (at: number, units: number) => void;
}

/** A {@link RequestPacer} for one Google user, with its governor exposed for figures. */
export interface GooglePacer extends RequestPacer {
  readonly governor: QuotaGovernor;
}

/**
 * The pacer Google sources use: every attempt (retries included) spends its units in the
 * user's {@link QuotaGovernor}, and failures go through {@link withRetry}. After a rate
 * limit answer the whole governor pauses for at least a second, not only the caller.
 * The googleapis client must not retry on its own (`retry: false`), so every attempt is
 * paced and counted here.
 */
export function createGooglePacer(opts: GooglePacerOptions): GooglePacer {
  const maxCost = Math.max(...Object.values<number>(opts.quota.costs));
  const governor = new QuotaGovernor({
    clock: opts.clock,
    limit: opts.quota.limit,
    windowMs: opts.quota.windowMs,
    utilization: opts.utilization,
    concurrency: opts.concurrency,
    maxCost,
    onSpend: opts.onSpend,
  });
  return {
    governor,
    run: (cost, fn, signal) =>
      withRetry(() => governor.schedule(cost, fn, signal), {
        clock: opts.clock,
        random: opts.random,
        maxAttempts: opts.maxAttempts,
        signal,
        onRetry: (failure, attempt, delayMs) => {
          if (failure.kind === 'rate-limit') governor.penalize(Math.min(delayMs, 1000));
          opts.onRetry?.(failure, attempt, delayMs);
        },
      }),
  };
}
