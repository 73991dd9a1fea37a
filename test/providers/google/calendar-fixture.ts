/**
 * One calendar seeded twice: in the emulator (as Google holds it) and as the .ics text
 * Google Takeout would export for the same weekly series, so tests can check that both
 * importers key each occurrence the same way.
 */
import { GoogleCalendarSource } from '#lib/providers/google/calendar.ts';
import type { GoogleCalendarSourceOptions } from '#lib/providers/google/calendar.ts';
import type { MeetingItem } from '#lib/items/types.ts';
import type { SourcePage } from '#lib/providers/types.ts';
import { directPacer } from '#test/support/direct-pacer.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { calendarClient, startCalendarEmulator } from '#test/support/google/calendar-emulator.ts';
import type { CalendarEmulator, CalendarHandlerOptions } from '#test/support/google/calendar-emulator.ts';
import { CalendarState } from '#test/support/google/calendar-state.ts';

export const AS_OF = new Date('2026-11-23T07:00:00Z');
export const OWNER = 'me@example.com';
export const SERIES_UID = 'Weekly-Sync@Example.com';
export const SECRET_TITLE = 'Falcon acquisition';

/**
 * A weekly 10:00 New York series of 10 from 2026-10-05 (crossing the 1 November DST
 * change), its 19 October occurrence moved to the 20th at 14:00 and its 2 November one
 * cancelled; plus a one-off in Paris organized by a contact, a declined meeting, a
 * personal entry without attendees, an all-day offsite and a working-location block.
 */
export function seedCalendar(state: CalendarState): void {
  state.addEvent({
    id: 'weeklysync',
    iCalUID: SERIES_UID,
    summary: SECRET_TITLE,
    description: 'Agenda: the secret numbers',
    start: { dateTime: '2026-10-05T10:00:00-04:00', timeZone: 'America/New_York' },
    end: { dateTime: '2026-10-05T10:30:00-04:00', timeZone: 'America/New_York' },
    recurrence: ['RRULE:FREQ=WEEKLY;COUNT=10'],
    attendees: [
      { email: OWNER, responseStatus: 'accepted' },
      { email: 'Ann@Acme.com', displayName: 'Ann Lee', responseStatus: 'accepted' },
      { email: 'bob@acme.com', responseStatus: 'declined' },
      { email: 'room-4@resource.calendar.google.com', displayName: 'Room 4', resource: true, responseStatus: 'accepted' },
    ],
  });
  state.updateEvent('weeklysync_20261019T140000Z', {
    start: { dateTime: '2026-10-20T14:00:00-04:00', timeZone: 'America/New_York' },
    end: { dateTime: '2026-10-20T14:30:00-04:00', timeZone: 'America/New_York' },
  });
  state.cancelEvent('weeklysync_20261102T150000Z');
  state.addEvent({
    id: 'paris1',
    summary: 'Lunch',
    start: { dateTime: '2026-11-10T12:30:00+01:00', timeZone: 'Europe/Paris' },
    end: { dateTime: '2026-11-10T14:00:00+01:00', timeZone: 'Europe/Paris' },
    organizer: { email: 'claire@client.fr' },
    attendees: [
      { email: 'claire@client.fr', responseStatus: 'accepted' },
      { email: OWNER, responseStatus: 'tentative' },
    ],
  });
  state.addEvent({
    id: 'declined1',
    start: { dateTime: '2026-11-12T16:00:00Z' },
    end: { dateTime: '2026-11-12T17:00:00Z' },
    organizer: { email: 'dan@vendor.io' },
    attendees: [
      { email: 'dan@vendor.io', responseStatus: 'accepted' },
      { email: OWNER, responseStatus: 'declined' },
    ],
  });
  state.addEvent({ id: 'dentist', summary: 'Dentist', start: { dateTime: '2026-11-13T08:00:00Z' }, end: { dateTime: '2026-11-13T09:00:00Z' } });
  state.addEvent({
    id: 'offsite',
    start: { date: '2026-11-16' },
    end: { date: '2026-11-18' },
    attendees: [{ email: OWNER, responseStatus: 'accepted' }, { email: 'eve@acme.com', responseStatus: 'needsAction' }],
  });
  state.addEvent({ id: 'wfh', eventType: 'workingLocation', start: { date: '2026-11-19' }, end: { date: '2026-11-20' } });
}

/** The weekly series as Takeout writes it (no VTIMEZONE: the TZID names an IANA zone). */
export const SERIES_ICS = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
  'BEGIN:VEVENT',
  `UID:${SERIES_UID}`,
  'DTSTART;TZID=America/New_York:20261005T100000',
  'DTEND;TZID=America/New_York:20261005T103000',
  'RRULE:FREQ=WEEKLY;COUNT=10',
  'EXDATE;TZID=America/New_York:20261102T100000',
  `ORGANIZER:mailto:${OWNER}`,
  `ATTENDEE;PARTSTAT=ACCEPTED:mailto:${OWNER}`,
  'ATTENDEE;CN=Ann Lee;PARTSTAT=ACCEPTED:mailto:Ann@Acme.com',
  'ATTENDEE;PARTSTAT=DECLINED:mailto:bob@acme.com',
  `SUMMARY:${SECRET_TITLE}`,
  'END:VEVENT',
  'BEGIN:VEVENT',
  `UID:${SERIES_UID}`,
  'RECURRENCE-ID;TZID=America/New_York:20261019T100000',
  'DTSTART;TZID=America/New_York:20261020T140000',
  'DTEND;TZID=America/New_York:20261020T143000',
  `ORGANIZER:mailto:${OWNER}`,
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

/** A started emulator with the seeded calendar and a source factory. */
export interface CalendarRig {
  state: CalendarState;
  clock: VirtualClock;
  emulator: CalendarEmulator;
  source(opts?: Partial<GoogleCalendarSourceOptions>): GoogleCalendarSource;
  close(): Promise<void>;
}

export async function startRig(handlerOpts: CalendarHandlerOptions = {}, seed = true): Promise<CalendarRig> {
  const clock = new VirtualClock(AS_OF.getTime());
  const state = new CalendarState({ owner: OWNER, clock });
  if (seed) seedCalendar(state);
  const emulator = await startCalendarEmulator(state, handlerOpts);
  const client = calendarClient(emulator.rootUrl);
  return {
    state,
    clock,
    emulator,
    source: (opts = {}) => new GoogleCalendarSource({ calendar: client, accountId: 'acct-1', pacer: directPacer, asOf: AS_OF, ...opts }),
    close: () => emulator.close(),
  };
}

/** Every page of one pass. */
export async function drain(source: GoogleCalendarSource, cursor?: string): Promise<SourcePage[]> {
  const pages: SourcePage[] = [];
  for await (const page of source.pages(cursor)) pages.push(page);
  return pages;
}

/** Items of pages applied in order to a store keyed like the real one (account + provider id). */
export function applyPages(pages: SourcePage[], into = new Map<string, MeetingItem>()): Map<string, MeetingItem> {
  for (const page of pages) {
    for (const item of page.items) into.set(`${item.accountId}:${item.providerId}`, item as MeetingItem);
  }
  return into;
}

/** The final cursor of a pass. */
export function lastCursor(pages: SourcePage[]): string {
  return pages[pages.length - 1]!.cursor;
}
