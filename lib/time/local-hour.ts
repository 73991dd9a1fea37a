import { InputError } from '#lib/errors.ts';
import { zonedParts, type LocalTime } from './wall-clock.ts';
import { allTimeZones } from './zones.ts';

/**
 * The hourly fan-outs' clock (the weekly report's and the meeting brief's dispatchers):
 * which time zones are at a given local hour at a tick. Each zone is at the hour at
 * exactly one hourly tick a day (a local hour always contains exactly one UTC hour
 * boundary, half-hour offsets included); a DST change that repeats the hour makes it
 * due twice, which the workers' send claims absorb, and one that skips it makes it due
 * at no tick that day.
 */

/** A zone at the hour, with its wall clock at the tick. */
export interface ZoneAtHour {
  timeZone: string;
  local: LocalTime;
}

/**
 * Checks a deployment's local send hour.
 * @throws InputError naming `what` unless `hour` is a whole hour 0-23.
 */
export function checkLocalHour(hour: number, what: string): void {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    throw new InputError(`${what} must be a whole hour 0-23 (got ${hour})`);
  }
}

/** The zones whose wall clock at `now` reads hour `hour` (any minute). */
export function zonesAtLocalHour(now: Date, hour: number, zones: readonly string[] = allTimeZones()): ZoneAtHour[] {
  const due: ZoneAtHour[] = [];
  for (const timeZone of zones) {
    const local = zonedParts(now, timeZone);
    if (local.hour === hour) due.push({ timeZone, local });
  }
  return due;
}

/** `date` with minutes, seconds and milliseconds cut: the tick a retried run agrees on. */
export function floorToHour(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 3_600_000) * 3_600_000);
}
