import { HISTORY_DAYS } from '#lib/settings.ts';

/** One day and one hour in milliseconds: every health computation works in epoch ms. */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** Days of the "year" that `cadenceDays` and "established" look at (DESIGN section 4). */
export const YEAR_DAYS = 365;
/** The trend compares the last 30 days with the 90 days before them (days 31 to 120). */
export const TREND_RECENT_DAYS = 30;
export const TREND_BASELINE_DAYS = 90;
/** Owed replies: received between 14 days and 48 hours before `asOf`, both ends included. */
export const OWED_OLDEST_DAYS = 14;
export const OWED_NEWEST_HOURS = 48;
/** Awaiting reply looks at outbound messages of the last 30 days. */
export const AWAITING_DAYS = 30;
/** No face-time: no meeting in the last 90 days (fixed, whatever `windowDays` is). */
export const FACE_TIME_DAYS = 90;

/**
 * The instants (epoch ms) every metric is measured against. "In the last N days" means
 * `at > asOf - N days` and `at <= asOf`; interactions after `asOf` are ignored, so a
 * report replayed at an earlier `asOf` sees exactly what it would have seen then.
 */
export interface Horizons {
  asOf: number;
  /** Oldest instant of the held history (`HISTORY_DAYS`), inclusive. */
  heldStart: number;
  /** Window of `windowDays`: `at > windowStart`. */
  windowStart: number;
  windowDays: number;
  yearStart: number;
  recentStart: number;
  baselineStart: number;
  /** Owed replies: `owedOldest <= at <= owedNewest` (see `horizonsAt`'s floor). */
  owedOldest: number;
  owedNewest: number;
  awaitingStart: number;
  faceTimeStart: number;
}

/**
 * Derives every horizon from `asOf` (epoch ms) and the window length in days.
 * `owedFloorHours` is how recent an inbound message may be and still be owed: the weekly
 * report leaves the last 48 hours alone (there is still time to answer); the meeting
 * brief (DESIGN section 9) passes 0, since a message received this morning is owed at the
 * meeting.
 */
export function horizonsAt(asOf: number, windowDays: number, owedFloorHours: number = OWED_NEWEST_HOURS): Horizons {
  return {
    asOf,
    heldStart: asOf - HISTORY_DAYS * DAY_MS,
    windowStart: asOf - windowDays * DAY_MS,
    windowDays,
    yearStart: asOf - YEAR_DAYS * DAY_MS,
    recentStart: asOf - TREND_RECENT_DAYS * DAY_MS,
    baselineStart: asOf - (TREND_RECENT_DAYS + TREND_BASELINE_DAYS) * DAY_MS,
    owedOldest: asOf - OWED_OLDEST_DAYS * DAY_MS,
    owedNewest: asOf - owedFloorHours * HOUR_MS,
    awaitingStart: asOf - AWAITING_DAYS * DAY_MS,
    faceTimeStart: asOf - FACE_TIME_DAYS * DAY_MS,
  };
}
