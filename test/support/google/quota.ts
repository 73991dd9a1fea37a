/**
 * Per-user quota accounting as Google enforces it: units per moving window. A request
 * that would go over is refused (and not counted); the emulator answers it with 429.
 */
import type { Clock } from '#lib/time/clock.ts';

/** Options of {@link QuotaLedger}. */
export interface QuotaLedgerOptions {
  clock: Clock;
  /** Units per user per window. */
  limit: number;
  /** @default 60_000 (benchmarks scale it down) */
  windowMs?: number;
}

/** Spends and refusals per user over a moving window. */
export class QuotaLedger {
  readonly limit: number;
  readonly windowMs: number;
  /** Requests refused for quota, per user. */
  readonly refused = new Map<string, number>();
  /** Every accepted charge, in order: for "no window over the ceiling" assertions. */
  readonly charges: Array<{ user: string; at: number; units: number }> = [];
  private readonly clock: Clock;
  private readonly recent = new Map<string, Array<{ at: number; units: number }>>();

  constructor(opts: QuotaLedgerOptions) {
    this.clock = opts.clock;
    this.limit = opts.limit;
    this.windowMs = opts.windowMs ?? 60_000;
  }

  /** Charges `units` to `user` now; false (nothing charged) when it would exceed the limit. */
  charge(user: string, units: number): boolean {
    const now = this.clock.now();
    const list = this.recent.get(user) ?? [];
    while (list.length > 0 && list[0]!.at <= now - this.windowMs) list.shift();
    const used = list.reduce((sum, c) => sum + c.units, 0);
    if (used + units > this.limit) {
      this.refused.set(user, (this.refused.get(user) ?? 0) + 1);
      return false;
    }
    list.push({ at: now, units });
    this.recent.set(user, list);
    this.charges.push({ user, at: now, units });
    return true;
  }

  /** When `user` may next spend `units`: the ISO time Google puts in "Retry after". */
  retryAt(user: string, units: number): string {
    const list = this.recent.get(user) ?? [];
    let used = list.reduce((sum, c) => sum + c.units, 0);
    let at = this.clock.now();
    for (const c of list) {
      if (used + units <= this.limit) break;
      used -= c.units;
      at = c.at + this.windowMs;
    }
    return new Date(at).toISOString();
  }

  /** Total refusals (all users). */
  get refusals(): number {
    let n = 0;
    for (const v of this.refused.values()) n += v;
    return n;
  }

  /** The most units any moving window of `windowMs` held, for one user. */
  peakWindow(user: string): number {
    const list = this.charges.filter((c) => c.user === user);
    let peak = 0;
    let sum = 0;
    let start = 0;
    for (const c of list) {
      sum += c.units;
      while (list[start]!.at <= c.at - this.windowMs) sum -= list[start++]!.units;
      peak = Math.max(peak, sum);
    }
    return peak;
  }
}
