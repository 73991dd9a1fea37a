/**
 * Wall-clock time in a named IANA zone to UTC, with the zone rules of the runtime's Intl
 * data. iCalendar files often name a zone by TZID (`Europe/Paris`) without shipping its
 * VTIMEZONE definition; ical.js then treats the time as floating, which would put a
 * 10:00 Paris meeting at 10:00 UTC. Intl knows every IANA zone, including past and future
 * DST changes, so the conversion stays exact without a bundled zone database.
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

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/**
 * The Intl formatter of a zone, or null when the runtime does not know the zone. Also
 * accepts the prefixed TZIDs some exporters write (`/mozilla.org/20050126_1/Europe/Paris`)
 * by trying their trailing `Area/City` segments.
 */
function formatterFor(tzid: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(tzid);
  if (cached !== undefined) return cached;
  let found: Intl.DateTimeFormat | null = null;
  const segments = tzid.trim().split('/').filter((s) => s.length > 0);
  for (let take = Math.min(3, segments.length); take >= 1 && !found; take--) {
    const candidate = segments.slice(-take).join('/');
    try {
      found = new Intl.DateTimeFormat('en-US', {
        timeZone: candidate,
        hourCycle: 'h23',
        year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      found = null;
    }
  }
  formatters.set(tzid, found);
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
