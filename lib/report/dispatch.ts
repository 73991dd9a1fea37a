import type { JobQueue, ReportJob } from '#lib/queue/jobs.ts';
import { isoWeekOfDay } from '#lib/time/weeks.ts';
import { checkLocalHour, floorToHour, zonesAtLocalHour } from '#lib/time/local-hour.ts';

export { floorToHour } from '#lib/time/local-hour.ts';

/**
 * The weekly fan-out (DESIGN section 1, Report): an hourly tick finds the time zones where
 * it is now Monday between `reportHour`:00 and :59 local time and enqueues one report job
 * per unpaused user of those zones. Which zones are at the hour is lib/time/local-hour.ts's
 * (shared with the meeting brief's dispatcher); a DST change that repeats the hour
 * enqueues twice, which the worker's claim absorbs.
 */

/**
 * Where the dispatchers find who is due: the schedule index of the store (the weekly
 * report's, and the meeting brief's, which reads the same unpaused people of a zone).
 */
export interface ReportDirectory {
  /** Users of a zone whose reports are not paused (paused and unsubscribed people are not listed). */
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
  checkLocalHour(input.reportHour, 'reportHour');
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
  zones?: readonly string[],
): Array<{ timeZone: string; week: string }> {
  return zonesAtLocalHour(now, reportHour, zones)
    .filter(({ local }) => local.weekday === 1)
    .map(({ timeZone, local }) => ({ timeZone, week: isoWeekOfDay(local) }));
}
