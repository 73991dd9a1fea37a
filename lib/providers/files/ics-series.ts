import ICAL from 'ical.js';
import { normalizeAddress, shortHash } from '#lib/items/normalize.ts';
import type { Attendee, MeetingItem, Response } from '#lib/items/types.ts';
import { zonedTimeToUtc } from '#lib/time/wall-clock.ts';

export type Component = InstanceType<typeof ICAL.Component>;
export type CalEvent = InstanceType<typeof ICAL.Event>;
type CalTime = InstanceType<typeof ICAL.Time>;
type Recur = InstanceType<typeof ICAL.Recur>;

const DAY_MS = 86_400_000;

/** How far one calendar file may expand; past a limit the rest is skipped and reported. */
export interface ExpansionLimits {
  /** Occurrences of one series (a daily series has about 490 in the window). */
  maxOccurrences: number;
  /** Steps of one series' iteration (each step is one candidate occurrence). */
  maxSeriesSteps: number;
  /** Occurrences of the whole file. */
  maxFileOccurrences: number;
  /** Steps of the whole file. */
  maxFileSteps: number;
}

/** What expanding one file needs, and its running budgets. */
export interface Expansion {
  accountId: string;
  owner: string | null;
  /** Epoch ms: occurrences ending before `from` or starting after `until` are left out. */
  from: number;
  until: number;
  limits: ExpansionLimits;
  occurrencesLeft: number;
  stepsLeft: number;
}

/** One series expanded: its occurrences, and why it stopped early if it did. */
export interface SeriesResult {
  items: MeetingItem[];
  /** The reason the series was cut short (its items are still good), if it was. */
  cut?: string;
  /** Why the whole series is left out (no items), if it is. */
  refused?: string;
}

/** The reason a series repeating every second or minute is left out. */
export const TOO_FREQUENT = 'recurs more often than hourly';
const HOUR_MS = 3_600_000;

const RESPONSES: Readonly<Record<string, Response>> = {
  ACCEPTED: 'accepted',
  DECLINED: 'declined',
  TENTATIVE: 'tentative',
  'NEEDS-ACTION': 'needsAction',
};

/**
 * The rule frequencies no meeting has (an occurrence every second or minute): such a
 * series is skipped, not expanded. A 560 KB file of them once took 4 GB. (A rule that
 * gets there through BYMINUTE or BYSECOND is caught while expanding.)
 */
export function tooFrequent(event: CalEvent): string | null {
  for (const prop of event.component.getAllProperties('rrule')) {
    const freq = (prop.getFirstValue() as Recur).freq;
    if (freq === 'SECONDLY' || freq === 'MINUTELY') return freq;
  }
  return null;
}

/**
 * Expands a recurring series within [from, until] (an occurrence counts when it ends at
 * or after `from` and starts at or before `until`), within the limits. Iteration starts
 * near `from` rather than at DTSTART where the rule allows it (see {@link fastForward}),
 * so a daily series that began years ago costs its occurrences in the window, not all
 * of its past. EXDATE removes occurrences, RECURRENCE-ID overrides replace them.
 */
