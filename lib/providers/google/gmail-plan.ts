/**
 * How to fetch a batch of listed Gmail messages for the fewest quota units: one
 * `messages.get` each, or one `threads.get` for a thread with enough listed messages.
 */

/** How a source fetches message metadata. */
export type FetchStrategy = 'auto' | 'messages' | 'threads';

/** One request to make: a single message, or a whole thread standing for its listed messages. */
export type FetchUnit =
  | { kind: 'message'; id: string; position: number }
  | { kind: 'thread'; threadId: string; ids: string[]; position: number };

/**
 * The fewest known messages of one thread for which one `threads.get` costs no more than
 * a `messages.get` each: the smallest k with k × messagesGet ≥ threadsGet. In both of
 * Gmail's quota models (20 vs 40, 5 vs 10) that is 2. At a tie the thread wins, because
 * it also brings the thread's messages that later pages would list.
 */
export function threadBreakEven(costs: { 'messages.get': number; 'threads.get': number }): number {
  return Math.max(1, Math.ceil(costs['threads.get'] / costs['messages.get']));
}

/**
 * Groups listed messages (newest first) into fetch units, in list order: a unit's
 * position is that of its newest listed message, so everything after the first message
 * older than the horizon can be skipped. When `wholeThreadsUseful` (a full sync), a
 * thread's known size is its listed messages plus one when none of them is the thread's
 * first message (Gmail names a thread after its first message, so a listed reply proves
 * an older message exists), unless that first message is already `held` (a resync, or a
 * run resumed after a continuation: fetching the thread would only bring it again).
 */
export function planFetch(
  listed: ReadonlyArray<{ id: string; threadId: string }>,
  strategy: FetchStrategy,
  costs: { 'messages.get': number; 'threads.get': number },
  wholeThreadsUseful: boolean,
  held: ReadonlySet<string> = new Set(),
): FetchUnit[] {
  const byThread = new Map<string, { ids: string[]; positions: number[] }>();
  listed.forEach((m, position) => {
    const group = byThread.get(m.threadId);
    if (group) {
      group.ids.push(m.id);
      group.positions.push(position);
    } else {
      byThread.set(m.threadId, { ids: [m.id], positions: [position] });
    }
  });
  const units: FetchUnit[] = [];
  for (const [threadId, group] of byThread) {
    // In a full sync a thread's other messages are wanted too (later pages would list
    // them): a tie goes to threads.get. In an incremental sync only the changed ones are.
    const known = group.ids.length + (wholeThreadsUseful && !group.ids.includes(threadId) && !held.has(threadId) ? 1 : 0);
    const need = wholeThreadsUseful ? threadBreakEven(costs) : Math.floor(costs['threads.get'] / costs['messages.get']) + 1;
    const useThread = strategy === 'threads' || (strategy === 'auto' && known >= need);
    if (useThread) {
      units.push({ kind: 'thread', threadId, ids: group.ids, position: group.positions[0]! });
    } else {
      group.ids.forEach((id, k) => units.push({ kind: 'message', id, position: group.positions[k]! }));
    }
  }
  return units.sort((a, b) => a.position - b.position);
}

/**
 * Runs `work` on items 0..n-1 with at most `workers` at once, in order of index, skipping
 * those `skip` rejects when their turn comes. The first failure stops the others from
 * starting new work and is rethrown once those running have settled.
 */
export async function runPool(
  n: number,
  workers: number,
  work: (i: number) => Promise<void>,
  skip: (i: number) => boolean = () => false,
): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (next < n && failure === null) {
      const i = next++;
      if (skip(i)) continue;
      try {
        await work(i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, n)) }, worker));
  if (failure !== null) throw (failure as { err: unknown }).err;
}
