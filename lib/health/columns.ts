import type { Interaction } from '#lib/interactions/types.ts';
import { Scratch } from './scratch.ts';

/** `kind` codes in `Columns.kind`. */
export const SENT = 0;
export const RECEIVED = 1;
export const MEETING = 2;
/** Bits of `Columns.flags`. */
export const TO_ME = 1;
export const TRASHED = 2;
/** The position names earlier messages: `refs[refStart[p] .. refEnd[p] - 1]` is defined. */
export const HAS_REFS = 4;

/**
 * The held interactions as typed arrays, laid out grouped by contact: contact k owns
 * positions `offsets[k] .. offsets[k + 1] - 1`, in time order. Every per-contact pass
 * then walks one contiguous range of typed arrays, never a Map, a string or a scattered
 * object, which is what keeps a million interactions inside the 2-second target.
 */
export interface Columns {
  size: number;
  at: Float64Array;
  kind: Uint8Array;
  flags: Uint8Array;
  minutes: Float64Array;
  /** Interned thread id, -1 for none (meetings, mail without a thread). */
  thread: Int32Array;
  threadCount: number;
  /**
   * A position p with `HAS_REFS` in its flags names the earlier messages (same contact) at
   * `refs[refStart[p] .. refEnd[p] - 1]` through its In-Reply-To / References; elsewhere
   * these two hold anything.
   */
  refStart: Int32Array;
  refEnd: Int32Array;
  refs: Int32Array;
  /** Contact addresses, in order of first appearance. */
  contacts: string[];
  offsets: Int32Array;
}

/**
 * How far back along its own thread a reference is looked for before it is treated as
 * naming another thread. Bounded so long References chains cost a constant per name.
 */
const SAME_THREAD_LOOKBACK = 8;

/**
 * Builds the columns of `interactions[from..to)` (sorted by time) in sequential passes:
 * the first interns contacts and counts them; the second writes each interaction at its
 * contact's next position (a counting sort, so no contact is ever sorted on its own) and
 * interns threads; the third resolves references.
 *
 * A message names an earlier one when its `replyTo` holds that one's Message-ID and
 * both are with the same contact (a message sent to three people is three interactions
 * sharing one Message-ID: they are chained so the right one is found). A name found
 * among the last few messages of the referrer's own thread is dropped: the thread rule
 * already pairs that message at least as early. So only names across threads (a split
 * thread, mail without a thread) are looked up, and only the Message-IDs so named are
 * indexed: a Map of every Message-ID would dominate the cost.
 *
 * The arrays live in `scratch` (a fresh one by default): `computeHealth` passes the one it
 * reuses, so the columns it builds are valid until its next call.
 */
