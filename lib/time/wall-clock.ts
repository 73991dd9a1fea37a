/**
 * Wall-clock time in named IANA zones, with the zone rules of the runtime's Intl data:
 * Node ships full ICU, so every zone, past and future DST changes included, converts
 * exactly without a bundled zone database. One formatter per zone per process (they are
 * the costly part, about 0.15 ms each).
 *
 * Two directions, two callers' needs:
 * - {@link zonedTimeToUtc}: a local time as a file writes it to UTC, exactly, resolving
 *   DST gaps and repeats as RFC 5545 prescribes. iCalendar files often name a zone by TZID
 *   (`Europe/Paris`) without shipping its VTIMEZONE definition; ical.js then treats the
 *   time as floating, which would put a 10:00 Paris meeting at 10:00 UTC.
 * - {@link wallClock}, {@link fromWallClock}, {@link offsetMinutes}: the demo's generator,
 *   which asks for millions of instants, through offsets in whole minutes cached per UTC
 *   day, so demo mail lands in each sender's business hours and the calendar can write
 *   `DTSTART;TZID=...` local times, whatever the machine's own zone.
 * {@link zonedParts} reads one instant's wall clock straight from Intl.
 */

/** A local date and time as written in the file (month 1-12). */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** A wall clock with its day of the week. */
export interface LocalTime extends WallClock {
  /** 0 = Sunday. */
  weekday: number;
}

const DAY_MS = 86_400_000;
const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const zoneFormats = new Map<string, Intl.DateTimeFormat | null>();

/** The Intl formatter of a zone's wall clock, or null when the runtime does not know the zone. */
function zoneFormat(timeZone: string): Intl.DateTimeFormat | null {
  let format = zoneFormats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        weekday: 'short',
        year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      format = null;
    }
    zoneFormats.set(timeZone, format);
  }
  return format;
}

/** @throws RangeError for a zone the runtime does not know. */
function requireFormat(timeZone: string): Intl.DateTimeFormat {
  const format = zoneFormat(timeZone);
  if (!format) throw new RangeError(`Invalid time zone specified: ${timeZone}`);
  return format;
}

/**
 * The wall clock of `timeZone` at `instant`, read from Intl.
 * @throws RangeError for a zone the runtime does not know.
 */
export function zonedParts(instant: Date, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of requireFormat(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? -1,
  };
}

const tzidFormats = new Map<string, Intl.DateTimeFormat | null>();

/**
 * The Intl formatter of a TZID, or null when the runtime does not know the zone. Also
 * accepts the prefixed TZIDs some exporters write (`/mozilla.org/20050126_1/Europe/Paris`)
 * by trying their trailing `Area/City` segments.
 */
function formatterFor(tzid: string): Intl.DateTimeFormat | null {
  const cached = tzidFormats.get(tzid);
  if (cached !== undefined) return cached;
  let found: Intl.DateTimeFormat | null = null;
  const segments = tzid.trim().split('/').filter((s) => s.length > 0);
  for (let take = Math.min(3, segments.length); take >= 1 && !found; take--) {
    found = zoneFormat(segments.slice(-take).join('/'));
  }
  tzidFormats.set(tzid, found);
  return found;
}

/** Whether the runtime can convert times of this TZID (see {@link formatterFor}). */
export function isKnownZone(tzid: string): boolean {
  return formatterFor(tzid) !== null;
}

/** The zone's offset from UTC, in ms, at an instant. */
function offsetAt(format: Intl.DateTimeFormat, instant: number): number {
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * Converts a wall-clock time in `tzid` to epoch ms UTC; null when the zone is unknown.
 * Two passes settle the offset around DST changes: an ambiguous time (the repeated hour
 * in autumn) resolves to its first occurrence, and a time inside the spring gap is shifted
 * forward by the gap, as RFC 5545 section 3.3.5 prescribes.
 */
export function zonedTimeToUtc(wall: WallClock, tzid: string): number | null {
  const format = formatterFor(tzid);
  if (!format) return null;
  const guess = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const first = offsetAt(format, guess);
  const firstTry = guess - first;
  const second = offsetAt(format, firstTry);
  if (second === first) {
    // The earlier of two valid readings wins for the repeated hour.
    const earlier = offsetAt(format, firstTry - 3_600_000);
    if (earlier !== first && guess - earlier < firstTry && offsetAt(format, guess - earlier) === earlier) {
      return guess - earlier;
    }
    return firstTry;
  }
  const secondTry = guess - second;
  // Inside the spring gap neither offset round-trips: use the offset before the gap.
  return offsetAt(format, secondTry) === second ? secondTry : guess - Math.min(first, second);
}

const offsets = new Map<string, number>();
const days = new Map<string, number | null>();

function exactOffset(instantMs: number, tz: string): number {
  return Math.round(offsetAt(requireFormat(tz), instantMs) / 60_000);
}

/**
 * Minutes east of UTC in `tz` at instant `at` (e.g. -300 for New York in winter).
 * Intl's formatToParts is slow enough to dominate generation, so the offset is cached per
 * UTC day when it is the same at both ends of the day (every day but the two DST days).
 */
export function offsetMinutes(at: Date, tz: string): number {
  const ms = at.getTime();
  const day = Math.floor(ms / DAY_MS);
  const key = `${tz}|${day}`;
  let same = days.get(key);
  if (same === undefined) {
    const start = exactOffset(day * DAY_MS, tz);
    same = start === exactOffset((day + 1) * DAY_MS - 1000, tz) ? start : null;
    days.set(key, same);
  }
  if (same !== null) return same;
  const exactKey = `${tz}|${Math.floor(ms / 1000)}`;
  let off = offsets.get(exactKey);
  if (off === undefined) {
    off = exactOffset(ms, tz);
    offsets.set(exactKey, off);
  }
  return off;
}

/** The wall clock in `tz` at instant `at`. */
export function wallClock(at: Date, tz: string): LocalTime {
  const local = new Date(at.getTime() + offsetMinutes(at, tz) * 60_000);
  return {
    year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(),
    hour: local.getUTCHours(), minute: local.getUTCMinutes(), second: local.getUTCSeconds(),
    weekday: local.getUTCDay(),
  };
}

/** The instant at which the wall clock in `tz` shows the given local time. */
export function fromWallClock(
  tz: string, year: number, month: number, day: number, hour: number, minute: number, second = 0,
): Date {
  const naive = Date.UTC(year, month - 1, day, hour, minute, second);
  // Two passes settle the offset across a DST change (the second sees the right side).
  let guess = naive - offsetMinutes(new Date(naive), tz) * 60_000;
  guess = naive - offsetMinutes(new Date(guess), tz) * 60_000;
  return new Date(guess);
}
