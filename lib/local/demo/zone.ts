import { fromWallClock, wallClock } from '#lib/time/wall-clock.ts';

/**
 * The demo's working days: mail and meetings land on weekdays in each sender's business
 * hours (the zone arithmetic is lib/time/wall-clock.ts).
 */

const DAY_MS = 86_400_000;

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
