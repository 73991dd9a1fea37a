import type { Attendee, Item, MailItem, MeetingItem } from '#lib/items/types.ts';

/**
 * What one stored item may hold (issue 10: one oversized message must never block a
 * mailbox). A message to 100,000 people, or a meeting with as many attendees, is over
 * DynamoDB's 400 KB item limit as it comes; stored bounded it fits, and every number the
 * report derives from it stays exact:
 *
 * - To, Cc and Bcc keep {@link MAX_STORED_ADDRESSES} distinct addresses each when any of
 *   them is longer: those that sort first, so the choice does not depend on the order a
 *   provider or an export lists them in (two copies of one message stay equal for the
 *   archive duplicate rule, and a resync does not rewrite the item); `recipientCounts` then keeps the exact distinct counts the
 *   broadcast rule uses (lib/interactions/classify.ts). Such a message is a broadcast for
 *   any `maxRecipients` setting, which is chosen at report time; the addresses cut would
 *   only matter to a `maxRecipients` of 1,000 or more, whose interactions would then name
 *   only the 1,000 kept of each list.
 * - Attendees keep {@link MAX_STORED_ATTENDEES}, those whose addresses sort first;
 *   `attendeeCount` keeps the exact size the meeting rule uses (lib/interactions/meetings.ts).
 * - In-Reply-To and References keep {@link MAX_STORED_REFERENCES} Message-IDs: the first
 *   (In-Reply-To comes first) and the latest ones, which name the messages a reply answers.
 * - Display names keep {@link MAX_NAME_CHARS} characters, and only for addresses kept.
 * - Labels and bulk signals keep their first {@link MAX_STORED_LABELS}.
 *
 * Ordinary items are returned unchanged (the same object), so their content hash, and so
 * what is already stored, does not change.
 */

export const MAX_STORED_ADDRESSES = 1_000;
export const MAX_STORED_ATTENDEES = 1_000;
export const MAX_STORED_REFERENCES = 100;
export const MAX_NAME_CHARS = 256;
export const MAX_STORED_LABELS = 100;

/** The item as the store keeps it. */
export function boundItem(item: Item): Item {
  return item.kind === 'mail' ? boundMail(item) : boundMeeting(item);
}

function boundMail(item: MailItem): MailItem {
  const cutLists = [item.to, item.cc, item.bcc].some((list) => list.length > MAX_STORED_ADDRESSES);
  const longNames = Object.values(item.names).some((name) => name.length > MAX_NAME_CHARS);
  const cutRefs = item.replyTo.length > MAX_STORED_REFERENCES;
  const cutLabels = item.labels.length > MAX_STORED_LABELS || item.bulkSignals.length > MAX_STORED_LABELS;
  if (!cutLists && !longNames && !cutRefs && !cutLabels) return item;

  const bounded: MailItem = { ...item };
  if (cutLists) {
    const toCc = new Set(item.to);
    for (const a of item.cc) toCc.add(a);
    const all = new Set(toCc);
    for (const a of item.bcc) all.add(a);
    bounded.to = boundList(item.to, MAX_STORED_ADDRESSES);
    bounded.cc = boundList(item.cc, MAX_STORED_ADDRESSES);
    bounded.bcc = boundList(item.bcc, MAX_STORED_ADDRESSES);
    bounded.recipientCounts = { toCc: toCc.size, all: all.size };
  }
  if (cutLists || longNames) {
    const kept = new Set([...(item.from ? [item.from] : []), ...bounded.to, ...bounded.cc, ...bounded.bcc]);
    bounded.names = Object.fromEntries(
      Object.entries(item.names)
        .filter(([address]) => !cutLists || kept.has(address))
        .map(([address, name]) => [address, name.slice(0, MAX_NAME_CHARS)]),
    );
  }
  if (cutRefs) {
    bounded.replyTo = [item.replyTo[0]!, ...item.replyTo.slice(item.replyTo.length - (MAX_STORED_REFERENCES - 1))];
  }
  if (cutLabels) {
    bounded.labels = item.labels.slice(0, MAX_STORED_LABELS);
    bounded.bulkSignals = item.bulkSignals.slice(0, MAX_STORED_LABELS);
  }
  return bounded;
}

function boundMeeting(item: MeetingItem): MeetingItem {
  const cut = item.attendees.length > MAX_STORED_ATTENDEES;
  const longNames = item.attendees.some((a) => (a.name?.length ?? 0) > MAX_NAME_CHARS);
  if (!cut && !longNames) return item;
  const bounded: MeetingItem = { ...item };
  if (cut) {
    const all = new Set(item.attendees.map((a) => a.address));
    if (item.organizer) all.add(item.organizer);
    bounded.attendeeCount = all.size;
  }
  const kept = cut ? [...item.attendees].sort((a, b) => compare(a.address, b.address)).slice(0, MAX_STORED_ATTENDEES) : item.attendees;
  bounded.attendees = kept.map(boundAttendee);
  return bounded;
}

function boundAttendee(a: Attendee): Attendee {
  return a.name !== undefined && a.name.length > MAX_NAME_CHARS ? { ...a, name: a.name.slice(0, MAX_NAME_CHARS) } : a;
}

/** A list within the bound as it is; a longer one: its `max` distinct values that sort first. */
function boundList(list: readonly string[], max: number): string[] {
  if (list.length <= max) return [...list];
  return [...new Set(list)].sort(compare).slice(0, max);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
