import type { Initiative } from './types.ts';
import { MEETING, SENT, type Columns } from './columns.ts';
import { Scratch } from './scratch.ts';

/**
 * Who keeps the relationship going (DESIGN section 4), over the window.
 *
 * A thread counts when its first message with the contact (over the held history) falls
 * in the window; its starter is that message's sender. A thread is answered when the
 * other side writes in it later. Thresholds:
 * - `you-chase`: I started at least 2 threads, at least twice as many as they did, and
 *   they answered fewer than half of mine;
 * - `they-chase`: the mirror image;
 * - otherwise `mutual` (including too few threads to tell).
 * Meetings and mail without a thread id start no thread.
 */
export const CHASE_MIN_THREADS = 2;
export const CHASE_SHARE_RATIO = 2;
export const CHASE_MAX_ANSWER_RATE = 0.5;

const STARTED_BY_ME = 1;
const ANSWERED = 2;

/**
 * Thread starters and answers per contact. State lives in arrays indexed by interned
 * thread, valid only while stamped with the contact (threads are shared across contacts).
 */
export class InitiativeCounter {
  private readonly state: Uint8Array;
  private readonly owner: Int32Array;

  constructor(
    private readonly cols: Columns,
    scratch: Scratch = new Scratch(),
  ) {
    this.state = scratch.uint8('threadState', cols.threadCount);
    this.owner = scratch.int32('threadOwner', cols.threadCount).fill(0);
  }

  /** Classifies contact `k` (window: `at > windowStart`). */
  initiative(k: number, windowStart: number): Initiative {
    const { at, kind, thread } = this.cols;
    const { state, owner } = this;
    const stamp = k + 1;
    let mine = 0, theirs = 0, mineAnswered = 0, theirsAnswered = 0;
    const end = this.cols.offsets[k + 1]!;
    for (let p = this.cols.offsets[k]!; p < end; p++) {
      const i = p;
      const t = thread[i]!;
      if (t < 0 || kind[i] === MEETING) continue;
      const byMe = kind[i] === SENT ? STARTED_BY_ME : 0;
      if (owner[t] !== stamp) {
        owner[t] = stamp;
        // A thread started before the window is remembered (a late message in it starts
        // nothing) but not counted: marking it answered keeps it out of every count.
        const inWindow = at[i]! > windowStart;
        state[t] = byMe | (inWindow ? 0 : ANSWERED);
        if (inWindow) {
          if (byMe) mine++;
          else theirs++;
        }
      } else if ((state[t]! & ANSWERED) === 0 && (state[t]! & STARTED_BY_ME) !== byMe) {
        state[t] = state[t]! | ANSWERED;
        if (byMe) theirsAnswered++;
        else mineAnswered++;
      }
    }
    return classifyInitiative(mine, theirs, mineAnswered, theirsAnswered);
  }
}

/**
 * The thresholds above, on counts: threads I started and they started in the window, and
 * how many of each the other side answered.
 */
export function classifyInitiative(
  mine: number,
  theirs: number,
  mineAnswered: number,
  theirsAnswered: number,
): Initiative {
  if (mine >= CHASE_MIN_THREADS && mine >= CHASE_SHARE_RATIO * theirs && mineAnswered < CHASE_MAX_ANSWER_RATE * mine) {
    return 'you-chase';
  }
  if (theirs >= CHASE_MIN_THREADS && theirs >= CHASE_SHARE_RATIO * mine && theirsAnswered < CHASE_MAX_ANSWER_RATE * theirs) {
    return 'they-chase';
  }
  return 'mutual';
}
