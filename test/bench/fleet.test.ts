import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleet, type FleetResult } from '#bench/fleet/fleet.ts';
import { openLocalStore } from '#lib/local/store.ts';
import type { Store } from '#lib/store/types.ts';

/**
 * The fleet simulation (bench/fleet, `npm run bench:fleet`) at 100 mailboxes with the
 * stack's defaults: the real dispatcher and sync worker over the queue, Lambda and
 * provider models. What must hold whatever the figures: every mailbox gets its 400 days,
 * no modelled quota is exceeded, no message is lost or written twice across the
 * continuations, nothing ends in the dead-letter queue, no invocation runs into its
 * timeout, and a seed gives one history.
 */
describe('fleet simulation, 100 mailboxes, default settings', () => {
  let r: FleetResult;
  beforeAll(async () => {
    r = await runFleet({ size: 100, seed: 7 });
  }, 120_000);

  it('brings every mailbox to its first report', () => {
    expect(r.invariants.notReady).toEqual([]);
    expect(r.readyMs.every((ms) => Number.isFinite(ms) && ms > 0)).toBe(true);
  });

  it('exceeds no quota of the model', () => {
    expect(r.invariants.quotaExceededMs).toBe(0);
    expect(r.app.peakDemandShare).toBeLessThanOrEqual(1);
  });

  it('loses no message and counts none twice across continuations', () => {
    expect(r.workers.continuations).toBeGreaterThan(100);
    expect(r.invariants.lost).toEqual([]);
    expect(r.invariants.replayed).toBe(0);
    expect(r.invariants.written).toBe(r.invariants.held);
    const window = r.mailboxes.reduce((n, m) => n + m.messages + m.meetings, 0);
    expect(r.invariants.held).toBeGreaterThanOrEqual(window);
  });

  it('runs no sync into its timeout and sends nothing to the dead-letter queue', () => {
    expect(r.workers.timeouts).toBe(0);
    expect(r.invariants.deadLettered).toBe(0);
    expect(r.workers.failures).toBe(0);
  });

  it('gives the same history for the same seed', async () => {
    const a = await runFleet({ size: 20, seed: 3, steadyMs: 3_600_000 });
    const b = await runFleet({ size: 20, seed: 3, steadyMs: 3_600_000 });
    expect(b.readyMs).toEqual(a.readyMs);
    expect(b.workers).toEqual(a.workers);
    expect(b.steady).toEqual(a.steady);
  }, 60_000);
});

/**
 * The page-level model against real items: the same small fleet run twice, once with the
 * model store alone (placeholders and ledgers) and once with real MailItems written to
 * the real DynamoDB store on dynalite beside it. The worker must get the same answer
 * from both stores at every call, each mailbox must hold the same items, and the two
 * histories must be the same to the millisecond.
 */
describe('fleet simulation: page-level model against the real store', () => {
  let local: { store: Store; close(): Promise<void> };
  beforeAll(async () => {
    local = await openLocalStore({ tableName: 'fleet-calibration' });
  });
  afterAll(async () => local.close());

  it('agrees call by call and item by item', async () => {
    const options = { size: 30, seed: 11, sizeScale: 0.01, steadyMs: 2 * 3_600_000, syncConcurrency: 5 };
    const pages = await runFleet(options);
    const items = await runFleet({ ...options, realStore: local.store });
    const c = items.calibration!;
    expect(c.realCalls).toBeGreaterThan(500);
    expect(c.disagreements).toEqual([]);
    expect([...c.realItems.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(5_000);
    expect(c.realItems).toEqual(c.modelHeld);
    expect(items.readyMs).toEqual(pages.readyMs);
    expect(items.workers).toEqual(pages.workers);
    expect(items.invariants).toEqual(pages.invariants);
  }, 120_000);
});

/**
 * The larger sizes are simulated as a sample against the same share of every fleet-wide
 * limit (sampleFleet): the sample's times must match the whole fleet's.
 */
describe('fleet simulation: a sample stands for its fleet', () => {
  it('gives the whole fleet\'s times within 10%', async () => {
    const quantile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.ceil(p * xs.length) - 1]!;
    const options = { size: 400, seed: 5, syncConcurrency: 40, steadyMs: 3_600_000 };
    const whole = await runFleet(options);
    const sample = await runFleet({ ...options, sample: 100 });
    expect(sample.mailboxes).toHaveLength(100);
    expect(sample.concurrencySimulated).toBe(10);
    expect(sample.mailboxes[0]!.messages).toBeLessThanOrEqual(Math.max(...whole.mailboxes.map((m) => m.messages)));
    for (const p of [0.5, 0.99, 1]) {
      const a = quantile(whole.readyMs, p);
      const b = quantile(sample.readyMs, p);
      expect(Math.abs(b - a) / a).toBeLessThan(0.1);
    }
  }, 120_000);
});
