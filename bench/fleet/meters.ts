/**
 * Fleet-wide limits shared by every invocation: a provider's per-app quota, a table's
 * write throughput. Each keeps what the binding-limit verdict needs: how busy it was.
 */

/**
 * A per-app request or unit ceiling met by many mailboxes at once (Gmail's per-project
 * quota, Graph's per-app ceiling). Each mailbox's pacer spends at its own per-user rate
 * and knows nothing of the others (the real pacers are per account), so the demand on the
 * app is the sum of the active mailboxes' rates. When that sum exceeds the ceiling the
 * provider would answer 429s: the model records the excess (a quota exceeded) and serves
 * each active mailbox its share of the ceiling from then to the end of its page (a
 * snapshot at the page's start: simpler than re-timing every page at every change, and
 * exact while the demand stays under the ceiling, which the recommended settings keep).
 */
export class AppQuota {
  private active = 0;
  private demand = 0;
  private lastAt: number;
  /** Busiest demand seen, in units per ms. */
  peakDemand = 0;
  /** Time (ms) with the demand over the ceiling. */
  exceededMs = 0;
  /** Integral of min(demand, ceiling) over time: for the average utilization. */
  private usedIntegral = 0;
  /** Units actually spent. */
  spent = 0;

  constructor(
    readonly name: string,
    /** Units per ms. */
    readonly ceiling: number,
    start: number,
  ) {
    this.lastAt = start;
  }

  /** A page starts spending at `rate` (units per ms): the rate it gets. */
  begin(now: number, rate: number): number {
    this.advance(now);
    this.active++;
    this.demand += rate;
    this.peakDemand = Math.max(this.peakDemand, this.demand);
    return this.demand > this.ceiling ? rate * (this.ceiling / this.demand) : rate;
  }

  end(now: number, rate: number, units: number): void {
    this.advance(now);
    this.active--;
    this.demand = Math.max(0, this.demand - rate);
    this.spent += units;
  }

  /** Units spent at once (short calls: history.list, a calendar page). */
  spend(units: number): void {
    this.spent += units;
  }

  utilization(from: number, to: number): number {
    this.advance(to);
    return to > from ? this.usedIntegral / (this.ceiling * (to - from)) : 0;
  }

  private advance(now: number): void {
    if (now > this.lastAt) {
      const dt = now - this.lastAt;
      this.usedIntegral += Math.min(this.demand, this.ceiling) * dt;
      if (this.demand > this.ceiling) this.exceededMs += dt;
      this.lastAt = now;
    }
  }
}

/**
 * DynamoDB on-demand write throughput for the whole table, served in arrival order: a
 * batch of writes finishes once the table has absorbed everything before it at its
 * current capacity (BatchWriteItem hands back unprocessed items under throttling and the
 * store's retry sends them again: the same delay, no loss). Capacity starts at the new
 * table's 4,000 WRU/s and may double the peak seen at least 30 minutes earlier, up to the
 * table quota (see DYNAMODB in limits.ts).
 */
export class TableThroughput {
  private freeAt: number;
  private readonly perMinute = new Map<number, number>();
  private settledPeak = 0;
  private settledUpTo = -Infinity;
  private lastAt: number;
  private capacityIntegral = 0;
  private busyIntegral = 0;
  wru = 0;
  rru = 0;
  peakWruPerS = 0;
  /** Longest wait behind the table's capacity (ms). */
  maxQueueMs = 0;

  constructor(
    private readonly initialWruPerS: number,
    private readonly maxWruPerS: number,
    private readonly peakWindowMs: number,
    start: number,
  ) {
    this.freeAt = start;
    this.lastAt = start;
  }

  /** Capacity in WRU per second at `now`. */
  capacity(now: number): number {
    const settleTo = Math.floor((now - this.peakWindowMs) / 60_000);
    if (settleTo > this.settledUpTo) {
      for (const [m, w] of this.perMinute) {
        if (m <= settleTo) {
          this.settledPeak = Math.max(this.settledPeak, w / 60);
          this.perMinute.delete(m);
        }
      }
      this.settledUpTo = settleTo;
    }
    return Math.min(this.maxWruPerS, Math.max(this.initialWruPerS, 2 * this.settledPeak));
  }

  /** `wru` write units sent at `now`: the time the table has taken them all. */
  write(now: number, wru: number): number {
    const cap = this.capacity(now);
    if (now > this.lastAt) {
      this.capacityIntegral += cap * (now - this.lastAt);
      this.lastAt = now;
    }
    this.wru += wru;
    this.busyIntegral += (wru / cap) * 1000 * cap;
    const minute = Math.floor(now / 60_000);
    const inMinute = (this.perMinute.get(minute) ?? 0) + wru;
    this.perMinute.set(minute, inMinute);
    this.peakWruPerS = Math.max(this.peakWruPerS, inMinute / 60);
    this.freeAt = Math.max(now, this.freeAt) + (wru / cap) * 1000;
    this.maxQueueMs = Math.max(this.maxQueueMs, this.freeAt - now);
    return this.freeAt;
  }

  read(rru: number): void {
    this.rru += rru;
  }

  /** Share of the table's write capacity used since the start (WRU over capacity × time). */
  utilization(now: number): number {
    const cap = this.capacity(now);
    const integral = this.capacityIntegral + (now > this.lastAt ? cap * (now - this.lastAt) : 0);
    return integral > 0 ? this.busyIntegral / integral : 0;
  }
}