export function buildColumns(
  interactions: readonly Interaction[],
  from: number,
  to: number,
  scratch: Scratch = new Scratch(),
): Columns {
  const size = Math.max(0, to - from);
  // Contacts are few (a Map reuses a string's cached hash when the extraction shares one
  // string per contact, and measured faster than the interner up to 17,000 contacts);
  // threads are many (the interner wins).
  const contactIds = new Map<string, number>();
  const contacts: string[] = [];
  const counts: number[] = [];
  const contactOfInput = scratch.int32('contactOfInput', size);
  for (let i = 0; i < size; i++) {
    const address = interactions[from + i]!.contact;
    let c = contactIds.get(address);
    if (c === undefined) {
      c = contacts.length;
      contactIds.set(address, c);
      contacts.push(address);
      counts.push(0);
    }
    contactOfInput[i] = c;
    counts[c]!++;
  }
  const offsets = new Int32Array(contacts.length + 1);
  for (let k = 0; k < contacts.length; k++) offsets[k + 1] = offsets[k]! + counts[k]!;
  const cursor = offsets.slice(0, contacts.length);

  const at = scratch.float64('at', size);
  const kind = scratch.uint8('kind', size);
  const flags = scratch.uint8('flags', size);
  const minutes = scratch.float64('minutes', size);
  const thread = scratch.int32('thread', size);
  /** Previous input index in the same thread (any contact), -1 for none. */
  const prevInThread = scratch.int32('prevInThread', size);
  const threadIds = scratch.threads;
  threadIds.reset(size >> 2);
  /** Thread -> its latest input index so far (there are at most `size` threads). */
  const threadLast = scratch.int32('threadLast', size);
  /** Names that may cross threads: referrer input indices (ascending) and the names. */
  const crossReferrer: number[] = [];
  const crossName: string[] = [];
  const named = new Set<string>();
  // Per contact: its latest thread (id and name) and its latest mail (input index and
  // Message-ID). Most mail continues the contact's latest thread and names the contact's
  // previous message: these small arrays answer that without a probe of the big thread
  // table or a trip to an old Interaction object, random reads that miss every cache
  // once there are hundreds of thousands of threads.
  const contactThread = scratch.int32('contactThread', contacts.length);
  const contactThreadName = new Array<string | null>(contacts.length).fill(null);
  const contactLastMail = scratch.int32('contactLastMail', contacts.length).fill(-1);
  const contactLastMessageId = new Array<string | null>(contacts.length).fill(null);

  for (let i = 0; i < size; i++) {
    const it = interactions[from + i]!;
    const c = contactOfInput[i]!;
    const p = cursor[c]!++;
    at[p] = it.at;
    if (it.kind === 'meeting') {
      kind[p] = MEETING;
      flags[p] = 0;
      minutes[p] = it.minutes;
      thread[p] = -1;
      continue;
    }
    kind[p] = it.kind === 'sent' ? SENT : RECEIVED;
    flags[p] = (it.toMe ? TO_ME : 0) | (it.trashed ? TRASHED : 0);
    let t = -1;
    prevInThread[i] = -1;
    const threadId = it.threadId;
    if (threadId !== null) {
      if (threadId === contactThreadName[c]) {
        t = contactThread[c]!;
        prevInThread[i] = threadLast[t]!;
      } else {
        const known = threadIds.size;
        t = threadIds.intern(threadId);
        if (t !== known) prevInThread[i] = threadLast[t]!;
        contactThread[c] = t;
      }
      contactThreadName[c] = threadId;
      threadLast[t] = i;
    }
    thread[p] = t;
    const previous = contactLastMail[c]!;
    const previousId = contactLastMessageId[c];
    contactLastMail[c] = i;
    contactLastMessageId[c] = it.messageId;
    for (const id of it.replyTo) {
      // The first step of `inOwnThread`, when that message is the contact's previous one.
      if (previous !== -1 && prevInThread[i] === previous && id === previousId) continue;
      if (inOwnThread(interactions, from, prevInThread, i, id)) continue;
      crossReferrer.push(i);
      crossName.push(id);
      named.add(id);
    }
  }

  const refStart = scratch.int32('refStart', size);
  const refEnd = scratch.int32('refEnd', size);
  const refs: number[] = [];
  if (crossReferrer.length > 0) {
    /** Previous position carrying the same Message-ID, -1 for none. */
    const prevSameId = scratch.int32('prevSameId', size);
    const lastById = new Map<string, number>();
    const lastReferrer = crossReferrer[crossReferrer.length - 1]!;
    // Replays the counting sort's cursor to recover each input's position.
    const replay = offsets.slice(0, contacts.length);
    let r = 0;
    for (let i = 0; i <= lastReferrer; i++) {
      const p = replay[contactOfInput[i]!]!++;
      if (crossReferrer[r] === i) {
        const lo = offsets[contactOfInput[i]!]!;
        flags[p] = flags[p]! | HAS_REFS;
        refStart[p] = refs.length;
        for (; crossReferrer[r] === i; r++) {
          for (let q = lastById.get(crossName[r]!) ?? -1; q !== -1; q = prevSameId[q]!) {
            if (q < lo || q >= p) continue; // another contact's copy of the message
            refs.push(q);
            break;
          }
        }
        refEnd[p] = refs.length;
      }
      const id = interactions[from + i]!.messageId;
      if (id !== null && named.has(id)) {
        prevSameId[p] = lastById.get(id) ?? -1;
        lastById.set(id, p);
      }
    }
  }

  return {
    size, at, kind, flags, minutes, thread, threadCount: threadIds.size,
    refStart, refEnd, refs: Int32Array.from(refs), contacts, offsets,
  };
}

/** The most positions any one contact owns: a bound for per-contact scratch buffers. */
export function largestContact(cols: Columns): number {
  let most = 0;
  for (let k = 0; k + 1 < cols.offsets.length; k++) most = Math.max(most, cols.offsets[k + 1]! - cols.offsets[k]!);
  return most;
}

/** Whether `id` is the Message-ID of one of the last few messages of input i's thread. */
function inOwnThread(
  interactions: readonly Interaction[],
  from: number,
  prevInThread: Int32Array,
  i: number,
  id: string,
): boolean {
  let j = prevInThread[i]!;
  for (let step = 0; j !== -1 && step < SAME_THREAD_LOOKBACK; step++) {
    if (interactions[from + j]!.messageId === id) return true;
    j = prevInThread[j]!;
  }
  return false;
}
