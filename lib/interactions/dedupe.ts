import type { Item, MailItem } from '../providers/types.ts';

/**
 * Duplicates count once (DESIGN section 3): the same provider id within an account, the
 * same RFC 822 Message-ID, or the same fingerprint of Date, sender, sorted recipients and
 * subject hash. Meetings: the same provider id within an account, or the same
 * occurrence key (one iCalendar occurrence seen in two calendars).
 *
 * Copies are grouped transitively (a copy that shares its Message-ID with one item and
 * its fingerprint with another joins them both), and each group keeps the copy with the
 * smallest account and provider id, so the outcome never depends on the order items
 * arrive in.
 */

/** Stable key of an item: account plus provider id (Interaction.itemKey). */
export function itemKeyOf(item: Item): string {
  return `${item.accountId}:${item.providerId}`;
}

/** Stands for every Me address in a fingerprint. */
const ME = 'me';

/**
 * The fingerprint of a message for archives that copy it into several folders under
 * different Message-IDs.
 *
 * - Time: the UTC instant to the second. In the Enron archive (allen-p) the copies of one
 *   message within an export (`_sent_mail`, `sent`, `all_documents`,
 *   `discussion_threads`) carry the very same Date (386 groups of copies, 0 s apart), and
 *   the same instant written in another zone is the same `at`. Coarser buckets would
 *   merge real messages: the same sender sent the same subject to the same people
 *   1 s, 60 s and 169 s apart in one folder. (Between the two exports of that mailbox,
 *   Lotus Notes and Outlook (`sent_items`, part of `_sent_mail`), the same message is
 *   off by exactly 10 or 12 hours, about 45 messages in a 400-day window: a broken
 *   time-zone conversion no safe granularity catches, so those count twice.)
 * - Sender and recipients: every Me address reads as one `me`, because one archive may
 *   name the user differently per folder (Enron `sent_items` has From
 *   `k..allen@enron.com` where the other folders have `phillip.allen@enron.com`).
 * - Recipients: To, Cc and Bcc, distinct and sorted.
 */
export function mailFingerprint(item: MailItem, atMs: number, me: ReadonlySet<string>): string {
  const sender = item.from === null ? '' : me.has(item.from) ? ME : item.from;
  const recipients = new Set<string>();
  for (const list of [item.to, item.cc, item.bcc]) {
    for (const a of list) recipients.add(me.has(a) ? ME : a);
  }
  const sorted = [...recipients].sort();
  return `${Math.floor(atMs / 1000)}\n${sender}\n${sorted.join(',')}\n${item.subjectHash ?? ''}`;
}

/** What {@link dedupeItems} found. */
export interface Deduped {
  /** Indexes (into the input) of the one item kept per group of copies, by time. */
  kept: Uint32Array;
  /** Indexes (into the input, ascending) of the copies left out. */
  dropped: number[];
}

/**
 * Groups copies and keeps one item per group. Near-linear in the number of items, so it
 * runs over every item of a user: a union-find over indexes, Maps keyed by strings the
 * items already hold (no key is built per item), and, after one numeric sort by time,
 * fingerprints computed only for mail that shares its second with other mail, which
 * copies do and little else does. The kept items come back in time order, which the
 * caller needs anyway.
 *
 * @param items the items to deduplicate (mail and meetings may be mixed)
 * @param times each item's time in epoch ms (mail `at`, meeting `start`), same order
 * @param me the user's addresses, normalized, for the fingerprint
 */
export function dedupeItems(items: readonly Item[], times: readonly number[], me: ReadonlySet<string>): Deduped {
  const n = items.length;
  const groups = new Groups(n);
  const byProviderId = new Map<string, Map<string, number>>(); // per account
  const byMessageId = new Map<string, number>();
  const byOccurrence = new Map<string, number>();
  const linkProviderId = (item: Item, i: number): void => {
    let ids = byProviderId.get(item.accountId);
    if (!ids) byProviderId.set(item.accountId, (ids = new Map()));
    groups.link(ids, item.providerId, i);
  };

  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    if (item.kind === 'meeting') {
      linkProviderId(item, i);
      if (item.occurrenceKey) groups.link(byOccurrence, item.occurrenceKey, i);
    } else if (item.messageId) {
      // Mail with a Message-ID is keyed by it alone: the same provider id within an
      // account is the same message, whose Message-ID header does not change, so that
      // rule is implied, and one Map lookup per message instead of two matters at a
      // million items.
      groups.link(byMessageId, item.messageId, i);
    } else {
      linkProviderId(item, i);
    }
  }

  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a]! - times[b]!);
  const byFingerprint = new Map<string, number>();
  for (let start = 0; start < n; ) {
    const second = Math.floor(times[order[start]!]! / 1000);
    let end = start + 1;
    while (end < n && Math.floor(times[order[end]!]! / 1000) === second) end++;
    if (end - start > 1) {
      for (let k = start; k < end; k++) {
        const i = order[k]!;
        const item = items[i]!;
        if (item.kind === 'mail') groups.link(byFingerprint, mailFingerprint(item, times[i]!, me), i);
      }
    }
    start = end;
  }

  // The representative of each group: the smallest (account, provider id); the same
  // item delivered twice falls back to its content, so even that resolves the same way
  // whatever the order.
  const best = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const r = groups.find(i);
    const b = best[r]!;
    if (b < 0 || precedes(items[i]!, items[b]!)) best[r] = i;
  }
  const dropped: number[] = [];
  for (let i = 0; i < n; i++) if (best[groups.find(i)] !== i) dropped.push(i);
  const kept = order.filter((i) => best[groups.find(i)] === i);
  return { kept, dropped };
}

/** Union-find over item indexes: copies join one group, whichever key they share. */
class Groups {
  private readonly parent: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  /** The group of item i (its smallest-index member's root), compressing the path. */
  find(i: number): number {
    const parent = this.parent;
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[i] !== r) {
      const next = parent[i]!;
      parent[i] = r;
      i = next;
    }
    return r;
  }

  /** Records that item i has `key`; joins it with the first item that had it. */
  link<K>(map: Map<K, number>, key: K, i: number): void {
    const j = map.get(key);
    if (j === undefined) {
      map.set(key, i);
      return;
    }
    const ra = this.find(i);
    const rb = this.find(j);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Total order of copies: account, provider id, then (for one item seen twice) content. */
function precedes(a: Item, b: Item): boolean {
  if (a.accountId !== b.accountId) return a.accountId < b.accountId;
  if (a.providerId !== b.providerId) return a.providerId < b.providerId;
  return JSON.stringify(a) < JSON.stringify(b);
}