export function expandSeries(event: CalEvent, uid: string, overrides: CalEvent[], x: Expansion, cancelAll: boolean): SeriesResult {
  const startTz = tzidOf(event.component, 'dtstart');
  const durationMs = toUtcMs(event.endDate, startTz) - toUtcMs(event.startDate, startTz);
  const items: MeetingItem[] = [];
  const matched = new Set<string>();
  const start = fastForward(event, startTz, x.from - Math.max(0, durationMs) - 2 * DAY_MS);
  if (start === 'ended') return { items };
  const iterator = event.iterator(start ?? undefined);
  const plain = overrides.length === 0 && Object.keys(event.exceptions).length === 0;
  const duration = event.duration;
  let cut: string | undefined;
  let previousMs = Number.POSITIVE_INFINITY;
  let shortGaps = 0;
  for (let steps = 0; ; steps++) {
    if (steps >= x.limits.maxSeriesSteps) {
      cut = `series too long to expand (over ${x.limits.maxSeriesSteps.toLocaleString('en')} steps)`;
      break;
    }
    if (x.stepsLeft <= 0) {
      cut = `over the calendar's ${x.limits.maxFileSteps.toLocaleString('en')} expansion steps`;
      break;
    }
    x.stepsLeft--;
    const next = iterator.next();
    if (!next) break;
    const originalMs = toUtcMs(next, startTz);
    // Occurrences less than an hour apart, again and again: BYMINUTE or BYSECOND made a
    // minutely series of a daily rule, and no meeting repeats so. (Once is not enough: a
    // DTSTART off the rule is an occurrence of its own, maybe just before the first.)
    const gap = originalMs - previousMs;
    shortGaps = gap > 0 && gap < HOUR_MS ? shortGaps + 1 : gap >= HOUR_MS ? 0 : shortGaps;
    if (shortGaps >= 3) return { items: [], refused: TOO_FREQUENT };
    previousMs = originalMs;
    if (originalMs > x.until) break;
    // Cheap skip of the early past; an override may move its occurrence, so check those fully.
    if (originalMs + durationMs < x.from && (plain || !(next.toString() in event.exceptions))) continue;
    // Without overrides, an occurrence is its start and the series' duration, as ical.js's
    // getOccurrenceDetails computes it, minus the Time objects that make it costly.
    const details = plain ? { item: event, startDate: next, endDate: endOf(next, duration) } : event.getOccurrenceDetails(next);
    const item = details.item;
    const isOverride = item !== event;
    const endTz = isOverride ? tzidOf(item.component, item.component.hasProperty('dtend') ? 'dtend' : 'dtstart') : startTz;
    const startTzOfItem = isOverride ? tzidOf(item.component, 'dtstart') : startTz;
    if (toUtcMs(details.endDate, endTz) < x.from) continue;
    if (items.length >= x.limits.maxOccurrences) {
      cut = `series cut at ${x.limits.maxOccurrences.toLocaleString('en')} occurrences`;
      break;
    }
    if (x.occurrencesLeft <= 0) {
      cut = `over the calendar's ${x.limits.maxFileOccurrences.toLocaleString('en')} occurrences`;
      break;
    }
    if (isOverride) matched.add(item.recurrenceId.toString());
    items.push(meetingItem(x, cancelAll, uid, item, details.startDate, details.endDate, startTzOfItem, next, startTz, endTz));
    x.occurrencesLeft--;
  }
  // An override whose RECURRENCE-ID the rule no longer generates still happened.
  for (const override of overrides) {
    if (matched.has(override.recurrenceId.toString())) continue;
    const original = toUtcMs(override.recurrenceId, tzidOf(override.component, 'recurrence-id'));
    if (original <= x.until && original >= x.from) items.push(exceptionItem(x, cancelAll, uid, override));
  }
  return cut ? { items, cut } : { items };
}

function endOf(start: CalTime, duration: CalEvent['duration']): CalTime {
  const end = start.clone();
  end.addDuration(duration);
  return end;
}

/**
 * Where to start iterating a series so that its occurrences from `targetMs` on come out
 * exactly as from DTSTART, skipping whole periods of the rule: null to start at DTSTART,
 * `ended` when a COUNT runs out before `targetMs`.
 *
 * Only for one HOURLY, DAILY or WEEKLY rule, shifted by whole multiples of its period in
 * days (INTERVAL days for HOURLY and DAILY, 7 x INTERVAL for WEEKLY), in wall-clock time:
 * every BY-part of those rules is either absolute (month, day, hour) or relative to that
 * period, so the same occurrences follow. The new start is itself an occurrence only if
 * the rule says so, but it lies before `targetMs` and is dropped with the early past. A
 * COUNT rule is shifted only without BY-parts, where each period holds one occurrence
 * (HOURLY: 24/INTERVAL a day), and its COUNT is lowered by those skipped.
 */
