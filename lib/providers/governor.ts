import { ConfigError } from '#lib/errors.ts';
import type { Clock } from '#lib/time/clock.ts';

/**
 * A provider's per-user rate limit in quota units: `limit` units per moving window of
 * `windowMs`, and what each method costs. Benchmarks may scale `windowMs` down (with the
 * emulator's window) because the figures that matter do not depend on the clock's speed.
 */
export interface QuotaModel<M extends string = string> {
  name: string;
  /** Units allowed per user in any moving window of `windowMs`. */
  limit: number;
  windowMs: number;
  /** Units each method costs. */
  costs: Readonly<Record<M, number>>;
}

/** The same model with its window shortened by `factor` (benchmarks only). */
export function scaleQuota<M extends string>(model: QuotaModel<M>, factor: number): QuotaModel<M> {
  return { ...model, name: `${model.name}/${factor}`, windowMs: model.windowMs / factor };
}

/** Options of {@link QuotaGovernor}. */
export interface GovernorOptions {
  clock: Clock;
  /** Units per moving window: the provider's per-user ceiling. */
  limit: number;
  /** @default 60_000 */
  windowMs?: number;
  /**
   * Share of the ceiling spent in steady state. The burst allowance is what remains
   * below the ceiling minus a 1% margin, so no moving window ever exceeds the ceiling.
   * @default 0.95
   */
  utilization?: number;
  /** Requests in flight at once (Gmail's unpublished per-user concurrency limit). @default 10 */
  concurrency?: number;
  /** The largest single cost that will be asked for; the bucket must hold it. @default 40 */
  maxCost?: number;
  /** Called as units are spent, with the clock's time: for tests and benchmarks. */
  onSpend?: (at: number, units: number) => void;
}

/**
 * A per-user quota governor: a token bucket in quota units plus a concurrency cap.
 *
 * Google enforces the per-minute quota over a moving window, so a bucket that starts full
 * and then refills at the ceiling rate would overshoot in its first minute. Here the bucket
 * holds only a few seconds' worth (`capacity`), starts empty, and refills at
 * `utilization × limit` per window. Any window of length `windowMs` can then spend at most
 * `capacity + utilization × limit`, which is kept at or under 99% of the ceiling.
 * Requests are served first come, first served, so an expensive `threads.get` is never
 * starved by cheap calls. One governor per user (account); all waits use the injected clock.
 */
export class QuotaGovernor {
  readonly capacity: number;
  /** Units per millisecond. */
  readonly rate: number;
  private level = 0;
  private last: number;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly clock: Clock;
  private readonly concurrency: number;
  private readonly onSpend: ((at: number, units: number) => void) | undefined;
  /** Units spent since construction. */
  spent = 0;

  constructor(opts: GovernorOptions) {
    const windowMs = opts.windowMs ?? 60_000;
    const utilization = opts.utilization ?? 0.95;
    const maxCost = opts.maxCost ?? 40;
    if (!(opts.limit > 0) || !(windowMs > 0)) {
      throw new ConfigError(`quota governor: limit and windowMs must be positive (got ${opts.limit}, ${windowMs})`);
    }
    if (!(utilization > 0 && utilization < 0.99)) {
      throw new ConfigError(`quota governor: utilization must be in (0, 0.99) (got ${utilization})`);
    }
    this.capacity = Math.max(maxCost, opts.limit * (0.99 - utilization));
    if (this.capacity + utilization * opts.limit > opts.limit) {
      throw new ConfigError(
        `quota governor: a ${maxCost}-unit request does not fit under a ${opts.limit}-unit ceiling at ${utilization} utilization; lower utilization`,
      );
    }
    this.rate = (utilization * opts.limit) / windowMs;
    this.clock = opts.clock;
    this.concurrency = Math.max(1, opts.concurrency ?? 10);
    this.onSpend = opts.onSpend;
    this.last = this.clock.now();
  }

  /**
   * Runs `fn` once a concurrency slot is free and `cost` units are in the bucket; the
   * units are spent just before `fn` starts, so spending and sending coincide.
   */
  async schedule<T>(cost: number, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquireSlot(signal);
    try {
      await this.take(cost, signal);
      return await fn();
    } finally {
      this.releaseSlot();
    }
  }

  /**
   * Empties the bucket and holds every request back for `ms`: after a 429 the others in
   * flight must not keep hitting the ceiling (DESIGN 8: back off at least 1 s).
   */
  penalize(ms: number): void {
    this.refill();
    this.level = Math.min(this.level, 0);
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  private take(cost: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitFor(cost, signal));
    // The next request waits for this one's turn, failed or not.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitFor(cost: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.refill();
      const now = this.clock.now();
      const wait = Math.max(this.pausedUntil - now, (cost - this.level) / this.rate);
      if (wait <= 0) break;
      await this.clock.sleep(Math.ceil(wait));
    }
    this.level -= cost;
    this.spent += cost;
    this.onSpend?.(this.clock.now(), cost);
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.level = Math.min(this.capacity, this.level + (now - this.last) * this.rate);
      this.last = now;
    }
  }

  private acquireSlot(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    // Hand the slot straight to the next waiter: inFlight stays the same.
    if (next) next();
    else this.inFlight--;
  }
}
