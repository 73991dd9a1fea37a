import * as z from 'zod';
import { normalizeAddress } from '#lib/items/normalize.ts';
import { zonedTimeToUtc } from '#lib/time/wall-clock.ts';
import type { Attendee, MeetingItem, Response } from '#lib/items/types.ts';

/**
 * One Graph event from `/me/calendarView/delta` (an expanded instance: single, occurrence
 * or exception) to a provider-neutral MeetingItem. calendarView delta refuses `$select`,
 * so whole events arrive; only the fields below are read, and subjects, bodies and
 * locations are dropped here, never stored.
 */

const dateTimeTimeZone = z.object({ dateTime: z.string().min(10), timeZone: z.string().nullish() }).nullish();
const emailAddress = z.object({ address: z.string().nullish(), name: z.string().nullish() }).nullish();

/** The fields read, validated at the edge (Graph's types are all optional). */
const eventSchema = z.object({
  id: z.string().min(1),
  iCalUId: z.string().nullish(),
  type: z.string().nullish(),
  isCancelled: z.boolean().nullish(),
  isAllDay: z.boolean().nullish(),
  isOrganizer: z.boolean().nullish(),
  originalStart: z.string().nullish(),
  start: dateTimeTimeZone,
  end: dateTimeTimeZone,
  organizer: z.object({ emailAddress }).nullish(),
  attendees: z
    .array(z.object({ type: z.string().nullish(), status: z.object({ response: z.string().nullish() }).nullish(), emailAddress }))
    .nullish(),
});

/** Graph's `responseType` to the neutral response; `organizer` counts as accepted. */
const RESPONSES: Readonly<Record<string, Response>> = {
  accepted: 'accepted',
  organizer: 'accepted',
  declined: 'declined',
  tentativelyAccepted: 'tentative',
  notResponded: 'needsAction',
  none: 'none',
};

/** What one delta entry became. */
export type GraphEventOutcome =
  | { kind: 'item'; item: MeetingItem; self: string[] }
  /** `@removed`: the instance was deleted (or left the view); only its id is known. */
  | { kind: 'removed'; providerId: string }
  | { kind: 'skipped'; reason: string };

const DAY_MS = 86_400_000;

/**
 * Maps one entry of a calendarView delta page.
 *
 * - `providerId` is the event id: Graph gives every instance of a series its own id.
 * - `occurrenceKey` is `${series UID lower-cased}#${original start, ISO UTC}`, the key the
 *   ics importer and the Google source build, so one occurrence seen in several places
 *   counts once. v1.0 has no series UID property (beta's `uid`); the series UID is read out
 *   of `iCalUId` with {@link seriesUidOf}. The original start is `originalStart` (always
 *   UTC) for occurrences and exceptions, so a moved occurrence keeps its key, else `start`.
 * - All-day events start at 00:00 UTC of their date, as in the ics importer; the original
 *   start of an all-day instance (midnight in the series' zone, in UTC) is rounded to the
 *   nearest UTC midnight, which is the right date for zones within ±12 h.
 * - `isCancelled` makes a `cancelled` item under the same provider id, so storing it
 *   overwrites the confirmed occurrence.
 * - Resources (rooms, equipment: attendee type `resource`) are not relationships: skipped.
 * - `self` is the organizer when Graph marks the owner as organizer (an alias of Me).
 */
