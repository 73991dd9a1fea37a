import { beforeAll, describe, expect, it } from 'vitest';
import { runFleet, type FleetResult } from '../../bench/fleet/fleet.ts';

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
