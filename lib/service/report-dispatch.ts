import type { JobQueue, ReportJob } from './jobs.ts';
import { isoWeek } from '../pipeline/report.ts';
import { InputError } from '../errors.ts';

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

/** Every IANA zone `Intl` knows (canonical names), plus `UTC`, which the list leaves out. */
export function allTimeZones(): string[] {
  return [...new Set([...Intl.supportedValuesOf('timeZone'), 'UTC'])];
}

/** The zones where `now` falls on a Monday in hour `reportHour`, with their local ISO week. */
export function zonesDueForReport(
  now: Date,
  reportHour: number,
  zones: readonly string[] = allTimeZones(),
): Array<{ timeZone: string; week: string }> {
  const due: Array<{ timeZone: string; week: string }> = [];
  for (const timeZone of zones) {
    const local = localParts(now, timeZone);
    if (local.weekday === 'Mon' && local.hour === reportHour) due.push({ timeZone, week: weekOfDay(local) });
  }
  return due;
}

/** The ISO week `YYYY-Www` of the local calendar day of `instant` in `timeZone`. */
export function localIsoWeek(instant: Date, timeZone: string): string {
  return weekOfDay(localParts(instant, timeZone));
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

/** `date` with minutes, seconds and milliseconds cut: the tick a retried run agrees on. */
export function floorToHour(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 3_600_000) * 3_600_000);
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  weekday: string;
}

/** Formatters are the costly part (about 0.15 ms each): one per zone per warm runtime. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(instant: Date, timeZone: string): LocalParts {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    weekday: parts.weekday ?? '',
  };
}

function weekOfDay(local: LocalParts): string {
  return isoWeek(new Date(Date.UTC(local.year, local.month - 1, local.day)));
}
