import type { CalendarWriter } from './calendar.ts';
import type { PartStat, Person } from './model.ts';
import { ME, NEWCOMERS, PEOPLE } from './cast.ts';
import { fromWallClock, wallClock } from '#lib/time/wall-clock.ts';

/**
 * The demo's brief day (`npm start` writes out/brief.*): the first working day after the
 * demo's as-of, in the user's zone, with meetings with people outside Northwind: a warming
 * pilot, a client with a newcomer at a known organization, a lawyer still waiting for a
 * reply, the weekly Acme call (already in the calendar), a first meeting at a new company,
 * and a freelancer. All of it after the as-of: upcoming meetings change no figure of the
 * weekly report (only whether someone silent is fading, and no one here is), so the
 * report and its golden hash stay as they were. Fixed uids, no random draw: adding this
 * day moves nothing else the seeded generator writes.
 */

const DAY_MS = 86_400_000;

/** The demo's brief day, `YYYY-MM-DD`: the first weekday after asOf's local date in the user's zone. */
export function demoBriefDate(asOf: Date): string {
  const w = wallClock(asOf, ME.tz);
  let day = Date.UTC(w.year, w.month - 1, w.day) + DAY_MS;
  while ([0, 6].includes(new Date(day).getUTCDay())) day += DAY_MS;
  return new Date(day).toISOString().slice(0, 10);
}

/** The meetings of the brief day, as (local time in the user's zone, minutes, organizer, attendees). */
const MEETINGS: Array<{ uid: string; summary: string; at: [number, number]; minutes: number; organizer: Person; attendees: Person[] }> = [
  { uid: 'briefday01', summary: 'Orbital pilot review', at: [9, 30], minutes: 45, organizer: ME, attendees: [PEOPLE.nadia, PEOPLE.ben] },
  { uid: 'briefday02', summary: 'Halcyon data platform', at: [11, 0], minutes: 60, organizer: ME, attendees: [PEOPLE.maria, NEWCOMERS.priyanka] },
  { uid: 'briefday03', summary: 'Engagement letter', at: [13, 30], minutes: 30, organizer: PEOPLE.james, attendees: [ME] },
  { uid: 'briefday04', summary: 'Fernhill introduction', at: [16, 30], minutes: 30, organizer: NEWCOMERS.elena, attendees: [ME] },
  { uid: 'briefday05', summary: 'Coffee', at: [17, 30], minutes: 30, organizer: ME, attendees: [PEOPLE.emma] },
];

/** Writes the brief day's meetings into the demo calendar. */
export function writeBriefDay(cal: CalendarWriter, asOf: Date): void {
  const [year, month, day] = demoBriefDate(asOf).split('-').map(Number) as [number, number, number];
  for (const m of MEETINGS) {
    cal.meeting({
      uid: `sinewdemo${m.uid}@google.com`,
      summary: m.summary,
      start: fromWallClock(ME.tz, year, month, day, m.at[0], m.at[1]),
      minutes: m.minutes,
      organizer: m.organizer,
      attendees: m.attendees.map((p): [Person, PartStat] => [p, 'ACCEPTED']),
    });
  }
}
