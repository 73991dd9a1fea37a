import { MBOX_FOLDER_PREFIX, mboxFolderOf } from '#lib/items/folders.ts';
import type { Item, MailItem } from '#lib/items/types.ts';

/**
 * Duplicates count once (DESIGN section 3): the same provider id within an account, the
 * same RFC 822 Message-ID, or the same fingerprint of Date, sender, sorted recipients and
 * subject hash. Meetings: the same provider id within an account, or the same
 * occurrence key (one iCalendar occurrence seen in two calendars).
 *
 * One more rule, for archives only: copies of one message, sent or received, filed in
 * different folders of an mbox archive whose fingerprints differ only by a whole number
 * of hours (see {@link dedupeItems}).
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
 *   1 s, 60 s and 169 s apart in one folder. Between the two exports of that mailbox
 *   (Lotus Notes and Outlook) the same message is off by exactly 10 or 12 hours: see
 *   {@link dedupeItems} for the narrower rule that catches those.
 * - Sender and recipients: every Me address reads as one `me`, because one archive may
 *   name the user differently per folder (Enron `sent_items` has From
 *   `k..allen@enron.com` where the other folders have `phillip.allen@enron.com`).
 * - Recipients: To, Cc and Bcc, distinct and sorted.
 */
export function mailFingerprint(item: MailItem, atMs: number, me: ReadonlySet<string>): string {
  return `${Math.floor(atMs / 1000)}\n${timelessFingerprint(item, me, item.subjectHash)}`;
}

/**
 * The subject key of the shifted-archive rule: the folded Subject's first line where an
 * archive folded one (one export may fold a notice into the Subject the other lacks).
 */
const archiveSubjectKey = (item: MailItem): string => item.subjectHeadHash ?? item.subjectHash ?? '';

/** The fingerprint without its time: sender, sorted recipients, the given subject key. */
function timelessFingerprint(item: MailItem, me: ReadonlySet<string>, subject: string | null): string {
  const sender = item.from === null ? '' : me.has(item.from) ? ME : item.from;
  const recipients = new Set<string>();
  for (const list of [item.to, item.cc, item.bcc]) {
    for (const a of list) recipients.add(me.has(a) ? ME : a);
  }
  const sorted = [...recipients].sort();
  return `${sender}\n${sorted.join(',')}\n${subject ?? ''}`;
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
 * Shifted archive copies: an archive converted from two mail systems can carry one
 * message in both with its Date off by whole hours (Enron allen-p: Lotus Notes folders
 * against Outlook's `Sent Items`, exactly 10 or 12 hours: 44 of the 564 sent messages
 * in the 400 days before 2001-07-01 counted twice; a time-zone misreading in the
 * conversion). Received mail shifts the same way (another Enron mailbox: copies of one
 * received message in its Notes and Outlook inboxes 12 hours apart, 33 received
 * messages counted twice), so the rule holds for sent and received alike (DESIGN
 * section 3). Two groups of copies are joined when
 * - every copy involved is an mbox item filed in a known folder (`mbox-folder:` label)
 *   with a sender;
 * - their timeless fingerprints (sender, recipients, subject) are equal, where a Subject
 *   the archive folded onto more lines counts by its first line (Enron's Outlook copies
 *   of two replies fold a privilege notice into the Subject the Notes copies lack), and their
 *   times differ by 1 to 14 whole hours, to the second (every zone offset is under 15 h);
 * - no folder holds a copy from both groups: one folder never holds two copies of one
 *   message, so look-alikes in one folder are distinct messages (Enron: the same
 *   subject to the same person 3 hours apart, each message in the same three Notes
 *   folders);
 * - the pairing is unambiguous: each group has exactly one such partner, and it is the
 *   partner's only one. When a copy could be the twin of two messages, both stay apart
 *   (counting one message twice does less harm than making two real messages one).
 * Which copy's time wins is not decided by the archive (either system may be the one
 * that misread the zone): as everywhere here, the copy with the smallest account and
 * provider id represents the group, so the result is independent of input order.
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

  const order = timeOrder(times, n);
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
  linkShiftedArchiveCopies(items, times, me, groups);

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

const isFolderLabel = (label: string): boolean => label.startsWith(MBOX_FOLDER_PREFIX);

/**
 * Indexes `0..n-1` by time, ties in index order. Items usually arrive in time order (a
 * store Query by date, an mbox read front to back): then the identity is that order and
 * the sort is skipped.
 */
function timeOrder(times: readonly number[], n: number): Uint32Array {
  const order = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && !(times[i - 1]! <= times[i]!)) sorted = false;
  }
  return sorted ? order : order.sort((a, b) => times[a]! - times[b]!);
}

/** Whole hours a converted archive may shift a copy's time by: every zone offset is under 15 h. */
const MAX_SHIFT_HOURS = 14;
const HOUR_S = 3600;

/**
 * Joins groups of archived copies (sent or received) whose times differ by whole hours
 * (the rule and its reasons are in {@link dedupeItems}). Linear: candidates are bucketed
 * by subject hash and the time's offset within the hour, so two candidates of a bucket
 * always differ by whole hours, and within a bucket sorted by time each copy only looks
 * back over the copies at most 14 hours earlier.
 */
