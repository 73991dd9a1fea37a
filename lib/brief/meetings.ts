import type { Item, MeetingItem } from '#lib/items/types.ts';
import { dedupeItems, itemKeyOf } from '#lib/interactions/dedupe.ts';
import type { InternalDomains } from '#lib/interactions/internal.ts';
import { meetingContacts } from '#lib/interactions/meetings.ts';
import type { BriefDay } from './day.ts';

/**
 * Which meetings a brief covers (DESIGN section 9): on the person's local day, every
 * meeting that counts by section 3's rules (not cancelled, Me not declined, at most
 * `maxAttendees`) with at least one external attendee (not Me, not internal).
 *
 * Recurring events need nothing here: every source stores one item per occurrence
 * (Google `events.list` with `singleEvents=true`, Graph `calendarView/delta`, the ics
 * reader's own expansion), so an occurrence on the day is an item on the day.
 */

/** One briefed meeting. */
export interface BriefedMeeting {
  /** Epoch ms. */
  start: number;
  end: number;
  /** External attendees (normalized, sorted): the ones the brief is about. */
  attendees: string[];
  /** The stored occurrence (the copy kept when two calendars hold it). */
  item: MeetingItem;
}

/** The person-specific rules a meeting is judged by. */
interface MeetingRules {
  /** The person's own addresses, normalized. */
  me: ReadonlySet<string>;
  internal: InternalDomains;
  maxAttendees: number;
}

const DAY_MS = 86_400_000;

/**
 * The briefed meetings of `day` among `items`, in time order (start, then end, then
 * item key). A meeting belongs to the local day it starts on; an all-day event (stored
 * from 00:00 UTC of its date, lasting whole days) belongs to the dates it covers, whatever
 * the zone. The same occurrence in two calendars (one iCalendar occurrence key) is
 * briefed once, as the extraction counts it once.
 */
export function briefedMeetings(items: Iterable<Item>, day: BriefDay, rules: MeetingRules): BriefedMeeting[] {
  const candidates: MeetingItem[] = [];
  const times: number[] = [];
  for (const item of items) {
    if (item.kind !== 'meeting') continue;
    const start = Date.parse(item.start);
    if (isOnDay(item, start, day)) {
      candidates.push(item);
      times.push(start);
    }
  }
  if (candidates.length === 0) return [];
  const out: BriefedMeeting[] = [];
  for (const i of dedupeItems(candidates, times, rules.me).kept) {
    const item = candidates[i]!;
    const outcome = meetingContacts(item, rules.me, rules.maxAttendees);
    if (!outcome.counts) continue;
    const attendees = outcome.contacts.filter((c) => !rules.internal.isInternal(c));
    if (attendees.length === 0) continue;
    out.push({ start: times[i]!, end: Date.parse(item.end), attendees, item });
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end || compare(itemKeyOf(a.item), itemKeyOf(b.item)));
}

/** Whether a meeting starting at `start` (epoch ms) falls on `day`. */
function isOnDay(item: MeetingItem, start: number, day: BriefDay): boolean {
  if (!Number.isFinite(start)) return false;
  if (isAllDay(item, start)) {
    const end = Date.parse(item.end);
    const first = item.start.slice(0, 10);
    const last = new Date(end - DAY_MS).toISOString().slice(0, 10);
    return first <= day.date && day.date <= last;
  }
  return start >= day.start && start < day.end;
}

/** Stored from 00:00 UTC of its date and lasting whole days: an all-day event. */
function isAllDay(item: MeetingItem, start: number): boolean {
  if (start % DAY_MS !== 0) return false;
  const length = Date.parse(item.end) - start;
  return length > 0 && length % DAY_MS === 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
