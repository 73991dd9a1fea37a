import { HAS_REFS, MEETING, SENT, largestContact, type Columns } from './columns.ts';
import { Scratch } from './scratch.ts';
import { median, round2 } from './stats.ts';
import { HOUR_MS } from './windows.ts';

/** Median reply latency in hours: `mine` is how fast I answer them, `theirs` them me. */
export interface ReplyHours {
  mine: number | null;
  theirs: number | null;
}

/**
 * Reply pairing (DESIGN section 3), with state allocated once for all contacts: arrays
 * indexed by position or by interned thread, where a thread's slot is valid only while
 * it is stamped with the contact being paired (threads are shared across contacts).
 */
export class ReplyMatcher {
  /** 1 once a message has been answered (its first answer is its reply). */
  private readonly answered: Uint8Array;
  /** Linked list of a thread's unanswered run: next older message of the run, or -1. */
  private readonly nextInRun: Int32Array;
  /** Thread -> newest message of its unanswered run (a run is all one direction). */
  private readonly runHead: Int32Array;
  /** Thread -> contact + 1 that `runHead` belongs to (0: nobody yet). */
  private readonly runOwner: Int32Array;
  /** Latencies of the contact being paired, each way (a contact's messages bound them). */
  private readonly mine: Float64Array;
  private readonly theirs: Float64Array;

  constructor(
    private readonly cols: Columns,
    scratch: Scratch = new Scratch(),
  ) {
    this.answered = scratch.uint8('answered', cols.size);
    this.nextInRun = scratch.int32('nextInRun', cols.size);
    this.runHead = scratch.int32('runHead', cols.threadCount);
    this.runOwner = scratch.int32('runOwner', cols.threadCount).fill(0);
    const most = largestContact(cols);
    this.mine = scratch.float64('mineLatencies', most);
    this.theirs = scratch.float64('theirLatencies', most);
  }

  /**
   * Median reply latencies of contact `k`. A message answers an earlier message of the
   * other direction when its In-Reply-To/References name that message, or when it is
   * the next message of the other direction in the same thread. A message's reply is
   * its first answer; the latency counts when the answer falls in the window
   * (`at > windowStart`), however old the question. Meetings never pair.
   *
   * Linear: each message joins one thread run and leaves it once, plus one step per
   * Message-ID it names.
   */
  replyHours(k: number, windowStart: number): ReplyHours {
    const { at, kind, flags, thread, refStart, refEnd, refs } = this.cols;
    const { answered, nextInRun, runHead, runOwner, mine, theirs } = this;
    const owner = k + 1;
    let mineCount = 0;
    let theirCount = 0;
    const end = this.cols.offsets[k + 1]!;

    for (let p = this.cols.offsets[k]!; p < end; p++) {
      const i = p;
      const ki = kind[i]!;
      if (ki === MEETING) continue;
      answered[i] = 0;
      const inWindow = at[i]! > windowStart;
      const latencies = ki === SENT ? mine : theirs;
      let count = ki === SENT ? mineCount : theirCount;

      if ((flags[i]! & HAS_REFS) !== 0) {
        for (let r = refStart[i]!; r < refEnd[i]!; r++) {
          const q = refs[r]!;
          if (answered[q] === 1 || kind[q] === ki) continue;
          answered[q] = 1;
          if (inWindow) latencies[count++] = (at[i]! - at[q]!) / HOUR_MS;
        }
      }

      const t = thread[i]!;
      if (t >= 0) {
        const head = runOwner[t] === owner ? runHead[t]! : -1;
        if (head >= 0 && kind[head] !== ki) {
          // This message is the next of its direction after the whole run: it answers it.
          for (let q = head; q !== -1; q = nextInRun[q]!) {
            if (answered[q] === 1) continue;
            answered[q] = 1;
            if (inWindow) latencies[count++] = (at[i]! - at[q]!) / HOUR_MS;
          }
          nextInRun[i] = -1;
        } else {
          nextInRun[i] = head;
        }
        runHead[t] = i;
        runOwner[t] = owner;
      }
      if (ki === SENT) mineCount = count;
      else theirCount = count;
    }

    const m = median(mine, mineCount);
    const th = median(theirs, theirCount);
    return { mine: m === null ? null : round2(m), theirs: th === null ? null : round2(th) };
  }
}
