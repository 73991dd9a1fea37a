import FlatQueue from 'flatqueue';
import type { SyncJob } from '#lib/queue/jobs.ts';
import { SQS } from './limits.ts';

/**
 * The FIFO sync queue, as SQS documents it:
 * - one message group per account (`MessageGroupId = accountId`): while a group's head
 *   message is in flight, nothing else of the group is delivered;
 * - deduplication: a message whose deduplication id was sent in the last 5 minutes is
 *   accepted and dropped (the id is what `syncJobDedupId` hashes: account, reason, slot);
 * - visibility: a message received and not deleted (the invocation failed or was killed)
 *   is delivered again once its visibility timeout, counted from the receive, has passed;
 * - redrive: a message received `maxReceiveCount` times and still not deleted goes to the
 *   dead-letter queue at its next receive;
 * - retention: messages older than 4 days (the default; the stack sets none) are dropped.
 * Across groups SQS documents no order; the model delivers the group whose head became
 * visible first (oldest first), ties in a fixed order so a seed gives one history.
 */

interface Message {
  job: SyncJob;
  sentAt: number;
  visibleAt: number;
  receives: number;
}

class Group {
  readonly messages: Message[] = [];
  head = 0;
  inFlight = false;
  queued = false;
  constructor(readonly id: string) {}
  first(): Message | undefined {
    return this.messages[this.head];
  }
  shift(): void {
    this.head++;
    if (this.head > 64 && this.head * 2 > this.messages.length) {
      this.messages.splice(0, this.head);
      this.head = 0;
    }
  }
  get size(): number {
    return this.messages.length - this.head;
  }
}

export interface Received {
  group: Group;
  message: Message;
}

export class FifoQueue {
  private readonly groups = new Map<string, Group>();
  private readonly ready = new FlatQueue<Group>();
  private readonly dedup = new Map<string, number>();
  private readonly dedupOrder: Array<[string, number]> = [];
  private dedupHead = 0;
  sent = 0;
  deduplicated = 0;
  expired = 0;
  deadLettered: SyncJob[] = [];
  depth = 0;
  peakDepth = 0;
  /** SQS requests: sends (by batches of 10), receives and deletes. */
  requests = 0;

  constructor(
    private readonly maxReceiveCount: number,
    private readonly retentionMs: number = SQS.retentionMs,
  ) {}

  /** A message sent at `at` (it is visible from then); false when deduplicated. */
  send(job: SyncJob, at: number): boolean {
    this.pruneDedup(at);
    const id = `${job.accountId}\n${job.reason}\n${job.slot}`;
    const seen = this.dedup.get(id);
    if (seen !== undefined && at - seen < SQS.dedupWindowMs) {
      this.deduplicated++;
      return false;
    }
    this.dedup.set(id, at);
    this.dedupOrder.push([id, at]);
    let g = this.groups.get(job.accountId);
    if (!g) this.groups.set(job.accountId, (g = new Group(job.accountId)));
    g.messages.push({ job, sentAt: at, visibleAt: at, receives: 0 });
    this.sent++;
    this.depth++;
    this.peakDepth = Math.max(this.peakDepth, this.depth);
    if (!g.inFlight && !g.queued && g.size === 1) this.enqueue(g);
    return true;
  }

  /** The next deliverable message at `now`, marked in flight. */
  receive(now: number): Received | undefined {
    while (this.ready.length > 0 && this.ready.peekValue()! <= now) {
      const g = this.ready.pop()!;
      g.queued = false;
      for (;;) {
        const m = g.first();
        if (!m) break;
        if (now - m.sentAt > this.retentionMs) {
          this.expired++;
          this.dropHead(g);
          continue;
        }
        if (m.visibleAt > now) {
          this.enqueue(g);
          break;
        }
        if (m.receives >= this.maxReceiveCount) {
          this.deadLettered.push(m.job);
          this.dropHead(g);
          continue;
        }
        m.receives++;
        g.inFlight = true;
        this.requests++;
        return { group: g, message: m };
      }
    }
    return undefined;
  }

  /** When the next message becomes deliverable (Infinity when none waits). */
  nextVisibleAt(): number {
    return this.ready.length > 0 ? this.ready.peekValue()! : Infinity;
  }

  /**
   * How many messages right behind the one in flight are `scheduled` jobs with a slot at
   * or before `syncedAt` (the account was synced since their tick): stale duplicates.
   */
  staleBehind(r: Received, syncedAt: string, now: number): number {
    const g = r.group;
    let n = 0;
    for (let i = g.head + 1; i < g.messages.length; i++) {
      const m = g.messages[i]!;
      if (m.job.reason !== 'scheduled' || m.job.slot > syncedAt || m.visibleAt > now || now - m.sentAt > this.retentionMs) break;
      n++;
    }
    return n;
  }

  /** Deletes `n` messages behind the one in flight (run together with it, see SyncWorkers). */
  deleteBehind(r: Received, n: number): void {
    const g = r.group;
    g.messages.splice(g.head + 1, n);
    this.depth -= n;
    this.requests += 2 * n;
  }

  /** The invocation succeeded: the message is deleted and the group moves on. */
  delete(r: Received): void {
    this.requests++;
    r.group.inFlight = false;
    this.drop(r.group);
  }

  /** The invocation failed or was killed: the message comes back at `visibleAt`. */
  release(r: Received, visibleAt: number): void {
    r.message.visibleAt = visibleAt;
    r.group.inFlight = false;
    this.enqueue(r.group);
  }

  /** Messages waiting in an account's group (in flight included). */
  groupSize(accountId: string): number {
    return this.groups.get(accountId)?.size ?? 0;
  }

  private drop(g: Group): void {
    this.dropHead(g);
    this.enqueue(g);
  }

  private dropHead(g: Group): void {
    g.shift();
    this.depth--;
  }

  private enqueue(g: Group): void {
    const m = g.first();
    if (!m || g.queued || g.inFlight) return;
    g.queued = true;
    this.ready.push(g, m.visibleAt);
  }

  private pruneDedup(now: number): void {
    while (this.dedupHead < this.dedupOrder.length && now - this.dedupOrder[this.dedupHead]![1] >= SQS.dedupWindowMs) {
      const [id, at] = this.dedupOrder[this.dedupHead++]!;
      if (this.dedup.get(id) === at) this.dedup.delete(id);
    }
    if (this.dedupHead > 100_000) {
      this.dedupOrder.splice(0, this.dedupHead);
      this.dedupHead = 0;
    }
  }
}
