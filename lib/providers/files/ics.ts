import { readFile } from 'node:fs/promises';
import ICAL from 'ical.js';
import { FormatError, InputError } from '../../errors.ts';
import { normalizeAddress, shortHash } from '../../interactions/normalize.ts';
import type { Attendee, MeetingItem, Response } from '../types.ts';
import { zonedTimeToUtc } from './zoned-time.ts';

type Component = InstanceType<typeof ICAL.Component>;
type CalEvent = InstanceType<typeof ICAL.Event>;
type CalTime = InstanceType<typeof ICAL.Time>;

/** Options of {@link readIcs}. */
export interface IcsOptions {
  /** The calendar's account id, stamped on every item. */
  accountId: string;
  /** Recurring series are expanded up to this instant (occurrence start), not beyond. */
  expandUntil: Date;
  /**
   * Occurrences of a recurring series that end before this instant are left out, so a
   * long-running daily series reaches the recent past within the occurrence cap.
   * @default no lower bound
   */
  expandFrom?: Date;
  /**
   * The calendar owner's addresses. An event without ORGANIZER (a personal entry in a
   * Google Takeout export) is organized by the owner: the first address is used.
   */
  owner?: string[];
  /** At most this many occurrences per series. @default 2000 */
  maxOccurrences?: number;
  /** Called for each event left out, with the reason. */
  onSkip?: (reason: string) => void;
}

const DEFAULT_MAX_OCCURRENCES = 2000;
/** Bounds the iteration when `expandFrom` skips many early occurrences. */
const MAX_ITERATIONS = 100_000;

const RESPONSES: Readonly<Record<string, Response>> = {
  ACCEPTED: 'accepted',
  DECLINED: 'declined',
  TENTATIVE: 'tentative',
  'NEEDS-ACTION': 'needsAction',
};

/**
 * Reads an iCalendar file (Google Takeout writes one per calendar) into one MeetingItem
 * per occurrence: RRULE/RDATE series are expanded (EXDATE removes occurrences,
 * RECURRENCE-ID overrides replace them), times in a zone are converted to UTC with the
 * file's VTIMEZONE, or with the runtime's zone data when the TZID names an IANA zone the
 * file does not define. Floating times are read as UTC. All-day events start at 00:00 UTC.
 *
 * Keys: `providerId` is `${UID}#${start}` and `occurrenceKey` the same with the UID
 * lower-cased, where start is the occurrence's original start (its RECURRENCE-ID), so a
 * moved occurrence keeps its key, as Google's instance ids do.
 *
 * @throws InputError when the file cannot be read.
 * @throws FormatError when the file is not an iCalendar file.
 */
export async function readIcs(file: string, opts: IcsOptions): Promise<MeetingItem[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read calendar file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseIcs(text, file, opts);
}

/** {@link readIcs} on text already in memory; `file` names it in errors. */
export function parseIcs(text: string, file: string, opts: IcsOptions): MeetingItem[] {
  const body = text.replace(/^\ufeff/, '');
  const firstLine = /^\s*(\S[^\r\n]*)/.exec(body)?.[1]?.trim().toUpperCase();
  if (firstLine !== 'BEGIN:VCALENDAR') {
    throw new FormatError('not an iCalendar file: expected a first line BEGIN:VCALENDAR', file);
  }
  let parsed: unknown;
  try {
    parsed = ICAL.parse(body);
  } catch (err) {
    throw new FormatError(`not a valid iCalendar file: ${(err as Error).message}`, file, { cause: err });
  }
  // Several VCALENDARs in one file parse to an array of them.
  const jcals = (Array.isArray(parsed) && typeof parsed[0] !== 'string' ? parsed : [parsed]) as unknown[];
  const items: MeetingItem[] = [];
  for (const jcal of jcals) {
    const calendar = new ICAL.Component(jcal as [string, unknown[], unknown[]]);
    items.push(...calendarItems(calendar, opts));
  }
  return items;
}

