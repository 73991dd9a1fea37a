import { describe, expect, it } from 'vitest';
import { ConfigError } from '#lib/errors.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { GMAIL_QUOTA_2026, GMAIL_QUOTA_LEGACY } from '#lib/providers/google/quota.ts';
import { QuotaGovernor, scaleQuota } from '#lib/providers/governor.ts';

/** The largest spend in any window of `windowMs` over the recorded spends. */
function peak(spends: Array<{ at: number; units: number }>, windowMs: number): number {
  let best = 0;
  let sum = 0;
  let start = 0;
  for (const s of spends) {
    sum += s.units;
    while (spends[start]!.at <= s.at - windowMs) sum -= spends[start++]!.units;
    best = Math.max(best, sum);
  }
  return best;
}

/** Keeps `workers` callers busy for `untilMs` of virtual time with a mix of costs. */
async function saturate(g: QuotaGovernor, clock: VirtualClock, untilMs: number, costs: number[], workers = 10): Promise<number> {
  const end = clock.now() + untilMs;
  let calls = 0;
  const worker = async (w: number): Promise<void> => {
    for (let i = w; clock.now() < end; i += workers) {
      await g.schedule(costs[i % costs.length]!, async () => {
        calls++;
      });
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return calls;
}

describe('QuotaGovernor', () => {
  for (const quota of [GMAIL_QUOTA_2026, GMAIL_QUOTA_LEGACY]) {
    it(`never spends more than the ${quota.name} ceiling in any moving minute, and at least 90% of it on average`, async () => {
      const clock = new VirtualClock();
      const spends: Array<{ at: number; units: number }> = [];
      const g = new QuotaGovernor({ clock, limit: quota.limit, onSpend: (at, units) => spends.push({ at, units }) });
      const t0 = clock.now();
      const c = quota.costs;
      await saturate(g, clock, 5 * 60_000, [c['messages.get'], c['threads.get'], c['messages.get'], c['messages.list'], c['history.list']]);
      expect(peak(spends, 60_000)).toBeLessThanOrEqual(quota.limit);
      const inFiveMinutes = spends.filter((s) => s.at < t0 + 5 * 60_000).reduce((n, s) => n + s.units, 0);
      expect(inFiveMinutes / (5 * quota.limit)).toBeGreaterThanOrEqual(0.9);
      // Every full minute, not just the average, runs near the ceiling.
      for (let m = 1; m < 5; m++) {
        const minute = spends.filter((s) => s.at >= t0 + m * 60_000 && s.at < t0 + (m + 1) * 60_000).reduce((n, s) => n + s.units, 0);
        expect(minute / quota.limit).toBeGreaterThanOrEqual(0.9);
      }
    });
  }

  it('scales with a shortened window (benchmarks)', async () => {
    const clock = new VirtualClock();
    const quota = scaleQuota(GMAIL_QUOTA_2026, 100);
    const spends: Array<{ at: number; units: number }> = [];
    const g = new QuotaGovernor({ clock, limit: quota.limit, windowMs: quota.windowMs, onSpend: (at, units) => spends.push({ at, units }) });
    await saturate(g, clock, 3_000, [20, 40]);
    expect(quota.windowMs).toBe(600);
    expect(peak(spends, 600)).toBeLessThanOrEqual(quota.limit);
    expect(spends.reduce((n, s) => n + s.units, 0) / (5 * quota.limit)).toBeGreaterThanOrEqual(0.9);
  });

  it('serves requests first come, first served, so a 40-unit call is not starved by cheap ones', async () => {
    const clock = new VirtualClock();
    const g = new QuotaGovernor({ clock, limit: 6_000, concurrency: 100 });
    const order: string[] = [];
    const jobs = [g.schedule(40, async () => order.push('big'))];
    for (let i = 0; i < 20; i++) jobs.push(g.schedule(1, async () => order.push(`small${i}`)));
    await Promise.all(jobs);
    expect(order[0]).toBe('big');
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    const clock = new VirtualClock();
    const g = new QuotaGovernor({ clock, limit: 1_000_000, concurrency: 3 });
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        g.schedule(1, async () => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setImmediate(r));
          inFlight--;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it('holds every request back after a penalty (a 429 seen by one caller)', async () => {
    const clock = new VirtualClock();
    const g = new QuotaGovernor({ clock, limit: 6_000 });
    const t0 = clock.now();
    g.penalize(1_000);
    let at = 0;
    await g.schedule(1, async () => {
      at = clock.now();
    });
    expect(at - t0).toBeGreaterThanOrEqual(1_000);
  });

  it('refuses a quota too small for its largest call', () => {
    expect(() => new QuotaGovernor({ clock: new VirtualClock(), limit: 100, maxCost: 40 })).toThrow(ConfigError);
  });
});
