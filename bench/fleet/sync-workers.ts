import type { JobQueue, SyncJob } from '#lib/queue/jobs.ts';
import { runSyncJob, type SyncJobDeps, type SyncJobResult } from '#lib/sync/job.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import type { ProviderClients } from '#lib/providers/account-sources.ts';
import type { Account, Store } from '#lib/store/types.ts';
import type { ChangeSource } from '#lib/providers/types.ts';
import { InvocationClock, type Simulation } from './sim.ts';
import type { FifoQueue, Received } from './sqs.ts';
import type { ModelStore } from './store.ts';
import { LAMBDA, SQS } from './limits.ts';

/**
 * The sync worker as Lambda runs it from the FIFO queue: at most `concurrency`
 * invocations at once (reserved concurrency, and the event source's maxConcurrency set
 * to it), one message each (batch size 1), each running the real `runSyncJob` with the
 * handler's budget (the function's timeout less its safety margin). An execution
 * environment is reused when one is idle (kept LAMBDA.keepWarmMs), else it starts cold.
 * An invocation still running at its timeout is killed: its code stops where it waits
 * (nothing after that point runs), and its message comes back after the visibility
 * timeout. A thrown job likewise. Billing: memory × (init + run), per request.
 */

export interface SyncWorkerOptions {
  concurrency: number;
  timeoutMs: number;
  safetyMarginMs: number;
  visibilityMs: number;
  memoryGb: number;
  /** The model sources of an account, built on the invocation's clock. */
  sources: (account: Account, clock: InvocationClock) => Promise<ChangeSource[]>;
  /** The store an invocation sees. @default the model store on its clock */
  storeFor?: (clock: InvocationClock) => Store;
  /** Run a stale scheduled job's stale duplicates with it (see duplicatesBehind). */
  aggregateDuplicates: boolean;
  /** True once the account's backfill is done. */
  backfilled: (account: Account) => boolean;
  /** What one idle sync takes (an aggregated duplicate): token, one call per source, the checkpoints. */
  idleSyncMs: number;
}

export interface SyncWorkerFigures {
  invocations: number;
  coldStarts: number;
  gbSeconds: number;
  timeouts: number;
  failures: number;
  continuations: number;
  complete: number;
  skipped: number;
  /** Items the engine reported written, summed over every job. */
  engineWritten: number;
  enginePages: number;
  /** Time-integral of busy invocations (ms), for the average concurrency. */
  busyIntegral: number;
  /** Time (ms) with every slot busy while a message waited. */
  saturatedMs: number;
  kmsDecrypts: number;
  /** Stale duplicate jobs run together with the one before them (counted in invocations). */
  aggregated: number;
}

export class SyncWorkers {
  private busy = 0;
  private idleEnvs: number[] = [];
  private pumpAt = Infinity;
  private lastAt: number;
  readonly figures: SyncWorkerFigures = {
    invocations: 0,
    coldStarts: 0,
    gbSeconds: 0,
    timeouts: 0,
    failures: 0,
    continuations: 0,
    complete: 0,
    skipped: 0,
    engineWritten: 0,
    enginePages: 0,
    busyIntegral: 0,
    saturatedMs: 0,
    kmsDecrypts: 0,
    aggregated: 0,
  };

  constructor(
    private readonly sim: Simulation,
    private readonly queue: FifoQueue,
    private readonly store: ModelStore,
    private readonly opts: SyncWorkerOptions,
  ) {
    this.lastAt = sim.now();
  }

  /**
   * Looks for work now (after a send, or when a slot frees). The poll's latency is
   * charged to the invocation it starts (see start), so a freed slot is refilled in the
   * same simulation step.
   */
  wake(): void {
    this.schedulePump(this.sim.now());
  }

  private schedulePump(at: number): void {
    if (at >= this.pumpAt) return;
    this.pumpAt = at;
    this.sim.at(at, () => {
      if (this.pumpAt !== at) return;
      this.pumpAt = Infinity;
      this.pump();
    });
  }

  private pump(): void {
    const now = this.sim.now();
    while (this.busy < this.opts.concurrency) {
      const r = this.queue.receive(now);
      if (!r) break;
      this.start(r);
    }
    const next = this.queue.nextVisibleAt();
    if (this.busy < this.opts.concurrency && next < Infinity) this.schedulePump(Math.max(next, now + 1));
  }

  private account(delta: number): void {
    const now = this.sim.now();
    const dt = now - this.lastAt;
    this.figures.busyIntegral += this.busy * dt;
    if (this.busy >= this.opts.concurrency && this.queue.nextVisibleAt() <= now) this.figures.saturatedMs += dt;
    this.lastAt = now;
    this.busy += delta;
  }