/** Every occurrence of every event of one VCALENDAR. */
function calendarItems(calendar: Component, opts: IcsOptions): MeetingItem[] {
  // An iTIP CANCEL message cancels every event it carries.
  const cancelAll = String(calendar.getFirstPropertyValue('method') ?? '').toUpperCase() === 'CANCEL';
  const masters: Component[] = [];
  const exceptions = new Map<string, Component[]>();
  for (const vevent of calendar.getAllSubcomponents('vevent')) {
    if (!vevent.hasProperty('dtstart')) {
      opts.onSkip?.(`event ${uidOf(vevent)}: no DTSTART`);
      continue;
    }
    if (vevent.hasProperty('recurrence-id')) {
      const uid = uidOf(vevent);
      exceptions.set(uid, [...(exceptions.get(uid) ?? []), vevent]);
    } else {
      masters.push(vevent);
    }
  }
  const ctx: Context = { opts, cancelAll, items: [] };
  const related = new Set<string>();
  for (const master of masters) {
    const uid = uidOf(master);
    const own = related.has(uid) ? [] : (exceptions.get(uid) ?? []);
    related.add(uid);
    // Exceptions are passed explicitly: ical.js would otherwise relate every
    // RECURRENCE-ID event of the calendar, whatever its UID.
    const event = new ICAL.Event(master, { exceptions: own, strictExceptions: true });
    if (event.isRecurring()) expandSeries(event, uid, own, ctx);
    else emit(ctx, uid, event, event.startDate, event.endDate, tzidOf(master, 'dtstart'), event.startDate, tzidOf(master, 'dtstart'));
  }
  // Overrides whose series is not in the file (an invitation to one occurrence).
  for (const [uid, list] of exceptions) {
    if (related.has(uid)) continue;
    for (const vevent of list) emitException(ctx, uid, new ICAL.Event(vevent));
  }
  return ctx.items;
}

interface Context {
  opts: IcsOptions;
  cancelAll: boolean;
  items: MeetingItem[];
}

/** Expands a recurring series within [expandFrom, expandUntil], capped per series. */
function expandSeries(event: CalEvent, uid: string, overrides: Component[], ctx: Context): void {
  const startTz = tzidOf(event.component, 'dtstart');
  const until = ctx.opts.expandUntil.getTime();
  const from = ctx.opts.expandFrom?.getTime() ?? Number.NEGATIVE_INFINITY;
  const max = ctx.opts.maxOccurrences ?? DEFAULT_MAX_OCCURRENCES;
  const matched = new Set<string>();
  const durationMs = toUtcMs(event.endDate, startTz) - toUtcMs(event.startDate, startTz);
  const iterator = event.iterator();
  let emitted = 0;
  for (let steps = 0; steps < MAX_ITERATIONS && emitted < max; steps++) {
    const next = iterator.next();
    if (!next) break;
    const originalMs = toUtcMs(next, startTz);
    if (originalMs > until) break;
    // Cheap skip of the early past; an override may move its occurrence, so check those fully.
    if (originalMs + durationMs < from && !(next.toString() in event.exceptions)) continue;
    const details = event.getOccurrenceDetails(next);
    const item = details.item;
    const isOverride = item !== event;
    if (isOverride) matched.add(item.recurrenceId.toString());
    const endTz = isOverride ? tzidOf(item.component, item.component.hasProperty('dtend') ? 'dtend' : 'dtstart') : startTz;
    const startTzOfItem = isOverride ? tzidOf(item.component, 'dtstart') : startTz;
    if (toUtcMs(details.endDate, endTz) < from) continue;
    emit(ctx, uid, item, details.startDate, details.endDate, startTzOfItem, next, startTz, endTz);
    emitted++;
  }
  // An override whose RECURRENCE-ID the rule no longer generates still happened.
  for (const vevent of overrides) {
    const override = new ICAL.Event(vevent);
    if (matched.has(override.recurrenceId.toString())) continue;
    const original = toUtcMs(override.recurrenceId, tzidOf(vevent, 'recurrence-id'));
    if (original <= until && original >= from) emitException(ctx, uid, override);
  }
}

