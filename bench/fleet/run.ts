/**
 * `npm run bench:fleet`: what happens when an admin turns Sinew on for a whole firm
 * (issue 14). For 100, 1,000, 10,000 and 100,000 Google Workspace mailboxes, all
 * connected in the first hour: how long until 50%, 99% and 100% hold their 400 days (so
 * their first report is complete), what limit binds, what a mailbox costs a month, and
 * whether Monday's reports go out within their hour at SES rates of 14 and 100 a second
 * (the stack's report workers capped and paced to that rate, CDK context `sesSendRate`).
 *
 * Real code: the sync dispatcher (`dispatchSyncs`), the sync worker (`runSyncJob`, through
 * its `sources` seam) and the sync engine with its budget and checkpoints, the report
 * dispatcher (`dispatchReports`). Models: the providers, SQS, Lambda, DynamoDB and SES
 * (bench/fleet/limits.ts lists every figure and where it comes from).
 *
 * Knobs: FLEET_SEED (default 1), FLEET_SIZES (comma list), FLEET_SAMPLE (mailboxes
 * simulated at 10,000 and above, default 1,000), FLEET_CONCURRENCY (override the
 * recommended syncConcurrency).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { runFleet, FLEET_START, type FleetResult } from './fleet.ts';
import { runMondayWave, type WaveResult } from './reports.ts';
import { makeFleet } from './mailboxes.ts';
import { recommendedSettings } from './settings.ts';
import { monthlyFigures, type MonthlyFigures } from './costs.ts';
import { SES } from './limits.ts';

const wall = performance.now();
const seed = Number(process.env.FLEET_SEED ?? 1);
const sizes = (process.env.FLEET_SIZES ?? '100,1000,10000,100000').split(',').map(Number);
const sampleAt = Number(process.env.FLEET_SAMPLE ?? 1000);

interface Row {
  size: number;
  fleet: FleetResult;
  waves: WaveResult[];
  month: MonthlyFigures;
  concurrency: number;
  wallMs: number;
}

const rows: Row[] = [];
for (const size of sizes) {
  const t = performance.now();
  const settings = recommendedSettings(size);
  const concurrency = process.env.FLEET_CONCURRENCY ? Number(process.env.FLEET_CONCURRENCY) : settings.syncConcurrency;
  const sample = size > sampleAt ? sampleAt : size;
  const fleet = await runFleet({ size, seed, syncConcurrency: concurrency, sample });
  const everyone = makeFleet({ size, provider: 'google', seed, start: FLEET_START, timeZone: 'Europe/Paris' });
  const waves: WaveResult[] = [];
  for (const rate of SES.rates) waves.push(await runMondayWave({ mailboxes: everyone, sesRate: rate, seed, syncConcurrency: concurrency }));
  rows.push({ size, fleet, waves, month: monthlyFigures(fleet, waves[0]!), concurrency, wallMs: performance.now() - t });
  process.stderr.write(`fleet of ${size.toLocaleString('en')}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}

const col = (s: string) => s.padStart(19);
const line = (label: string, cells: string[]) => console.log(label.padEnd(44) + cells.map(col).join(''));
const hours = (ms: number) => (ms < 48 * 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${(ms / 86_400_000).toFixed(1)} d`);
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const n0 = (x: number) => Math.round(x).toLocaleString('en');
const usd = (x: number) => `$${x < 0.1 ? x.toFixed(4) : x.toFixed(2)}`;
const q = (r: FleetResult, p: number) => {
  const ready = r.readyMs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const i = Math.ceil(p * r.readyMs.length) - 1;
  return i < ready.length ? hours(ready[i]!) : `not in ${hours(r.options.horizonMs)}`;
};

console.log('Fleet simulation (issue 14): Google Workspace mailboxes, all connected in the first hour; seed ' + seed);
line('mailboxes', rows.map((r) => n0(r.size)));
line('simulated as', rows.map((r) => (r.fleet.share === 1 ? 'all' : `1 in ${Math.round(1 / r.fleet.share)}`)));
line('syncConcurrency', rows.map((r) => String(r.concurrency)));
line('first report ready (400 days held): 50%', rows.map((r) => q(r.fleet, 0.5)));
line('  99%', rows.map((r) => q(r.fleet, 0.99)));
line('  100%', rows.map((r) => q(r.fleet, 1)));
line('  complete by the first Monday report', rows.map((r) => pct(r.fleet.readyMs.filter((ms) => ms <= 6 * 86_400_000 + 21 * 3_600_000).length / r.fleet.readyMs.length)));
line('binding limit', rows.map((r) => binding(r.fleet)));
line('  Lambda slots all busy, work waiting', rows.map((r) => pct(r.fleet.concurrency.saturatedShare)));
line('  Gmail project quota used', rows.map((r) => pct(r.fleet.app.utilization)));
line('  DynamoDB write capacity used', rows.map((r) => pct(r.fleet.table.utilization)));
line('backfill, per mailbox (once): Lambda GB-s', rows.map((r) => n0(r.fleet.backfill.lambdaGbS / r.fleet.mailboxes.length)));
line('  sync invocations', rows.map((r) => n0(r.fleet.backfill.lambdaRequests / r.fleet.mailboxes.length)));
line('  killed at timeout / dead-lettered', rows.map((r) => `${n0(r.fleet.workers.timeouts / r.fleet.share)} / ${n0(r.fleet.queue.deadLettered / r.fleet.share)}`));
line('  dispatcher: jobs cut off by its timeout', rows.map((r) => n0(r.fleet.dispatcher.cutOff / r.fleet.share)));
line('per mailbox-month: Lambda GB-s', rows.map((r) => n0(r.month.lambdaGbS)));
line('  Lambda requests', rows.map((r) => n0(r.month.lambdaRequests)));
line('  DynamoDB writes (WRU)', rows.map((r) => n0(r.month.wru)));
line('  SES sends (at 14/s)', rows.map((r) => r.month.sesSends.toFixed(2)));
line('  cost per person (prices in costs.ts)', rows.map((r) => usd(r.month.costPerPerson)));
for (const [i, rate] of SES.rates.entries()) {
  line(`Monday wave, SES ${rate}/s: sent within the hour`, rows.map((r) => `${n0(r.waves[i]!.sentWithinHour)} of ${n0(r.waves[i]!.due)}`));
  line('  all sent after (or the last sent)', rows.map((r) => (r.waves[i]!.lastSentMs < 3_600_000 ? `${Math.ceil(r.waves[i]!.lastSentMs / 60_000)} min` : hours(r.waves[i]!.lastSentMs))));
  line('  dead-lettered (no report that week)', rows.map((r) => n0(r.waves[i]!.deadLettered)));
}
line('invariants: every mailbox ready', rows.map((r) => (r.fleet.invariants.notReady.length === 0 ? 'yes' : `NO: ${n0(r.fleet.invariants.notReady.length / r.fleet.share)} left`)));
line('  no quota exceeded; none lost or twice', rows.map((r) => (invariantsHold(r.fleet) ? 'yes' : 'NO')));
line('wall time', rows.map((r) => `${(r.wallMs / 1000).toFixed(1)} s`));
console.log(`total wall time ${((performance.now() - wall) / 1000).toFixed(1)} s`);

/** The limit that held the backfill back most (see README, "Fleet simulation"). */
function binding(r: FleetResult): string {
  if (r.app.utilization >= 0.7) return 'Gmail project';
  if (r.table.utilization >= 0.7) return 'DynamoDB writes';
  if (r.concurrency.saturatedShare >= 0.5) return 'syncConcurrency';
  return 'per-user quota';
}

function invariantsHold(r: FleetResult): boolean {
  const v = r.invariants;
  return v.quotaExceededMs === 0 && v.lost.length === 0 && v.written === v.held;
}