  /**
   * Stale duplicates behind a stale scheduled job: the dispatcher enqueued the account at
   * every tick while its earlier jobs waited (it cannot see the queue), so a backfilled
   * account's group can hold a hundred scheduled jobs for ticks it has been synced since.
   * Each would run as an idle sync, one after the other; they are run as one real
   * `runSyncJob` followed by `n` idle syncs' time (idleSyncMs each) on the same slot,
   * counted as `n` more invocations (an approximation: the slot is not given back between
   * them, new mail between them is fetched by the first, their few writes are not
   * counted). Off with FleetOptions.aggregateDuplicates = false; the test
   * compares both ways.
   */
  private duplicatesBehind(r: Received, now: number): number {
    if (!this.opts.aggregateDuplicates || r.message.job.reason !== 'scheduled') return 0;
    const a = this.store.account(r.message.job.userId, r.message.job.accountId);
    if (!a?.lastSyncAt || a.lastSyncAt < r.message.job.slot || !this.opts.backfilled(a)) return 0;
    return this.queue.staleBehind(r, a.lastSyncAt, now);
  }

  private start(r: Received): void {
    this.account(+1);
    const now = this.sim.now();
    this.figures.invocations++;
    // Reuse an environment idle for less than keepWarmMs; the newest first.
    while (this.idleEnvs.length > 0 && now - this.idleEnvs[0]! > LAMBDA.keepWarmMs) this.idleEnvs.shift();
    const warm = this.idleEnvs.length > 0;
    if (warm) this.idleEnvs.pop();
    else this.figures.coldStarts++;
    const initMs = warm ? 0 : LAMBDA.syncWorkerInitMs;
    const behind = this.duplicatesBehind(r, now);
    if (behind > 0) this.queue.deleteBehind(r, behind);
    this.sim.at(now + LAMBDA.pollMs + initMs, () => this.invoke(r, initMs, now, 1 + behind));
  }

  private invoke(r: Received, initMs: number, receivedAt: number, runs: number): void {
    const clock = new InvocationClock(this.sim);
    const started = this.sim.now();
    let settled = false;
    const end = (outcome: 'ok' | 'failed' | 'killed', result?: SyncJobResult): void => {
      if (settled) return;
      settled = true;
      this.sim.cancel(timer);
      const now = this.sim.now();
      this.figures.gbSeconds += (this.opts.memoryGb * (now - started + initMs)) / 1000;
      this.figures.invocations += runs - 1;
      this.figures.kmsDecrypts += runs - 1;
      this.figures.aggregated += runs - 1;
      if (outcome === 'ok') {
        this.queue.delete(r);
        if (result?.outcome === 'continued') this.figures.continuations++;
        else if (result?.outcome === 'complete') this.figures.complete++;
        else this.figures.skipped++;
        if (result && 'stats' in result) {
          this.figures.engineWritten += result.stats.written;
          this.figures.enginePages += result.stats.pages;
        }
      } else {
        if (outcome === 'killed') this.figures.timeouts++;
        else this.figures.failures++;
        // Visibility runs from the receive.
        this.queue.release(r, receivedAt + this.opts.visibilityMs);
      }
      this.idleEnvs.push(now);
      this.account(-1);
      this.wake();
    };
    const timer = this.sim.at(started + this.opts.timeoutMs, () => {
      clock.kill();
      end('killed');
    });
    const sendQueue: JobQueue<SyncJob> = {
      send: async (jobs) => {
        await clock.sleep(SQS.sendBatchMs);
        for (const job of jobs) this.queue.send(job, clock.now());
        this.queue.requests += Math.ceil(jobs.length / 10);
        this.wake();
      },
    };
    const deps: SyncJobDeps = {
      store: this.opts.storeFor ? this.opts.storeFor(clock) : this.store.view(clock),
      vault: unused<TokenVault>('vault'),
      providers: unused<ProviderClients>('providers'),
      queue: sendQueue,
      clock,
      budgetMs: this.opts.timeoutMs - this.opts.safetyMarginMs,
      sources: async (account) => {
        this.figures.kmsDecrypts++;
        return this.opts.sources(account, clock);
      },
    };
    // The handler returns once the last deferred store call has taken its time.
    runSyncJob(r.message.job, deps).then(
      // Aggregated duplicates hold the slot as long as they would have, one after the other
      // (each its own invocation: the first one's timeout does not cover them).
      (result) => {
        if (runs > 1) this.sim.cancel(timer);
        return clock.sleep((runs - 1) * (LAMBDA.pollMs + this.opts.idleSyncMs)).then(() => end('ok', result));
      },
      () => clock.sleep(0).then(() => end('failed')),
    );
  }
}

/** A dependency the seam makes unreachable: any use is a bug in the simulation. */
function unused<T>(what: string): T {
  return new Proxy({}, {
    get() {
      throw new Error(`fleet simulation: the sync worker reached the real ${what}`);
    },
  }) as T;
}