export function fastForward(event: CalEvent, startTz: string | null, targetMs: number): CalTime | null | 'ended' {
  const rules = event.component.getAllProperties('rrule');
  if (rules.length !== 1) return null;
  const rule = rules[0]!.getFirstValue() as Recur;
  const interval = Math.max(1, rule.interval || 1);
  const periodDays = rule.freq === 'WEEKLY' ? 7 * interval : rule.freq === 'DAILY' || rule.freq === 'HOURLY' ? interval : 0;
  if (periodDays === 0) return null;
  const hasParts = Object.keys(rule.parts ?? {}).length > 0;
  if (rule.count && hasParts) return null;
  const periods = Math.floor((targetMs - toUtcMs(event.startDate, startTz)) / (periodDays * DAY_MS)) - 1;
  if (periods < 2) return null;
  if (rule.count) {
    const perPeriod = rule.freq === 'HOURLY' ? 24 : 1;
    const left = rule.count - periods * perPeriod;
    if (left <= 0) return 'ended';
    rule.count = left;
  }
  const start = event.startDate.clone();
  start.adjust(periods * periodDays, 0, 0, 0);
  return start;
}

/** The item of an override whose series is not in the file, or whose rule no longer makes it. */
export function exceptionItem(x: Expansion, cancelAll: boolean, uid: string, event: CalEvent): MeetingItem {
  const c = event.component;
  return meetingItem(x, cancelAll, uid, event, event.startDate, event.endDate, tzidOf(c, 'dtstart'), event.recurrenceId,
    tzidOf(c, 'recurrence-id'), tzidOf(c, c.hasProperty('dtend') ? 'dtend' : 'dtstart'));
}

/** The item of a single (not recurring) event. */
export function singleItem(x: Expansion, cancelAll: boolean, uid: string, event: CalEvent): MeetingItem {
  const tz = tzidOf(event.component, 'dtstart');
  return meetingItem(x, cancelAll, uid, event, event.startDate, event.endDate, tz, event.startDate, tz);
}

/** Who and in what state: read once per component, however many occurrences it has. */
interface People {
  status: MeetingItem['status'];
  organizer: string | null;
  attendees: Attendee[];
}
const peopleCache = new WeakMap<Component, People>();

function peopleOf(c: Component, x: Expansion, cancelAll: boolean): People {
  let people = peopleCache.get(c);
  if (!people) {
    const status = String(c.getFirstPropertyValue('status') ?? '').toUpperCase();
    people = {
      status: cancelAll || status === 'CANCELLED' ? 'cancelled' : status === 'TENTATIVE' ? 'tentative' : 'confirmed',
      organizer: organizerOf(c) ?? x.owner,
      attendees: attendeesOf(c),
    };
    peopleCache.set(c, people);
  }
  return people;
}

/** One occurrence. `original` is its start before any override moved it: the key. */
function meetingItem(
  x: Expansion, cancelAll: boolean, uid: string, event: CalEvent, start: CalTime, end: CalTime, startTz: string | null,
  original: CalTime, originalTz: string | null, endTz: string | null = startTz,
): MeetingItem {
  const people = peopleOf(event.component, x, cancelAll);
  const startMs = toUtcMs(start, startTz);
  const endMs = Math.max(startMs, toUtcMs(end, endTz));
  const key = new Date(toUtcMs(original, originalTz)).toISOString();
  return {
    kind: 'meeting',
    accountId: x.accountId,
    source: 'ics',
    providerId: `${uid}#${key}`,
    occurrenceKey: `${uid.toLowerCase()}#${key}`,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    status: people.status,
    organizer: people.organizer,
    attendees: people.attendees.map((a) => ({ ...a })),
  };
}

/**
 * An ical.js time as epoch ms UTC. Dates (all-day) are 00:00 UTC. Times in a zone the
 * file defines use that VTIMEZONE; a TZID without a definition is converted with the
 * runtime's IANA data (ical.js would treat it as floating); floating times count as UTC.
 */
export function toUtcMs(time: CalTime, tzid: string | null): number {
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

export function tzidOf(c: Component, property: string): string | null {
  const tzid = c.getFirstProperty(property)?.getParameter('tzid');
  return typeof tzid === 'string' && tzid ? tzid : null;
}

/** The UID, or (without one) a hash of the event's own text: deterministic across imports. */
export function uidOf(c: Component): string {
  const uid = c.getFirstPropertyValue('uid');
  return typeof uid === 'string' && uid.trim() ? uid.trim() : `nouid-${shortHash(c.toString())}`;
}

function organizerOf(c: Component): string | null {
  const value = c.getFirstPropertyValue('organizer');
  return typeof value === 'string' ? normalizeAddress(value) : null;
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
