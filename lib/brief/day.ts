import { InputError } from '#lib/errors.ts';
import { isTimeZone } from '#lib/time/zones.ts';
import { zonedParts, zonedTimeToUtc } from '#lib/time/wall-clock.ts';

/**
 * A person's local calendar day (DESIGN section 9): the brief is about the meetings of
 * one day as the person lives it, so its bounds are local midnights in their IANA zone,
 * which are 23 or 25 hours apart on the days the clocks change.
 */
export interface BriefDay {
  /** `YYYY-MM-DD`, the local date. */
  date: string;
  timeZone: string;
  /** Epoch ms of local midnight starting the day (inclusive). */
  start: number;
  /** Epoch ms of the next local midnight (exclusive). */
  end: number;
}

/** The hour of the local day a brief is computed as of (DESIGN section 9: 07:00). */
export const BRIEF_HOUR = 7;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The bounds of `date` in `timeZone`.
 * @throws InputError when the date is not a real `YYYY-MM-DD` day or the zone is unknown.
 */
export function briefDay(date: string, timeZone: string): BriefDay {
  const day = parseDate(date);
  if (!isTimeZone(timeZone)) throw new InputError(`time zone ${JSON.stringify(timeZone)} is not an IANA zone such as Europe/Paris`);
  const next = new Date(Date.UTC(day.year, day.month - 1, day.day + 1));
  return {
    date,
    timeZone,
    start: localInstant(day, 0, timeZone),
    end: localInstant({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }, 0, timeZone),
  };
}

/**
 * The instant a brief of `date` is computed as of: `hour` (default 07:00) local.
 * @throws InputError as {@link briefDay}.
 */
export function briefAsOf(date: string, timeZone: string, hour = BRIEF_HOUR): Date {
  if (!isTimeZone(timeZone)) throw new InputError(`time zone ${JSON.stringify(timeZone)} is not an IANA zone such as Europe/Paris`);
  return new Date(localInstant(parseDate(date), hour, timeZone));
}

/**
 * The local date `YYYY-MM-DD` of an instant in `timeZone`.
 * @throws InputError when the zone is unknown.
 */
export function localDate(instant: Date, timeZone: string): string {
  if (!isTimeZone(timeZone)) throw new InputError(`time zone ${JSON.stringify(timeZone)} is not an IANA zone such as Europe/Paris`);
  const p = zonedParts(instant, timeZone);
  return `${String(p.year).padStart(4, '0')}-${pad(p.month)}-${pad(p.day)}`;
}

function localInstant(day: { year: number; month: number; day: number }, hour: number, timeZone: string): number {
  // A local midnight skipped by a clock change resolves to the first instant after the gap.
  return zonedTimeToUtc({ ...day, hour, minute: 0, second: 0 }, timeZone)!;
}

function parseDate(date: string): { year: number; month: number; day: number } {
  const m = DATE.exec(date);
  const parsed = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
  const check = parsed && new Date(Date.UTC(parsed.year, parsed.month - 1, parsed.day));
  if (!parsed || !check || check.getUTCMonth() !== parsed.month - 1 || check.getUTCDate() !== parsed.day) {
    throw new InputError(`date ${JSON.stringify(date)} is not a day (expected YYYY-MM-DD, e.g. 2026-11-24)`);
  }
  return parsed;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
