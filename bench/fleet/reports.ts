import { REPORT_WORKER_TIMEOUT } from '#infra/constructs/report.ts';
import { VISIBILITY_FACTOR } from '#infra/constructs/job-queue.ts';
import { dispatchReports } from '#lib/report/dispatch.ts';
import type { JobQueue, ReportJob } from '#lib/queue/jobs.ts';
import { Random } from '#lib/random.ts';
import { Simulation } from './sim.ts';
import FlatQueue from 'flatqueue';
import { LAMBDA, REPORT, SES } from './limits.ts';
import { reportWorkerConcurrency, SEND_RETRY_MARGIN_MS, sendIntervalMs, throttleWaitMs } from '#lib/mail/pace.ts';
import type { Mailbox } from './mailboxes.ts';

/**
 * Monday's wave: the real report dispatcher (`dispatchReports`, hourly, every zone this
 * runtime knows) finds who is due at 07:00 local and enqueues one job each on the
 * standard report queue; the report worker is modelled as the stack builds it:
 * - Lambda polls the standard queue with batches of 5 (the stack's batch size), starting
 *   at 5 concurrent invocations and adding up to 300 a minute while messages wait, at
 *   most 1,250, never more than the account's unreserved concurrency, nor the event
 *   source's maxConcurrency: `reportWorkerConcurrency(sesSendRate)` (lib/mail/pace.ts);
 * - each invocation handles its records one after the other (processInParallel: false):
 *   a record not started {@link SEND_RETRY_MARGIN_MS} before the timeout goes back to the
 *   queue unbuilt; else read the user's items, compute health, render (figures from
 *   `npm run bench`), then SendEmail; a whole batch still running at the 2-minute timeout
 *   is killed and all of its messages come back, sent ones included (runReportJob's claim
 *   then skips them);
 * - each execution environment spaces its sends by `sendIntervalMs(sesSendRate)` (its
 *   SendPacer lives as long as the environment; a new one starts with no history);
 * - SES admits `rate` sends a second (a bucket of one second's worth); a throttled send
 *   is retried by the SDK (3 attempts in all, waits up to 500 ms × 2^attempt); then the
 *   worker waits `throttleWaitMs` and takes a new slot, while the invocation has more than
 *   the margin left; after that the record fails and the message returns after the
 *   visibility timeout (6 × 2 minutes); the fifth failed receive sends it to the
 *   dead-letter queue: no report that week.
 * `unpaced` models the stack before the cap and the pacer: no maxConcurrency, no spacing,
 * no retry beyond the SDK's, no record deferred.
 */

export interface WaveOptions {
  mailboxes: Mailbox[];
  /** SES maximum send rate (messages per second). */
  sesRate: number;
  seed: number;
  /**
   * The CDK context `sesSendRate` the stack was deployed with (the cap and the pacing come
   * from it); default `sesRate`, as the README tells admins.
   */
  configuredRate?: number;
  /** The report event source's maxConcurrency; default the stack's, from `configuredRate`. */
  maxConcurrency?: number;
  /** The stack before the SES pacing (see above). */
  unpaced?: boolean;
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
  /** Waits of the worker itself after the SDK's attempts were throttled. */
  workerRetries: number;
  /** Records handed back unbuilt near the timeout. */
  deferred: number;
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
  const paced = !opts.unpaced;
  const configured = opts.configuredRate ?? opts.sesRate;
  const cap = opts.maxConcurrency ?? (paced ? reportWorkerConcurrency(configured) : Infinity);
  const intervalMs = paced ? sendIntervalMs(configured, cap) : 0;
  const ceiling = Math.min(LAMBDA.sqsMaxConcurrency, LAMBDA.accountConcurrency - opts.syncConcurrency, cap);
  const r: WaveResult = {
    due: 0, sentWithinHour: 0, sent: 0, lastSentMs: 0, deadLettered: 0, throttledAttempts: 0, workerRetries: 0, deferred: 0,
    invocations: 0, peakConcurrency: 0, gbSeconds: 0, sqsRequests: 0, timeouts: 0,
  };

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
  // Execution environments, each with its send pacer's next slot; the most recently used is reused first.
  const idleEnvs: Array<{ nextSlot: number }> = [];
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
    const warm = idleEnvs.pop();
    const env = warm ?? { nextSlot: Number.NEGATIVE_INFINITY };
    const started = sim.now();
    if (!warm) await sim.sleep(LAMBDA.reportWorkerInitMs);
    const runFrom = sim.now();
    const retryUntil = runFrom + timeoutMs - SEND_RETRY_MARGIN_MS;
    const failed: Msg[] = [];
    let killed = false;
    for (const m of batch) {
      if (sim.now() - runFrom >= timeoutMs) {
        killed = true;
        break;
      }
      if (paced && sim.now() >= retryUntil) {
        // processRecord: too little left to build and send; back to the queue unbuilt.
        r.deferred++;
        failed.push(m);
        continue;
      }
      const userId = m.job.userId;
      if (sent.has(userId)) {
        await sim.sleep(REPORT.overheadMs);
        continue;
      }
      const n = items.get(userId) ?? 0;
      await sim.sleep(REPORT.overheadMs + (n / REPORT.queryItemsPerS) * 1000 + n * REPORT.healthMsPerItem + REPORT.renderMs);
      let ok = false;
      for (let retry = 0; ; retry++) {
        if (paced) {
          // The environment's SendPacer.
          const at = Math.max(sim.now(), env.nextSlot);
          env.nextSlot = at + intervalMs;
          if (at > sim.now()) await sim.sleep(at - sim.now());
        }
        for (let attempt = 1; attempt <= SES.sdkAttempts; attempt++) {
          await sim.sleep(SES.sendMs);
          if (trySend()) {
            ok = true;
            break;
          }
          r.throttledAttempts++;
          if (attempt < SES.sdkAttempts) await sim.sleep(random.next() * SES.sdkThrottleBaseMs * 2 ** attempt);
        }
        if (ok || !paced) break;
        // pacedMailer: wait and try again while the invocation has more than the margin left.
        const wait = throttleWaitMs(retry, random.next);
        if (sim.now() + wait >= retryUntil) break;
        r.workerRetries++;
        await sim.sleep(wait);
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
    idleEnvs.push(env);
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
