import type { JobQueue, SyncJob } from '#lib/queue/jobs.ts';
import { dispatchSyncs } from '#lib/sync/dispatch.ts';
import type { Simulation } from './sim.ts';
import type { FifoQueue } from './sqs.ts';
import type { ModelStore } from './store.ts';
import { SEND_CONCURRENCY } from '#lib/queue/sqs.ts';
import { LAMBDA, SQS } from './limits.ts';

/**
 * The sync dispatcher on its schedule: the real `dispatchSyncs` at every tick, reading the
 * model table's schedule index, sending through a queue that times the real
 * SqsSyncQueue's way of sending (SendMessageBatch of 10, SEND_CONCURRENCY calls in flight,
 * SQS.sendBatchMs each: batch k is sent after floor(k / SEND_CONCURRENCY) + 1 rounds). The
 * dispatcher function has a 2-minute timeout (infra/constructs/sync.ts): what would be
 * sent after it never is. Scheduler's and Lambda's retries of a timed-out run are
 * not modelled: they send the same first messages again, which FIFO deduplication drops.
 */
export interface DispatcherFigures {
  ticks: number;
  enqueued: number;
  /** Jobs `dispatchSyncs` asked for: `active` accounts due, and `syncing` ones reclaimed. */
  due: number;
  reclaimed: number;
  /** Jobs the dispatcher found due but could not send before its timeout. */
  cutOff: number;
  timedOutTicks: number;
  longestMs: number;
  gbSeconds: number;
  sqsRequests: number;
}

export const DISPATCHER_TIMEOUT_MS = 120_000;
const DISPATCHER_MEMORY_GB = 0.5;
/** Assumed: one page of the keys-only schedule index (about 7,000 keys per MB) takes 30 ms. */
const QUERY_PAGE_KEYS = 7000;
const QUERY_PAGE_MS = 30;

export class SyncDispatcher {
  readonly figures: DispatcherFigures = { ticks: 0, enqueued: 0, due: 0, reclaimed: 0, cutOff: 0, timedOutTicks: 0, longestMs: 0, gbSeconds: 0, sqsRequests: 0 };

  constructor(
    private readonly sim: Simulation,
    private readonly store: ModelStore,
    private readonly queue: FifoQueue,
    private readonly intervalMs: number,
    /** The sample's share of the fleet: the dispatcher sends the sample's jobs that much slower. */
    private readonly share: number,
    private readonly onSent: () => void,
  ) {}

  /** Ticks from the first boundary after `from` until `to`. */
  schedule(from: number, to: number): void {
    for (let t = Math.ceil(from / this.intervalMs) * this.intervalMs; t <= to; t += this.intervalMs) {
      this.sim.at(t, () => void this.tick(t));
    }
  }

  private async tick(t: number): Promise<void> {
    this.figures.ticks++;
    const start = t + LAMBDA.dispatcherInitMs;
    const deadline = t + DISPATCHER_TIMEOUT_MS;
    let sentUntil = start;
    const queue: JobQueue<SyncJob> = {
      send: async (jobs) => {
        // The index was read first: its pages take time before the first send.
        const read = start + Math.ceil(Math.max(1, jobs.length / this.share) / QUERY_PAGE_KEYS) * QUERY_PAGE_MS * 2;
        let at = read;
        for (let i = 0; i < jobs.length; i += 10) {
          // The whole fleet's batch this one stands for, in rounds of SEND_CONCURRENCY calls.
          at = read + (Math.floor(i / this.share / 10 / SEND_CONCURRENCY) + 1) * SQS.sendBatchMs;
          if (at > deadline) {
            this.figures.cutOff += jobs.length - i;
            this.figures.timedOutTicks++;
            break;
          }
          this.figures.sqsRequests++;
          for (const job of jobs.slice(i, i + 10)) if (this.queue.send(job, at)) this.figures.enqueued++;
        }
        sentUntil = Math.min(at, deadline);
      },
    };
    const r = await dispatchSyncs({ store: this.store, queue, now: new Date(t), intervalMs: this.intervalMs });
    this.figures.due += r.due;
    this.figures.reclaimed += r.reclaimed;
    const ms = sentUntil - t;
    this.figures.longestMs = Math.max(this.figures.longestMs, ms);
    this.figures.gbSeconds += (DISPATCHER_MEMORY_GB * ms) / 1000;
    this.onSent();
  }
}