function emitException(ctx: Context, uid: string, event: CalEvent): void {
  const c = event.component;
  emit(ctx, uid, event, event.startDate, event.endDate, tzidOf(c, 'dtstart'), event.recurrenceId,
    tzidOf(c, 'recurrence-id'), tzidOf(c, c.hasProperty('dtend') ? 'dtend' : 'dtstart'));
}

/** Adds one occurrence. `original` is the occurrence's start before any override moved it. */
function emit(
  ctx: Context, uid: string, event: CalEvent, start: CalTime, end: CalTime, startTz: string | null,
  original: CalTime, originalTz: string | null, endTz: string | null = startTz,
): void {
  const c = event.component;
  const startMs = toUtcMs(start, startTz);
  const endMs = Math.max(startMs, toUtcMs(end, endTz));
  const key = new Date(toUtcMs(original, originalTz)).toISOString();
  const status = String(c.getFirstPropertyValue('status') ?? '').toUpperCase();
  ctx.items.push({
    kind: 'meeting',
    accountId: ctx.opts.accountId,
    source: 'ics',
    providerId: `${uid}#${key}`,
    occurrenceKey: `${uid.toLowerCase()}#${key}`,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    status: ctx.cancelAll || status === 'CANCELLED' ? 'cancelled' : status === 'TENTATIVE' ? 'tentative' : 'confirmed',
    organizer: organizerOf(c) ?? firstOwner(ctx.opts.owner),
    attendees: attendeesOf(c),
  });
}

/**
 * An ical.js time as epoch ms UTC. Dates (all-day) are 00:00 UTC. Times in a zone the
 * file defines use that VTIMEZONE; a TZID without a definition is converted with the
 * runtime's IANA data (ical.js would treat it as floating); floating times count as UTC.
 */
function toUtcMs(time: CalTime, tzid: string | null): number {
  const wall = Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
  if (time.isDate) return Date.UTC(time.year, time.month - 1, time.day);
  const zone = time.zone;
  if (zone === ICAL.Timezone.utcTimezone) return wall;
  if (zone && zone !== ICAL.Timezone.localTimezone && zone.component) return time.toUnixTime() * 1000;
  if (tzid) {
    const converted = zonedTimeToUtc(time, tzid);
    if (converted !== null) return converted;
  }
  return wall;
}

function tzidOf(c: Component, property: string): string | null {
  const tzid = c.getFirstProperty(property)?.getParameter('tzid');
  return typeof tzid === 'string' && tzid ? tzid : null;
}

function uidOf(c: Component): string {
  const uid = c.getFirstPropertyValue('uid');
  // Without a UID, the event's own text is its identity: deterministic across imports.
  return typeof uid === 'string' && uid.trim() ? uid.trim() : `nouid-${shortHash(c.toString())}`;
}

function organizerOf(c: Component): string | null {
  const value = c.getFirstPropertyValue('organizer');
  return typeof value === 'string' ? normalizeAddress(value) : null;
}

function firstOwner(owner: string[] | undefined): string | null {
  for (const address of owner ?? []) {
    const normalized = normalizeAddress(address);
    if (normalized) return normalized;
  }
  return null;
}

/** Attendees who are people: rooms and resources (CUTYPE) are not relationships. */
function attendeesOf(c: Component): Attendee[] {
  const out: Attendee[] = [];
  const seen = new Set<string>();
  for (const prop of c.getAllProperties('attendee')) {
    const cutype = String(prop.getParameter('cutype') ?? '').toUpperCase();
    if (cutype === 'ROOM' || cutype === 'RESOURCE') continue;
    const value = prop.getFirstValue();
    const address = typeof value === 'string' ? normalizeAddress(value) : null;
    if (!address || seen.has(address)) continue;
    seen.add(address);
    // RFC 5545: PARTSTAT defaults to NEEDS-ACTION.
    const partstat = String(prop.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase();
    const attendee: Attendee = { address, response: RESPONSES[partstat] ?? 'none' };
    const cn = prop.getParameter('cn');
    const name = typeof cn === 'string' ? cn.replace(/^"+|"+$/g, '').trim() : '';
    if (name && normalizeAddress(name) !== address) attendee.name = name;
    out.push(attendee);
  }
  return out;
}
