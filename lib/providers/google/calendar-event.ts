import type { calendar_v3 } from '@googleapis/calendar';
import * as z from 'zod';
import { normalizeAddress } from '#lib/items/normalize.ts';
import type { Attendee, MeetingItem, Response } from '#lib/items/types.ts';

/**
 * One Google Calendar event (an expanded occurrence: `singleEvents=true`) to a
 * provider-neutral MeetingItem. Only metadata is read: the `fields` selection below never
 * asks for a summary, description or location, so a title cannot reach the store.
 */

/**
 * The partial response `events.list` is asked for (Google's `fields` syntax): paging
 * tokens and, per event, only what a MeetingItem needs. Cuts the payload to a fraction
 * and keeps titles and descriptions off the wire.
 */
export const EVENT_LIST_FIELDS =
  'nextPageToken,nextSyncToken,items(id,iCalUID,status,eventType,recurringEventId,' +
  'start(date,dateTime),end(date,dateTime),originalStartTime(date,dateTime),' +
  'organizer(email,self),attendees(email,displayName,responseStatus,self,resource))';

const eventTime = z.object({ date: z.string().nullish(), dateTime: z.string().nullish() }).nullish();

/** The fields of EVENT_LIST_FIELDS, validated at the edge (the client's types are all optional). */
const eventSchema = z.object({
  id: z.string().min(1),
  iCalUID: z.string().nullish(),
  status: z.string().nullish(),
  eventType: z.string().nullish(),
  recurringEventId: z.string().nullish(),
  start: eventTime,
  end: eventTime,
  originalStartTime: eventTime,
  organizer: z.object({ email: z.string().nullish(), self: z.boolean().nullish() }).nullish(),
  attendees: z
    .array(
      z.object({
        email: z.string().nullish(),
        displayName: z.string().nullish(),
        responseStatus: z.string().nullish(),
        self: z.boolean().nullish(),
        resource: z.boolean().nullish(),
      }),
    )
    .nullish(),
});

/**
 * Event types that block time on one's own calendar but are never a meeting with anyone
 * (Google: `workingLocation`, `outOfOffice`, `focusTime`).
 */
const NOT_MEETINGS: ReadonlySet<string> = new Set(['workingLocation', 'outOfOffice', 'focusTime']);

const RESPONSES: Readonly<Record<string, Response>> = {
  accepted: 'accepted',
  declined: 'declined',
  tentative: 'tentative',
  needsAction: 'needsAction',
};

/** What one event became. */
export type EventOutcome =
  | { kind: 'item'; item: MeetingItem; self: string[] }
  /** A deletion Google sent without any time: only its id is known. */
  | { kind: 'removed'; providerId: string }
  | { kind: 'skipped'; reason: string };

/**
 * Maps one event of an `events.list` page.
 *
 * - `providerId` is the event id: Google's instance ids (`abc_20261123T090000Z`) already
 *   name the occurrence.
 * - `occurrenceKey` is `${iCalUID lower-cased}#${original start, ISO UTC}`, the very key
 *   the ics importer builds from UID and RECURRENCE-ID, so one occurrence seen in a
 *   Takeout export and in the live calendar counts once. A moved instance keeps the key of
 *   its original start. Null when Google omits the iCalUID (it only guarantees `id`,
 *   `recurringEventId` and `originalStartTime` on cancelled instances).
 * - All-day dates start at 00:00 UTC, as in the ics importer.
 * - A cancelled instance keeps counting as nothing: it becomes a `cancelled` item under
 *   the same provider id, so storing it overwrites the confirmed occurrence.
 * - `self` lists the addresses Google marks as the calendar's owner (aliases of Me).
 */
export function mapEvent(raw: calendar_v3.Schema$Event, accountId: string): EventOutcome {
  const parsed = eventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { kind: 'skipped', reason: `event ${String(raw.id)}: ${issue.path.join('.')}: ${issue.message}` };
  }
  const event = parsed.data;
  const cancelled = event.status === 'cancelled';
  if (!cancelled && event.eventType && NOT_MEETINGS.has(event.eventType)) {
    return { kind: 'skipped', reason: `event ${event.id}: ${event.eventType} is not a meeting` };
  }
  const original = instantOf(event.originalStartTime);
  const start = instantOf(event.start) ?? (cancelled ? original : null);
  if (start === null) {
    return cancelled ? { kind: 'removed', providerId: event.id } : { kind: 'skipped', reason: `event ${event.id}: no valid start` };
  }
  const end = Math.max(start, instantOf(event.end) ?? start);
  const keyStart = new Date(original ?? start).toISOString();
  const self = new Set<string>();
  const organizer = normalizeAddress(event.organizer?.email);
  if (organizer && event.organizer?.self) self.add(organizer);
  const attendees: Attendee[] = [];
  const seen = new Set<string>();
  for (const a of event.attendees ?? []) {
    // Rooms and other resources are not relationships.
    if (a.resource) continue;
    const address = normalizeAddress(a.email);
    if (!address || seen.has(address)) continue;
    seen.add(address);
    if (a.self) self.add(address);
    const attendee: Attendee = { address, response: RESPONSES[a.responseStatus ?? ''] ?? 'none' };
    const name = a.displayName?.trim();
    if (name && normalizeAddress(name) !== address) attendee.name = name;
    attendees.push(attendee);
  }
  const item: MeetingItem = {
    kind: 'meeting',
    accountId,
    source: 'gcal',
    providerId: event.id,
    occurrenceKey: event.iCalUID ? `${event.iCalUID.toLowerCase()}#${keyStart}` : null,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    status: cancelled ? 'cancelled' : event.status === 'tentative' ? 'tentative' : 'confirmed',
    // An event without organizer (rare) on one's own calendar is one's own.
    organizer: organizer ?? [...self][0] ?? null,
    attendees,
  };
  return { kind: 'item', item, self: [...self] };
}

/**
 * Epoch ms of an event time: `dateTime` carries its offset (RFC 3339); an all-day `date`
 * is 00:00 UTC of that date. Null when absent or unreadable.
 */
function instantOf(time: { date?: string | null; dateTime?: string | null } | null | undefined): number | null {
  if (!time) return null;
  if (time.dateTime) {
    const ms = Date.parse(time.dateTime);
    return Number.isNaN(ms) ? null : ms;
  }
  if (time.date && /^\d{4}-\d{2}-\d{2}$/.test(time.date)) {
    const ms = Date.parse(`${time.date}T00:00:00Z`);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}
