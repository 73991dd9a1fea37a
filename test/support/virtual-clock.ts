import type { Clock } from '#lib/time/clock.ts';

/**
 * A virtual clock: `sleep` moves time to the sleeper's deadline at once (after yielding to
 * the event loop, so concurrent work interleaves), and `slept` records every wait for assertions.
 */
export class VirtualClock implements Clock {
  readonly slept: number[] = [];
  constructor(private t: number = Date.UTC(2026, 10, 23, 7)) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    // Concurrent sleepers wake at their own deadlines: time moves to the latest one asked
    // for, not the sum of all waits.
    const wake = this.t + Math.max(0, ms);
    await new Promise((resolve) => setImmediate(resolve));
    this.t = Math.max(this.t, wake);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
