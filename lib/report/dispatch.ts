import type { JobQueue, ReportJob } from '#lib/queue/jobs.ts';
import { isoWeekOfDay } from '#lib/time/weeks.ts';
import { zonedParts } from '#lib/time/wall-clock.ts';
import { allTimeZones } from '#lib/time/zones.ts';
import { InputError } from '#lib/errors.ts';

/**
 * The weekly fan-out (DESIGN section 1, Report): an hourly tick finds the time zones where
 * it is now Monday between `reportHour`:00 and :59 local time and enqueues one report job
 * per unpaused user of those zones. Each zone is due at exactly one hourly tick (a local
 * hour always contains exactly one UTC hour boundary, half-hour offsets included); a DST
 * change that repeats the hour enqueues twice, which the worker's claim absorbs.
 */

/** Where the dispatcher finds who is due: the schedule index of the store. */
export interface ReportDirectory {
  /** Users of a zone whose reports are not paused. */
  listUsersForReport(timeZone: string): Promise<string[]>;
}

export interface DispatchInput {
  store: ReportDirectory;
  queue: JobQueue<ReportJob>;
  /** The tick: the schedule's time (floored to the hour for the job's `asOf`). */
  now: Date;
  /** Local hour on Monday when reports go out (default 7). */
  reportHour: number;
  /** Zones to consider; default every zone this runtime knows, and UTC. */
  zones?: readonly string[];
}

export interface DispatchResult {
  /** Zones due at this tick, each with the ISO week of its local Monday. */
  zones: Array<{ timeZone: string; week: string }>;
  jobs: number;
}

/** Enqueues the report jobs due at `now`. */
export async function dispatchReports(input: DispatchInput): Promise<DispatchResult> {
  if (!Number.isInteger(input.reportHour) || input.reportHour < 0 || input.reportHour > 23) {
    throw new InputError(`reportHour must be a whole hour 0-23 (got ${input.reportHour})`);
  }
  const asOf = floorToHour(input.now).toISOString();
  const zones = zonesDueForReport(input.now, input.reportHour, input.zones);
  let jobs = 0;
  for (const { timeZone, week } of zones) {
    const users = await input.store.listUsersForReport(timeZone);
    if (users.length === 0) continue;
    await input.queue.send(users.map((userId): ReportJob => ({ v: 1, userId, week, asOf })));
    jobs += users.length;
  }
  return { zones, jobs };
}

/** The zones where `now` falls on a Monday in hour `reportHour`, with their local ISO week. */
export function zonesDueForReport(
  now: Date,
  reportHour: number,
  zones: readonly string[] = allTimeZones(),
): Array<{ timeZone: string; week: string }> {
  const due: Array<{ timeZone: string; week: string }> = [];
  for (const timeZone of zones) {
    const local = zonedParts(now, timeZone);
    if (local.weekday === 1 && local.hour === reportHour) due.push({ timeZone, week: isoWeekOfDay(local) });
  }
  return due;
}

/** `date` with minutes, seconds and milliseconds cut: the tick a retried run agrees on. */
export function floorToHour(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 3_600_000) * 3_600_000);
}
