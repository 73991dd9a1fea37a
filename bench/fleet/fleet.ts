import { SYNC_WORKER_TIMEOUT } from '#infra/constructs/sync.ts';
import { VISIBILITY_FACTOR } from '#infra/constructs/job-queue.ts';
import { SYNC_INTERVAL_MS } from '#lib/sync/dispatch.ts';
import type { Account, Store, User } from '#lib/store/types.ts';
import { InvocationClock, Simulation } from './sim.ts';
import { DualStore, type Disagreement } from './real-store.ts';
import { FifoQueue } from './sqs.ts';
import { ModelStore } from './store.ts';
import { SyncWorkers, type SyncWorkerFigures } from './sync-workers.ts';
import { SyncDispatcher, type DispatcherFigures } from './dispatcher.ts';
import { AppQuota, TableThroughput } from './meters.ts';
import { backfilled, modelSources } from './providers.ts';
import { makeFleet, type Mailbox } from './mailboxes.ts';
import { DYNAMODB, GMAIL, GRAPH, KMS, syncWorkerSafetyMarginMs } from './limits.ts';

/**
 * One fleet, from the moment the admin turns Sinew on until every mailbox holds its 400
 * days (then one more day of ordinary syncing, for the monthly figures): the real sync
 * dispatcher on its schedule, the FIFO queue, the real sync worker in Lambda's shoes, the
 * provider and table models. See run.ts for what is printed.
 */

export interface FleetOptions {
  size: number;
  provider?: 'google' | 'microsoft';
  seed?: number;
  /** Reserved concurrency of the sync worker (the stack's `syncConcurrency`). @default 10 */
  syncConcurrency?: number;
  /** The sync schedule's period. @default SYNC_INTERVAL_MS (30 minutes) */
  syncIntervalMs?: number;
  /** The sync worker's timeout. @default the stack's SYNC_WORKER_TIMEOUT */
  workerTimeoutMs?: number;
  /** @default the handler's SAFETY_MARGIN_MS */
  safetyMarginMs?: number;
  /** Scales mailbox sizes (small mailboxes for the tests). @default 1 */
  sizeScale?: number;
  /**
   * Simulate this many of the fleet's mailboxes against the same share of every
   * fleet-wide limit (see {@link sampleFleet}). @default size (the whole fleet)
   */
  sample?: number;
  /** Give up (and say so) after this much simulated time. @default 60 days */
  horizonMs?: number;
  /** Ordinary syncing simulated after the last backfill, for the monthly figures. @default 1 day */
  steadyMs?: number;
  /**
   * Calibration: real items into this real store (dynalite) beside the model store, every
   * answer compared (see real-store.ts). Small fleets only.
   */
  realStore?: Store;
  /** Run stale duplicate scheduled jobs together (see SyncWorkers.duplicatesBehind). @default true */
  aggregateDuplicates?: boolean;
  timeZone?: string;
}

/** Monday 23 November 2026, 09:00 UTC: the admin turns Sinew on after the weekly reports went out. */
export const FLEET_START = Date.UTC(2026, 10, 23, 9);
const DAY = 86_400_000;

export interface PhaseFigures {
  /** Simulated ms in the phase. */
  ms: number;
  /** Sync worker: GB-seconds and invocations (the sample's). */
  lambdaGbS: number;
  lambdaRequests: number;
  /** The dispatcher's: one function for the whole fleet, whatever the sample. */
  dispatcherGbS: number;
  dispatcherRequests: number;
  wru: number;
  rru: number;
  sqsRequests: number;
  kmsRequests: number;
  providerCalls: number;
  providerUnits: number;
}

export interface FleetResult {
  options: Required<Omit<FleetOptions, 'timeZone' | 'realStore'>>;
  /** The sample's share of the fleet and of every fleet-wide limit (1: the whole fleet). */
  share: number;
  /** Reserved concurrency simulated (the sample's share of syncConcurrency). */
  concurrencySimulated: number;
  mailboxes: Mailbox[];
  /** Per mailbox, ms from turn-on to its backfill's end (NaN: never). */
  readyMs: number[];
  backfill: PhaseFigures;
  steady: PhaseFigures;
  workers: SyncWorkerFigures;
  dispatcher: DispatcherFigures;
  queue: { sent: number; deduplicated: number; expired: number; deadLettered: number; peakDepth: number };
  app: { name: string; peakDemandShare: number; exceededMs: number; utilization: number };
  table: { peakWruPerS: number; maxQueueMs: number; utilization: number };
  /** Average busy sync invocations over the backfill, and the share of it with every slot busy and work waiting. */
  concurrency: { average: number; saturatedShare: number };
  invariants: InvariantReport;
  simSteps: number;
  wallMs: number;
  /** With `realStore`: what the real store answered differently, and the items each side holds. */
  calibration?: { disagreements: Disagreement[]; realCalls: number; realItems: Map<string, number>; modelHeld: Map<string, number> };
}

