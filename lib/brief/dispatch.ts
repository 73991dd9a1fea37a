import type { BriefJob, JobQueue } from '#lib/queue/jobs.ts';
import type { ReportDirectory } from '#lib/report/dispatch.ts';
import type { Settings } from '#lib/settings.ts';
import { defaultSettings } from '#lib/settings.ts';
import type { Store, User } from '#lib/store/types.ts';
import { checkLocalHour, zonesAtLocalHour } from '#lib/time/local-hour.ts';
import { mapWithLimit } from '#lib/map-with-limit.ts';
import { briefedMeetingsOn } from './build.ts';
import { briefAsOf, BRIEF_HOUR, localDate } from './day.ts';

/**
 * The daily brief fan-out (DESIGN section 9, Delivery): an hourly tick finds the time
 * zones where it is now the brief hour (07:00 by default) and, among the unpaused people
 * of those zones (the weekly report's schedule index, lib/report/dispatch.ts), enqueues
 * one brief job for each person who has briefs on and a briefed meeting that local day.
 * A day without a briefed meeting enqueues nothing, so it sends nothing. A DST change
 * that repeats the hour enqueues twice, a retried tick enqueues again: the worker's send
 * claim (`brief#<date>`) lets one email through.
 */

/** Why a person gets no brief, whatever their calendar says; undefined when they may. */
type BriefStop = 'briefs-off' | 'paused' | 'unsubscribed';

/**
 * Whether a person's own settings stop their briefs: briefs turned off by the brief's
 * link, all email paused (by the person, or by Sinew after a bounce or complaint), or
 * unsubscribed. Read by the dispatcher and again by the worker at send time.
 */
export function briefStop(user: Pick<User, 'briefsOff' | 'reportsPaused' | 'unsubscribedAt'>): BriefStop | undefined {
  if (user.unsubscribedAt) return 'unsubscribed';
  if (user.reportsPaused) return 'paused';
  if (user.briefsOff) return 'briefs-off';
  return undefined;
}

interface BriefDispatchInput {
  /** The store: the schedule index (who is unpaused in a zone) and each person's partition. */
  store: Store & ReportDirectory;
  queue: JobQueue<BriefJob>;
  /** The tick: the schedule's time. */
  now: Date;
  /**
   * Local hour when briefs go out (CDK context `briefHour`).
   * @default 7
   */
  briefHour?: number;
  /** The rules that make a meeting briefed (section 3's `maxAttendees` among them). */
  settings?: Settings;
  /** Zones to consider; default every zone this runtime knows, and UTC. */
  zones?: readonly string[];
  /**
   * People whose calendar is read at once (each is one Query of their partition).
   * @default 8
   */
  concurrency?: number;
}

interface BriefDispatchResult {
  /** Zones at the brief hour at this tick, with their local date. */
  zones: Array<{ timeZone: string; date: string }>;
  /** Unpaused people listed in those zones. */
  listed: number;
  jobs: number;
  /** People listed but not enqueued, by reason. */
  skipped: { noMeeting: number; stopped: number; gone: number };
}

/** Enqueues the brief jobs due at `now`. */
export async function dispatchBriefs(input: BriefDispatchInput): Promise<BriefDispatchResult> {
  const briefHour = input.briefHour ?? BRIEF_HOUR;
  checkLocalHour(briefHour, 'briefHour');
  const settings = input.settings ?? defaultSettings;
  const zones = zonesAtLocalHour(input.now, briefHour, input.zones).map(({ timeZone }) => ({
    timeZone,
    date: localDate(input.now, timeZone),
  }));
  const result: BriefDispatchResult = { zones, listed: 0, jobs: 0, skipped: { noMeeting: 0, stopped: 0, gone: 0 } };
  for (const { timeZone, date } of zones) {
    const userIds = await input.store.listUsersForReport(timeZone);
    result.listed += userIds.length;
    const asOf = briefAsOf(date, timeZone, briefHour).toISOString();
    const picked = await mapWithLimit(userIds, input.concurrency ?? 8, async (userId): Promise<BriefJob | undefined> => {
      const user = await input.store.getUser(userId);
      if (!user) {
        result.skipped.gone += 1;
        return undefined;
      }
      if (briefStop(user)) {
        result.skipped.stopped += 1;
        return undefined;
      }
      // The meetings as the brief will see them: as of the brief hour of that local day.
      const meetings = await briefedMeetingsOn(input.store, userId, date, settings, new Date(asOf));
      if (meetings.length === 0) {
        result.skipped.noMeeting += 1;
        return undefined;
      }
      return { v: 1, userId, date, asOf };
    });
    const jobs = picked.filter((job): job is BriefJob => job !== undefined);
    if (jobs.length > 0) await input.queue.send(jobs);
    result.jobs += jobs.length;
  }
  return result;
}
