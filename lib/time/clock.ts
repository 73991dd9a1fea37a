/**
 * Time for retries, pacing and budgets, passed in so tests never sleep for real: a
 * virtual clock (test/support/virtual-clock.ts) advances instantly when slept on.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