export interface InvariantReport {
  /** Mailboxes that never finished their backfill. */
  notReady: string[];
  /** App quota exceeded (ms); the per-user quotas are paced under by construction. */
  quotaExceededMs: number;
  /** Mailboxes whose ledger is not exactly [0, seen) for mail and calendar. */
  lost: string[];
  /**
   * Items presented to the store again after they were stored (a page replayed because a
   * run died between its write and its checkpoint): stored once all the same, since items
   * are keyed; without a killed run it must be 0, or a continuation resumed before its
   * checkpoint.
   */
  replayed: number;
  /** Distinct items held, and the writes the store counted as new: equal when nothing was counted twice. */
  held: number;
  written: number;
  deadLettered: number;
}

export async function runFleet(opts: FleetOptions): Promise<FleetResult> {
  const wall = performance.now();
  const o: Required<Omit<FleetOptions, 'timeZone' | 'realStore'>> = {
    aggregateDuplicates: opts.aggregateDuplicates ?? true,
    size: opts.size,
    provider: opts.provider ?? 'google',
    seed: opts.seed ?? 1,
    syncConcurrency: opts.syncConcurrency ?? 10,
    syncIntervalMs: opts.syncIntervalMs ?? SYNC_INTERVAL_MS,
    workerTimeoutMs: opts.workerTimeoutMs ?? SYNC_WORKER_TIMEOUT.toMilliseconds(),
    safetyMarginMs: opts.safetyMarginMs ?? syncWorkerSafetyMarginMs(),
    sizeScale: opts.sizeScale ?? 1,
    horizonMs: opts.horizonMs ?? 60 * DAY,
    steadyMs: opts.steadyMs ?? DAY,
    sample: Math.min(opts.size, opts.sample ?? opts.size),
  };
  const start = FLEET_START;
  const sim = new Simulation(start);
  const fleet = makeFleet({ size: o.size, provider: o.provider, seed: o.seed, start, sizeScale: o.sizeScale, timeZone: opts.timeZone ?? 'Europe/Paris' });
  const mailboxes = sampleFleet(fleet, o.sample);
  // The share of every fleet-wide limit the sample gets: reserved concurrency is whole
  // invocations, so the share is the one it rounds to.
  const concurrency = Math.max(1, Math.round((o.syncConcurrency * o.sample) / o.size));
  const share = o.sample === o.size ? 1 : concurrency / o.syncConcurrency;
  const byAccount = new Map(mailboxes.map((m) => [m.accountId, m]));
  const google = o.provider === 'google';
  const app = google
    ? new AppQuota('Gmail per-project quota', (GMAIL.projectUnitsPerMin / 60_000) * share, start)
    : new AppQuota('Graph per-app ceiling', (GRAPH.appRequestsPer10s / 10_000) * share, start);
  const table = new TableThroughput(DYNAMODB.initialWru * share, DYNAMODB.maxWru * share, DYNAMODB.peakWindowMs, start);
  const readyAt = new Map<string, number>();
  const onUpdated = (a: Account): void => {
    if (!readyAt.has(a.accountId) && backfilled(a.cursors, 2)) {
      readyAt.set(a.accountId, sim.now());
    }
  };
  const store = new ModelStore(table, google ? DYNAMODB.wruPerAccountUpdateGoogle : DYNAMODB.wruPerAccountUpdateMicrosoft, onUpdated);
  const queue = new FifoQueue(5);
  const tally = { calls: 0, units: 0 };
  const dual = opts.realStore ? new DualStore(sim, opts.realStore, store) : undefined;
  const workers = new SyncWorkers(sim, queue, store, {
    ...(dual ? { storeFor: (clock: InvocationClock) => dual.view(store.view(clock)) } : {}),
    aggregateDuplicates: o.aggregateDuplicates,
    backfilled: (a) => readyAt.has(a.accountId) && backfilled(a.cursors, 2),
    // Token, one call per source, six DynamoDB calls.
    idleSyncMs: KMS.decryptMs + (google ? GMAIL.tokenRefreshMs + GMAIL.callMs + GMAIL.calendarCallMs : GRAPH.tokenMs + GRAPH.deltaFixedMs + GRAPH.calendarCallMs) + 6 * DYNAMODB.opMs,
    concurrency,
    timeoutMs: o.workerTimeoutMs,
    safetyMarginMs: o.safetyMarginMs,
    visibilityMs: o.workerTimeoutMs * VISIBILITY_FACTOR,
    memoryGb: 1,
    sources: async (account, clock) => {
      const m = byAccount.get(account.accountId)!;
      await clock.pass(KMS.decryptMs + (google ? GMAIL.tokenRefreshMs : GRAPH.tokenMs));
      return modelSources(m, { clock, app, tally, meetingScale: o.sizeScale, items: dual !== undefined });
    },
  });
  const dispatcher = new SyncDispatcher(sim, store, queue, o.syncIntervalMs, share, () => workers.wake());

  // Everyone connects: the connect page stores the account and enqueues its first sync.
  for (const m of mailboxes) {
    sim.at(m.connectedAt, () => {
      const user: User = { userId: m.userId, email: `${m.userId}@fleet.example`, timeZone: m.timeZone, me: [], internalDomains: [], reportsPaused: false, createdAt: new Date(m.connectedAt).toISOString() };
      const account: Account = { userId: m.userId, accountId: m.accountId, provider: m.provider, address: `${m.userId}@fleet.example`, aliases: [], status: 'active', errorCount: 0, cursors: {} };
      store.putUserNow(user);
      store.putAccountNow(account, m.connectedAt);
      if (dual) void sim.io(async () => {
        await dual.real.putUser(user);
        await dual.real.putAccount(account);
      });
      queue.send({ v: 1, userId: m.userId, accountId: m.accountId, reason: 'connected', slot: new Date(m.connectedAt).toISOString() }, m.connectedAt);
      workers.wake();
    });
  }

  const snapshot = (): PhaseFigures => ({
    ms: sim.now(),
    lambdaGbS: workers.figures.gbSeconds,
    lambdaRequests: workers.figures.invocations,
    dispatcherGbS: dispatcher.figures.gbSeconds,
    dispatcherRequests: dispatcher.figures.ticks,
    wru: table.wru,
    rru: table.rru,
    sqsRequests: queue.requests + dispatcher.figures.sqsRequests,
    kmsRequests: workers.figures.kmsDecrypts,
    providerCalls: tally.calls,
    providerUnits: tally.units,
  });
  const diff = (a: PhaseFigures, b: PhaseFigures): PhaseFigures => ({
    ms: b.ms - a.ms,
    lambdaGbS: b.lambdaGbS - a.lambdaGbS,
    lambdaRequests: b.lambdaRequests - a.lambdaRequests,
    dispatcherGbS: b.dispatcherGbS - a.dispatcherGbS,
    dispatcherRequests: b.dispatcherRequests - a.dispatcherRequests,
    wru: b.wru - a.wru,
    rru: b.rru - a.rru,
    sqsRequests: b.sqsRequests - a.sqsRequests,
    kmsRequests: b.kmsRequests - a.kmsRequests,
    providerCalls: b.providerCalls - a.providerCalls,
    providerUnits: b.providerUnits - a.providerUnits,
  });

  // Backfill: day by day until everyone is ready (or the horizon).
  const begin = snapshot();
  let until = start;
  while (readyAt.size < mailboxes.length && until - start < o.horizonMs) {
    dispatcher.schedule(until + 1, until + DAY);
    until += DAY;
    await sim.run(until, () => readyAt.size === mailboxes.length);
    // FLEET_DEBUG=1: one line a simulated day on stderr.
    if (process.env.FLEET_DEBUG) console.error(`day ${((until - start) / DAY).toFixed(0)}: ready ${readyAt.size}, invocations ${workers.figures.invocations}, steps ${sim.steps}, wall ${(performance.now() - wall).toFixed(0)} ms`);
  }
  const backfillEnd = sim.now();
  const afterBackfill = snapshot();
  const busy = {
    average: workers.figures.busyIntegral / Math.max(1, backfillEnd - start) / concurrency,
    saturatedShare: workers.figures.saturatedMs / Math.max(1, backfillEnd - start),
  };
  const appUse = app.utilization(start, backfillEnd);
  const tableUse = table.utilization(backfillEnd);

  // Steady state: the schedule keeps every mailbox current.
  const steadyFrom = sim.now();
  if (steadyFrom + o.steadyMs > until) dispatcher.schedule(until + 1, steadyFrom + o.steadyMs);
  await sim.run(steadyFrom + o.steadyMs);
  const steady = diff(afterBackfill, snapshot());
  // Let the runs in flight finish before the ledgers are checked.
  await sim.run(sim.now() + o.workerTimeoutMs * 2);

  const readyMs = mailboxes.map((m) => (readyAt.has(m.accountId) ? readyAt.get(m.accountId)! - start : Number.NaN));
  let calibration: FleetResult['calibration'];
  if (dual) {
    // Every item the real store holds, per account, against the model's ledgers.
    const realItems = new Map<string, number>();
    for (const m of mailboxes) {
      let n = 0;
      for await (const item of dual.real.queryItems(m.userId)) if (item.accountId === m.accountId) n++;
      realItems.set(m.accountId, n);
    }
    const modelHeld = new Map(mailboxes.map((m) => [m.accountId, store.ledger(`${m.accountId}/mail`).held + store.ledger(`${m.accountId}/calendar`).held]));
    calibration = { disagreements: dual.disagreements, realCalls: dual.realCalls, realItems, modelHeld };
  }
  return {
    options: o,
    share,
    concurrencySimulated: concurrency,
    mailboxes,
    readyMs,
    backfill: diff(begin, afterBackfill),
    steady,
    workers: workers.figures,
    dispatcher: dispatcher.figures,
    queue: { sent: queue.sent, deduplicated: queue.deduplicated, expired: queue.expired, deadLettered: queue.deadLettered.length, peakDepth: queue.peakDepth },
    app: { name: app.name, peakDemandShare: app.peakDemand / app.ceiling, exceededMs: app.exceededMs, utilization: appUse },
    table: { peakWruPerS: table.peakWruPerS, maxQueueMs: table.maxQueueMs, utilization: tableUse },
    concurrency: busy,
    invariants: checkInvariants(store, mailboxes, readyAt, app, queue),
    simSteps: sim.steps,
    wallMs: performance.now() - wall,
    ...(calibration ? { calibration } : {}),
  };
}