function linkShiftedArchiveCopies(items: readonly Item[], times: readonly number[], me: ReadonlySet<string>, groups: Groups): void {
  // Buckets by the second within the hour, then by subject hash: keys the items already
  // hold, so no string is built per item, and a bucket of one copy (most) is its index
  // alone, so no object is made per item either. Recipients are compared later, and only
  // for the few copies that have a look-alike within 14 hours.
  const byOffset: (Map<string, number | number[]> | undefined)[] = new Array(HOUR_S);
  const candidates: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind !== 'mail' || item.source !== 'mbox' || item.from === null) continue;
    if (!item.labels.some(isFolderLabel)) continue;
    candidates.push(i);
    const second = Math.floor(times[i]! / 1000);
    const offset = ((second % HOUR_S) + HOUR_S) % HOUR_S;
    let bySubject = byOffset[offset];
    if (!bySubject) byOffset[offset] = bySubject = new Map();
    const subject = archiveSubjectKey(item);
    const bucket = bySubject.get(subject);
    if (bucket === undefined) bySubject.set(subject, i);
    else if (typeof bucket === 'number') bySubject.set(subject, [bucket, i]);
    else bucket.push(i);
  }

  // Pairs of groups whose copies lie 1 to 14 whole hours apart, flat: [a, b, a, b, ...].
  const pairs: number[] = [];
  for (const bySubject of byOffset) {
    if (!bySubject) continue;
    for (const bucket of bySubject.values()) {
      if (typeof bucket !== 'number') pairShifted(bucket, items as readonly MailItem[], times, me, groups, pairs);
    }
  }
  if (pairs.length === 0) return;

  // The folders of the groups in some pair (few: most mail has no shifted look-alike).
  const foldersOf = new Map<number, Set<string>>();
  for (const r of pairs) foldersOf.set(r, new Set());
  for (const i of candidates) foldersOf.get(groups.find(i))?.add(mboxFolderOf((items[i] as MailItem).labels)!);
  const disjoint = (a: number, b: number): boolean => {
    const fa = foldersOf.get(a)!;
    const fb = foldersOf.get(b)!;
    const [small, large] = fa.size <= fb.size ? [fa, fb] : [fb, fa];
    for (const f of small) if (large.has(f)) return false;
    return true;
  };

  // Partners are found on the groups as they stand, and joined only after every pair is
  // judged, so no join can change what another pairing sees: order-independent.
  const partners = new Map<number, Set<number>>();
  const addPartner = (a: number, b: number): void => {
    let set = partners.get(a);
    if (!set) partners.set(a, (set = new Set()));
    set.add(b);
  };
  for (let p = 0; p < pairs.length; p += 2) {
    const a = pairs[p]!;
    const b = pairs[p + 1]!;
    if (!disjoint(a, b)) continue;
    addPartner(a, b);
    addPartner(b, a);
  }
  for (const [a, set] of partners) {
    if (set.size !== 1) continue;
    const b = set.values().next().value!;
    if (a < b && partners.get(b)!.size === 1) groups.union(a, b);
  }
}

/**
 * Within one bucket (one subject hash, one second within the hour), the groups whose
 * copies have the same timeless fingerprint 1 to 14 hours apart. Copies at one second
 * form a run; copies of a run with the same fingerprint are one group already (the exact
 * fingerprint joined them), and a run has at most 14 earlier runs in reach, so the work
 * is linear in the bucket.
 */
function pairShifted(
  bucket: number[], items: readonly MailItem[], times: readonly number[], me: ReadonlySet<string>, groups: Groups, pairs: number[],
): void {
  bucket.sort((a, b) => times[a]! - times[b]!);
  const seconds: number[] = [];
  const starts: number[] = [];
  for (let k = 0; k < bucket.length; k++) {
    const s = Math.floor(times[bucket[k]!]! / 1000);
    if (seconds.length === 0 || seconds[seconds.length - 1] !== s) {
      seconds.push(s);
      starts.push(k);
    }
  }
  if (seconds.length < 2) return;
  starts.push(bucket.length);
  const runs: (Map<string, number> | undefined)[] = [];
  const run = (r: number): Map<string, number> => {
    let byFingerprint = runs[r];
    if (!byFingerprint) {
      byFingerprint = new Map();
      for (let k = starts[r]!; k < starts[r + 1]!; k++) {
        const i = bucket[k]!;
        byFingerprint.set(timelessFingerprint(items[i]!, me, archiveSubjectKey(items[i]!)), groups.find(i));
      }
      runs[r] = byFingerprint;
    }
    return byFingerprint;
  };
  for (let j = 1; j < seconds.length; j++) {
    for (let k = j - 1; k >= 0 && seconds[j]! - seconds[k]! <= MAX_SHIFT_HOURS * HOUR_S; k--) {
      const earlier = run(k);
      for (const [fingerprint, root] of run(j)) {
        const other = earlier.get(fingerprint);
        if (other !== undefined && other !== root) pairs.push(root, other);
      }
    }
  }
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
    this.union(i, j);
  }

  /** Joins the groups of items i and j; the smaller root stays the root. */
  union(i: number, j: number): void {
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
