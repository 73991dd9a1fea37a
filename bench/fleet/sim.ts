import FlatQueue from 'flatqueue';
import type { Clock } from '#lib/time/clock.ts';

/**
 * The fleet simulation's time: a discrete-event loop over a virtual clock. Nothing sleeps
 * for real. Model code schedules callbacks at virtual times; real code (the sync worker,
 * the engine, the dispatchers) waits on {@link Simulation.sleep} like on any Clock, and
 * the loop only moves time on once every piece of real code has reached its next wait.
 *
 * Events at the same virtual time run in one step; between steps the loop yields to
 * `setImmediate`, which Node runs only after the whole microtask queue has drained, so
 * every continuation the step released has run up to its next sleep. Work that waits on
 * real I/O (the item-level calibration against dynalite) is registered with
 * {@link Simulation.io}, and the loop waits for it too.
 */
export class Simulation implements Clock {
  private t: number;
  private readonly events = new FlatQueue<number>();
  private readonly actions = new Map<number, () => void>();
  private nextId = 0;
  private pendingIo = 0;
  private ioDone: (() => void) | undefined;
  /** Steps taken (distinct event times): a measure of the simulation's own work. */
  steps = 0;

  constructor(start: number) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.at(this.t + Math.max(0, ms), resolve));
  }

  /** Runs `fn` at virtual time `time` (not before now). Returns an id for {@link cancel}. */
  at(time: number, fn: () => void): number {
    const id = this.nextId++;
    this.actions.set(id, fn);
    this.events.push(id, Math.max(time, this.t));
    return id;
  }

  cancel(id: number): void {
    this.actions.delete(id);
  }

  /** Holds the clock while `work` waits on real I/O. */
  async io<T>(work: () => Promise<T>): Promise<T> {
    this.pendingIo++;
    try {
      return await work();
    } finally {
      if (--this.pendingIo === 0) this.ioDone?.();
    }
  }

  /** Runs events until none is left before `until`, or `stop()` says so between steps. */
  async run(until: number, stop: () => boolean = () => false): Promise<void> {
    while (this.events.length > 0) {
      const next = this.events.peekValue()!;
      if (next > until || stop()) break;
      this.t = next;
      this.steps++;
      while (this.events.length > 0 && this.events.peekValue() === next) {
        const id = this.events.pop()!;
        const fn = this.actions.get(id);
        if (fn) {
          this.actions.delete(id);
          fn();
        }
      }
      await this.settle();
    }
    if (this.t < until && !stop()) this.t = until;
  }

  /** Until every continuation released by this step waits on the clock again. */
  private async settle(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.pendingIo === 0) return;
      await new Promise<void>((resolve) => (this.ioDone = resolve));
      this.ioDone = undefined;
    }
  }
}

/** A promise that never settles: what a killed invocation's code waits on forever. */
const NEVER = new Promise<never>(() => undefined);

/**
 * One Lambda invocation's view of the clock. When the invocation is killed (its timeout
 * passed), every wait of its code never returns, as when Lambda stops the process: no
 * catch block, no checkpoint, no send runs after the kill.
 */
export class InvocationClock implements Clock {
  dead = false;
  private readonly hooks = new Set<() => void>();
  constructor(private readonly sim: Simulation) {}

  /** Runs `fn` if the invocation is killed (what its model resources must give back); returns a disposer. */
  onKill(fn: () => void): () => void {
    this.hooks.add(fn);
    return () => this.hooks.delete(fn);
  }

  kill(): void {
    this.dead = true;
    for (const fn of this.hooks) fn();
    this.hooks.clear();
  }

  now(): number {
    return this.sim.now();
  }

  async sleep(ms: number): Promise<void> {
    if (this.dead) await NEVER;
    const owed = this.owed;
    this.owed = 0;
    await this.sim.sleep(ms + owed);
    if (this.dead) await NEVER;
  }

  /**
   * Time spent by a short call (a DynamoDB write, a calendar page, the token): added to
   * the next wait instead of waited for now, as long as less than DEFER_MS is owed, so an
   * idle sync is one simulation step instead of ten while the time it takes is the same.
   * The engine reads the clock between pages, so what it sees lags by less than DEFER_MS.
   */
  pass(ms: number): Promise<void> {
    if (this.owed + ms < DEFER_MS) {
      this.owed += Math.max(0, ms);
      return Promise.resolve();
    }
    return this.sleep(ms);
  }

  private owed = 0;
}

/** Short waits are summed up to this much before the clock moves (see InvocationClock.pass). */
export const DEFER_MS = 1000;
