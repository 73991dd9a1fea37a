/**
 * Wall-clock arithmetic in named time zones (through Intl, which Node ships with full
 * ICU), so demo mail lands in each sender's business hours and the calendar can write
 * `DTSTART;TZID=...` local times, whatever the machine's own zone.
 */

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const DAY_MS = 86_400_000;

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

const offsets = new Map<string, number>();
const days = new Map<string, number | null>();

function exactOffset(instantMs: number, tz: string): number {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(instantMs))) parts[p.type] = p.value;
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day),
    Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / 60_000);
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
export function wallClock(at: Date, tz: string): WallClock {
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

/** Midnight UTC of the calendar day `days` before `asOf` (negative: after). */
export function dayBefore(asOf: Date, days: number): Date {
  const midnight = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate());
  return new Date(midnight - days * DAY_MS);
}

/**
 * The instant `hours` (fractional) into the local day in `tz` that holds the UTC date
 * of `day`, moved off weekends back to the Friday before, because consultants and
 * clients mail on working days (and moving back never pushes an event past asOf).
 */
export function localTimeOn(day: Date, tz: string, hours: number): Date {
  let d = new Date(day.getTime());
  const dow = d.getUTCDay();
  if (dow === 6) d = new Date(d.getTime() - DAY_MS);
  if (dow === 0) d = new Date(d.getTime() - 2 * DAY_MS);
  const h = Math.floor(hours);
  const m = Math.floor((hours - h) * 60);
  const s = Math.floor(((hours - h) * 60 - m) * 60);
  return fromWallClock(tz, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), h, m, s);
}

/**
 * The first working moment in `tz` at or after `at`: inside 08:00-19:00 local on a
 * weekday it is `at` itself; otherwise the next weekday at `morningHours` local (a
 * fractional hour, so replies queued overnight do not all land on the same minute).
 */
export function nextWorkingMoment(at: Date, tz: string, morningHours: number): Date {
  const w = wallClock(at, tz);
  const working = w.weekday >= 1 && w.weekday <= 5;
  if (working && w.hour >= 8 && w.hour < 19) return at;
  let day = Date.UTC(w.year, w.month - 1, w.day);
  if (w.hour >= 19 || !working) day += DAY_MS;
  for (;;) {
    const dow = new Date(day).getUTCDay();
    if (dow !== 0 && dow !== 6) break;
    day += DAY_MS;
  }
  const d = new Date(day);
  return fromWallClock(tz, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(),
    Math.floor(morningHours), Math.floor((morningHours % 1) * 60), 0);
}