/**
 * A systematic sample of the fleet by size: every k-th mailbox from the largest down, so
 * the largest is in it and the sizes keep their distribution. Simulated against `sample /
 * size` of every fleet-wide limit (the app's quota, reserved concurrency, the table's
 * throughput, the dispatcher's sending), it stands for the whole fleet: each limit is
 * shared by proportionally fewer mailboxes, so each mailbox meets the same conditions;
 * per-mailbox limits are unchanged. Tested against the whole fleet in
 * test/bench/fleet.test.ts and measured at 10,000 in the README.
 */
export function sampleFleet(fleet: Mailbox[], sample: number): Mailbox[] {
  if (sample >= fleet.length) return fleet;
  const bySize = [...fleet].sort((a, b) => b.messages - a.messages || a.index - b.index);
  const step = fleet.length / sample;
  const out: Mailbox[] = [];
  for (let i = 0; i < sample; i++) out.push(bySize[Math.floor(i * step)]!);
  return out.sort((a, b) => a.index - b.index);
}

function checkInvariants(store: ModelStore, mailboxes: Mailbox[], readyAt: Map<string, number>, app: AppQuota, queue: FifoQueue): InvariantReport {
  const lost: string[] = [];
  let held = 0;
  for (const m of mailboxes) {
    const a = store.account(m.userId, m.accountId)!;
    for (const [resource, ledgerName] of Object.entries(resourceLedgers(m))) {
      const cursor = a.cursors[resource];
      const seen = cursor ? (JSON.parse(cursor) as { p: string; n: number[] }) : undefined;
      const ledger = store.ledger(`${m.accountId}/${ledgerName}`);
      held += ledger.held;
      if (seen?.p !== 'i') continue;
      const want = seen.n[0]!;
      const ok = want === 0 ? ledger.held === 0 : ledger.ranges.length === 1 && ledger.ranges[0]![0] === 0 && ledger.ranges[0]![1] === want && ledger.held === want;
      if (!ok) lost.push(`${m.accountId}/${ledgerName}`);
    }
  }
  return {
    notReady: mailboxes.filter((m) => !readyAt.has(m.accountId)).map((m) => m.accountId),
    quotaExceededMs: app.exceededMs,
    lost,
    replayed: store.counts.unchanged,
    held,
    written: store.counts.written,
    deadLettered: queue.deadLettered.length,
  };
}

function resourceLedgers(m: Mailbox): Record<string, string> {
  return m.provider === 'google' ? { gmail: 'mail', 'gcal:primary': 'calendar' } : { 'graph-mail': 'mail', 'graph:calendar': 'calendar' };
}
