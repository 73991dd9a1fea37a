import { InputError } from '#lib/errors.ts';
import { zonedParts } from './wall-clock.ts';

/**
 * ISO 8601 weeks (`YYYY-Www`, weeks start on Monday, week 1 holds the year's first
 * Thursday): the key weekly reports are stored, scheduled and compared under.
 */

/** ISO week key `YYYY-Www` of a date (UTC), the key weekly reports are stored under. */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** The ISO week of a calendar day (month 1-12), wherever that day is. */
export function isoWeekOfDay(day: { year: number; month: number; day: number }): string {
  return isoWeek(new Date(Date.UTC(day.year, day.month - 1, day.day)));
}

/** The ISO week `YYYY-Www` of the local calendar day of `instant` in `timeZone`. */
export function localIsoWeek(instant: Date, timeZone: string): string {
  return isoWeekOfDay(zonedParts(instant, timeZone));
}

/** The ISO week before `week`. */
export function previousIsoWeek(week: string): string {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) throw new InputError(`expected an ISO week such as 2026-W48, got ${JSON.stringify(week)}`);
  // The Thursday of week 1 is in the first 4 days of January; step from there.
  const jan4 = new Date(Date.UTC(Number(m[1]), 0, 4));
  const thursdayOfWeek1 = jan4.getTime() + (4 - (jan4.getUTCDay() || 7)) * 86_400_000;
  return isoWeek(new Date(thursdayOfWeek1 + (Number(m[2]) - 2) * 7 * 86_400_000));
}