export function mapGraphEvent(raw: unknown, accountId: string): GraphEventOutcome {
  const removedId = removedIdOf(raw);
  if (removedId !== undefined) return { kind: 'removed', providerId: removedId };
  const parsed = eventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const id = (raw as { id?: unknown } | null)?.id;
    return { kind: 'skipped', reason: `event ${String(id)}: ${issue.path.join('.')}: ${issue.message}` };
  }
  const event = parsed.data;
  if (event.type === 'seriesMaster') return { kind: 'skipped', reason: `event ${event.id}: a series master, not an instance` };
  const allDay = event.isAllDay === true;
  const start = instantOf(event.start, allDay);
  if (start === null) return { kind: 'skipped', reason: `event ${event.id}: no readable start` };
  const end = Math.max(start, instantOf(event.end, allDay) ?? start);
  const originalMs = event.originalStart ? Date.parse(event.originalStart) : NaN;
  let keyStart = Number.isNaN(originalMs) ? start : originalMs;
  if (allDay) keyStart = Math.round(keyStart / DAY_MS) * DAY_MS;
  const seriesUid = event.iCalUId ? seriesUidOf(event.iCalUId) : null;

  const organizer = normalizeAddress(event.organizer?.emailAddress?.address);
  const self = organizer && event.isOrganizer ? [organizer] : [];
  const attendees: Attendee[] = [];
  const seen = new Set<string>();
  for (const a of event.attendees ?? []) {
    if (a.type === 'resource') continue;
    const address = normalizeAddress(a.emailAddress?.address);
    if (!address || seen.has(address)) continue;
    seen.add(address);
    const attendee: Attendee = { address, response: RESPONSES[a.status?.response ?? ''] ?? 'none' };
    const name = a.emailAddress?.name?.trim();
    if (name && normalizeAddress(name) !== address) attendee.name = name;
    attendees.push(attendee);
  }
  const item: MeetingItem = {
    kind: 'meeting',
    accountId,
    source: 'graph-calendar',
    providerId: event.id,
    occurrenceKey: seriesUid ? `${seriesUid.toLowerCase()}#${new Date(keyStart).toISOString()}` : null,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    status: event.isCancelled ? 'cancelled' : 'confirmed',
    organizer,
    attendees,
  };
  return { kind: 'item', item, self };
}

/** The id of an `@removed` delta entry, or undefined for any other entry. */
function removedIdOf(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object' || !('@removed' in raw)) return undefined;
  const id = (raw as { id?: unknown }).id;
  return typeof id === 'string' && id ? id : undefined;
}

// [MS-OXOCAL] 2.2.1.27 PidLidGlobalObjectId: 16-byte class id, year (2 bytes, big-endian),
// month, day (of the instance; zero in the "clean" id shared by the series), creation
// time (8), reserved (8), data size (4, little-endian), data.
const GOID_CLASS = '040000008200e00074c5b7101a82e008';
const VCAL_UID = Buffer.from('vCal-Uid\x01\x00\x00\x00', 'latin1');

/**
 * The iCalendar UID of the series an instance belongs to, from Graph's `iCalUId`, which
 * (per Microsoft) "is different for each occurrence in a recurring series": it is the hex
 * of the instance's PidLidGlobalObjectId. Zeroing the instance date gives the series'
 * clean id, which is what Exchange exports as UID ([MS-OXCICAL] 2.1.3.1.1.20.26); for a
 * meeting that came from another system the id wraps the original UID after a `vCal-Uid`
 * marker, which is then the UID itself (what a Google or Takeout copy of the meeting
 * carries). Anything that is not a global object id is taken as the UID as it is.
 */
export function seriesUidOf(iCalUId: string): string {
  const hex = iCalUId.trim();
  if (!/^[0-9a-f]+$/i.test(hex) || hex.length < 80 || hex.length % 2 !== 0 || !hex.toLowerCase().startsWith(GOID_CLASS)) return hex;
  const bytes = Buffer.from(hex, 'hex');
  const size = bytes.readUInt32LE(36);
  const data = bytes.subarray(40, 40 + size);
  if (data.length > VCAL_UID.length && data.subarray(0, VCAL_UID.length).equals(VCAL_UID)) {
    const uid = data.subarray(VCAL_UID.length).toString('utf8').replace(/\0+$/, '');
    if (uid) return uid;
  }
  bytes.fill(0, 16, 20);
  return bytes.toString('hex').toUpperCase();
}

/**
 * Epoch ms of a Graph `dateTimeTimeZone`. Sinew asks for UTC (`Prefer: outlook.timezone`),
 * so `dateTime` is wall time in `timeZone` = UTC; another IANA zone is converted; all-day
 * events are 00:00 UTC of their date whatever the zone. Null when unreadable, or in a
 * Windows zone name we cannot convert.
 */
function instantOf(time: { dateTime: string; timeZone?: string | null } | null | undefined, allDay: boolean): number | null {
  if (!time) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(time.dateTime.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (allDay) return Date.UTC(year, month - 1, day);
  if (m[7]) return Date.parse(time.dateTime);
  const zone = (time.timeZone ?? 'UTC').trim();
  if (/^(utc|etc\/utc|gmt|z|tzone:\/\/microsoft\/utc|coordinated universal time)$/i.test(zone)) {
    return Date.UTC(year, month - 1, day, hour, minute, second);
  }
  return zonedTimeToUtc({ year, month, day, hour, minute, second }, zone);
}
