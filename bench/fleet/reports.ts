import { REPORT_WORKER_TIMEOUT } from '#infra/constructs/report.ts';
import { VISIBILITY_FACTOR } from '#infra/constructs/job-queue.ts';
import { dispatchReports } from '#lib/report/dispatch.ts';
import type { JobQueue, ReportJob } from '#lib/queue/jobs.ts';
import { Random } from '#lib/random.ts';
import { Simulation } from './sim.ts';
import FlatQueue from 'flatqueue';
import { LAMBDA, REPORT, SES } from './limits.ts';
import type { Mailbox } from './mailboxes.ts';

/**
 * Monday's wave: the real report dispatcher (`dispatchReports`, hourly, every zone this
 * runtime knows) finds who is due at 07:00 local and enqueues one job each on the
 * standard report queue; the report worker is modelled:
 * - Lambda polls the standard queue with batches of 5 (the stack's batch size), starting
 *   at 5 concurrent invocations and adding up to 300 a minute while messages wait, at
 *   most 1,250 (and never more than the account's unreserved concurrency, nor the
 *   event source's maxConcurrency when one is set);
 * - each invocation handles its records one after the other (processInParallel: false):
 *   read the user's items, compute health, render (figures from `npm run bench`), then
 *   SendEmail; a whole batch still running at the 2-minute timeout is killed and all of
 *   its messages come back, sent ones included (runReportJob's claim then skips them);
 * - SES admits `rate` sends a second (a bucket of one second's worth); a throttled send
 *   is retried by the SDK (3 attempts in all, waits up to 500 ms × 2^attempt), then the
 *   record fails and the message returns after the visibility timeout (6 × 2 minutes);
 *   the fifth failed receive sends it to the dead-letter queue: no report that week.
 */

export interface WaveOptions {
  mailboxes: Mailbox[];
  /** SES maximum send rate (messages per second). */
  sesRate: number;
  seed: number;
  /** The report event source's maxConcurrency; none by default (the stack sets none). */
  maxConcurrency?: number;
  /** Reserved concurrency held by the sync worker (out of the account's 1,000). */
  syncConcurrency: number;
  reportHour?: number;
}

export interface WaveResult {
  due: number;
  sentWithinHour: number;
  sent: number;
  /** ms from the tick to the last report sent. */
  lastSentMs: number;
  deadLettered: number;
  throttledAttempts: number;
  invocations: number;
  peakConcurrency: number;
  gbSeconds: number;
  sqsRequests: number;
  timeouts: number;
}

/** Monday 30 November 2026, midnight UTC: the first Monday after the fleet's turn-on. */
export const WAVE_DAY = Date.UTC(2026, 10, 30);

interface Msg {
  job: ReportJob;
  visibleAt: number;
  receives: number;
}

