import { accountOf } from '#lib/health/accounts.ts';
import type { Item, MailItem } from '#lib/items/types.ts';

/**
 * The items a brief needs: those that name an attendee or someone of an attendee's
 * organization (sender, recipient, organizer or attendee), plus every other copy of such
 * a message (same Message-ID), so the extraction deduplicates them exactly as it would
 * among all the items.
 *
 * Why it is safe: every per-contact figure of the health stage (counts, cadence, replies,
 * initiative, owed and awaiting) reads only that contact's interactions, and a contact's
 * interactions come only from items naming them; duplicates of one message name the same
 * people (one Message-ID, or one fingerprint of sender and recipients). The one case it
 * can change is a chain of copies of one message that name different people (a Bcc seen
 * in one copy only) whose kept copy would be one that names no attendee: then the brief
 * counts the copy naming the attendee, which the weekly report would have dropped.
 *
 * Why it matters: a heavy mailbox holds hundreds of thousands of items and a day's
 * attendees appear in a few thousand; the extraction costs microseconds per item.
 *
 * With `held`, mail outside `[from, to)` and meetings starting before `from` are left out
 * too: the extraction ignores them anyway (the held history before `asOf`; meetings after
 * it are upcoming and kept). Without it nothing is judged by time: `computeBrief` passes
 * items its own pass already kept to the held history.
 *
 * @param items every item of the person
 * @param addresses the attendees, normalized
 * @param organizations their organization domains (accounts, see `accountOf`)
 * @param held epoch ms: the held history's first instant and `asOf`
 */
export function relevantItems(
  items: Iterable<Item>,
  addresses: ReadonlySet<string>,
  organizations: ReadonlySet<string>,
  held?: { from: number; to: number },
): Item[] {
  const verdicts = new Map<string, boolean>();
  const names = (address: string | null): boolean => {
    if (address === null) return false;
    let v = verdicts.get(address);
    if (v === undefined) {
      v = addresses.has(address) || organizations.has(accountOf(address));
      verdicts.set(address, v);
    }
    return v;
  };
  const anyOf = (list: readonly string[]): boolean => {
    for (const a of list) if (names(a)) return true;
    return false;
  };

  const inHeld = held === undefined ? () => true : heldTest(held.from, held.to);
  const heldFrom = held?.from ?? -Infinity;
  const list = Array.isArray(items) ? (items as readonly Item[]) : [...items];
  const kept: Item[] = [];
  const messageIds = new Set<string>();
  // Held mail naming nobody of the brief but carrying a Message-ID: a copy, maybe, of a
  // kept message. Marked by position rather than collected: a large mailbox has many.
  const maybeCopy = new Uint8Array(list.length);
  let maybeCopies = 0;
  for (let k = 0; k < list.length; k++) {
    const item = list[k]!;
    if (item.kind === 'meeting') {
      if (held !== undefined && !(Date.parse(item.start) >= heldFrom)) continue;
      if (names(item.organizer) || item.attendees.some((a) => names(a.address))) kept.push(item);
      continue;
    }
    if (!inHeld(item.at)) continue;
    if (names(item.from) || anyOf(item.to) || anyOf(item.cc) || anyOf(item.bcc)) {
      kept.push(item);
      if (item.messageId) messageIds.add(item.messageId);
    } else if (item.messageId) {
      maybeCopy[k] = 1;
      maybeCopies++;
    }
  }
  if (messageIds.size > 0 && maybeCopies > 0) {
    for (let k = 0; k < list.length; k++) {
      if (maybeCopy[k] === 0) continue;
      const item = list[k] as MailItem;
      if (messageIds.has(item.messageId!)) kept.push(item);
    }
  }
  return kept;
}

const DAY_MS = 86_400_000;

/**
 * Whether an ISO instant lies in `[from, to)` (epoch ms bounds). Parsing every instant of a large mailbox
 * costs more than the rest of this filter, so an instant whose UTC day lies strictly
 * between the bounds' days (or wholly outside them) is decided on its `YYYY-MM-DD` prefix
 * alone; only the two bounds' own days, and any text not shaped so, are parsed.
 */
export function heldTest(from: number, to: number): (iso: string) => boolean {
  if (!Number.isFinite(from) || !Number.isFinite(to)) return (iso) => { const t = Date.parse(iso); return t >= from && t < to; };
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const fromDay = day(from), afterFromDay = day(from + DAY_MS), toDay = day(to), afterToDay = day(to + DAY_MS);
  return (iso) => {
    if (iso.length >= 20 && iso.charCodeAt(4) === 45 && iso.charCodeAt(10) === 84) {
      if (iso >= afterFromDay && iso < toDay) return true;
      if (iso < fromDay || iso >= afterToDay) return false;
    }
    const t = Date.parse(iso);
    return t >= from && t < to;
  };
}