export async function runMondayWave(opts: WaveOptions): Promise<WaveResult> {
  const sim = new Simulation(WAVE_DAY);
  const random = new Random(opts.seed ^ 0x5e5);
  const items = new Map(opts.mailboxes.map((m) => [m.userId, m.messages + m.meetings]));
  const zones = new Map<string, string[]>();
  for (const m of opts.mailboxes) {
    const users = zones.get(m.timeZone);
    if (users) users.push(m.userId);
    else zones.set(m.timeZone, [m.userId]);
  }
  const visibilityMs = REPORT_WORKER_TIMEOUT.toMilliseconds() * VISIBILITY_FACTOR;
  const timeoutMs = REPORT_WORKER_TIMEOUT.toMilliseconds();
  const ceiling = Math.min(LAMBDA.sqsMaxConcurrency, LAMBDA.accountConcurrency - opts.syncConcurrency, opts.maxConcurrency ?? Infinity);
  const r: WaveResult = { due: 0, sentWithinHour: 0, sent: 0, lastSentMs: 0, deadLettered: 0, throttledAttempts: 0, invocations: 0, peakConcurrency: 0, gbSeconds: 0, sqsRequests: 0, timeouts: 0 };

  // The standard queue: visible messages, oldest first (SQS makes no promise of order).
  const waiting: Msg[] = [];
  let waitingHead = 0;
  const later = new FlatQueue<Msg>();
  const sent = new Set<string>();
  let tickAt = 0;
  const queue: JobQueue<ReportJob> = {
    send: async (jobs) => {
      r.sqsRequests += Math.ceil(jobs.length / 10);
      if (waiting.length === waitingHead && busy === 0) {
        // The queue was idle: the poller starts over at its first concurrency.
        allowed = Math.min(ceiling, LAMBDA.sqsStartConcurrency);
        scaledAt = sim.now();
      }
      for (const job of jobs) waiting.push({ job, visibleAt: sim.now(), receives: 0 });
      r.due += jobs.length;
      tickAt = sim.now();
      wake();
    },
  };

  // SES: a bucket of one second's sends.
  let tokens = opts.sesRate;
  let tokensAt = WAVE_DAY;
  const trySend = (): boolean => {
    const now = sim.now();
    tokens = Math.min(opts.sesRate, tokens + ((now - tokensAt) / 1000) * opts.sesRate);
    tokensAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  };

  // Lambda's SQS poller scaling.
  let busy = 0;
  let allowed: number = LAMBDA.sqsStartConcurrency;
  let scaledAt = WAVE_DAY;
  let idleEnvs = 0;
  let pumping = false;
  function wake(): void {
    if (pumping) return;
    pumping = true;
    sim.at(sim.now() + LAMBDA.pollMs, pump);
  }
  function pump(): void {
    pumping = false;
    const now = sim.now();
    // Bring back messages whose visibility ended.
    while (later.length > 0 && later.peekValue()! <= now) waiting.push(later.pop()!);
    const backlog = waiting.length - waitingHead;
    if (backlog > 0 && now - scaledAt >= 60_000) {
      // A minute of backlog: up to 300 more pollers.
      allowed = Math.min(ceiling, allowed + LAMBDA.sqsScaleUpPerMin * Math.floor((now - scaledAt) / 60_000));
      scaledAt = now;
    }
    while (busy < Math.max(2, allowed) && waitingHead < waiting.length) {
      const batch = waiting.slice(waitingHead, waitingHead + 5);
      waitingHead += batch.length;
      if (waitingHead > 10_000) {
        waiting.splice(0, waitingHead);
        waitingHead = 0;
      }
      const live: Msg[] = [];
      for (const m of batch) {
        if (m.receives >= 5) {
          r.deadLettered++;
          continue;
        }
        m.receives++;
        live.push(m);
      }
      if (live.length === 0) continue;
      r.sqsRequests++;
      void invoke(live);
    }
    if (waitingHead < waiting.length || later.length > 0) {
      const next = waitingHead < waiting.length ? now + 1000 : later.peekValue()!;
      sim.at(Math.max(next, now + 1), () => wake());
    }
  }

  async function invoke(batch: Msg[]): Promise<void> {
    busy++;
    r.invocations++;
    r.peakConcurrency = Math.max(r.peakConcurrency, busy);
    const cold = idleEnvs === 0;
    if (!cold) idleEnvs--;
    const started = sim.now();
    if (cold) await sim.sleep(LAMBDA.reportWorkerInitMs);
    const runFrom = sim.now();
    const failed: Msg[] = [];
    let killed = false;
    for (const m of batch) {
      if (sim.now() - runFrom >= timeoutMs) {
        killed = true;
        break;
      }
      const userId = m.job.userId;
      if (sent.has(userId)) {
        await sim.sleep(REPORT.overheadMs);
        continue;
      }
      const n = items.get(userId) ?? 0;
      await sim.sleep(REPORT.overheadMs + (n / REPORT.queryItemsPerS) * 1000 + n * REPORT.healthMsPerItem + REPORT.renderMs);
      let ok = false;
      for (let attempt = 1; attempt <= SES.sdkAttempts; attempt++) {
        await sim.sleep(SES.sendMs);
        if (trySend()) {
          ok = true;
          break;
        }
        r.throttledAttempts++;
        if (attempt < SES.sdkAttempts) await sim.sleep(random.next() * SES.sdkThrottleBaseMs * 2 ** attempt);
      }
      if (sim.now() - runFrom > timeoutMs) {
        // The send may have happened, but the invocation died before answering.
        killed = true;
        if (ok) markSent(userId);
        break;
      }
      if (ok) markSent(userId);
      else failed.push(m);
    }
    const end = Math.min(sim.now(), runFrom + timeoutMs);
    r.gbSeconds += (REPORT.memoryGb * (end - started)) / 1000;
    if (killed) {
      r.timeouts++;
      // No answer: every message of the batch comes back.
      for (const m of batch) later.push({ ...m, visibleAt: started + visibilityMs }, started + visibilityMs);
    } else {
      r.sqsRequests++; // the delete of the successes
      for (const m of failed) later.push({ ...m, visibleAt: started + visibilityMs }, started + visibilityMs);
    }
    busy--;
    idleEnvs++;
    wake();
  }

  function markSent(userId: string): void {
    if (sent.has(userId)) return;
    sent.add(userId);
    r.sent++;
    const after = sim.now() - tickAt;
    if (after <= 3_600_000) r.sentWithinHour++;
    r.lastSentMs = Math.max(r.lastSentMs, after);
  }

  const hour = opts.reportHour ?? 7;
  const directory = { listUsersForReport: async (zone: string) => zones.get(zone) ?? [] };
  for (let h = 0; h < 24; h++) {
    const t = WAVE_DAY + h * 3_600_000;
    sim.at(t, () => void dispatchReports({ store: directory, queue, now: new Date(t), reportHour: hour }));
  }
  await sim.run(WAVE_DAY + 2 * 86_400_000);
  return r;
}
