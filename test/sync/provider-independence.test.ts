import { beforeAll, describe, expect, it } from 'vitest';
import type { VirtualClock } from '#test/support/virtual-clock.ts';
import { CalendarState } from '#test/support/google/calendar-state.ts';
import { connectedGoogleRun } from '#test/support/google/sync-provider.ts';
import { GraphCalendar } from '#test/support/microsoft/graph-calendar.ts';
import { connectedMicrosoftRun } from '#test/support/microsoft/sync-provider.ts';
import { AS_OF, type ProviderRun } from '#test/support/sync-provider.ts';

/**
 * Issue 4's must-show: the same mailbox and calendar, served once by the Google emulators
 * and once by the Microsoft emulators, synced through each provider's real client and
 * source into separate stores, yield the same report JSON byte for byte.
 */
const ME = 'me@example.com';
const DAY = 86_400_000;

/** A meeting both calendars hold: same iCalendar UID, times and attendees. */
interface Meeting {
  uid: string;
  daysAgo: number;
  hour: number;
  hours: number;
  guests: string[];
  /** Weekly occurrences. @default 1 */
  weekly?: number;
}

const MEETINGS: Meeting[] = [
  { uid: 'weekly1@example.com', daysAgo: 120, hour: 9, hours: 1, guests: ['c1@partner1.example'], weekly: 20 },
  { uid: 'lunch@example.com', daysAgo: 10, hour: 12, hours: 1, guests: ['c7@partner7.example'] },
  { uid: 'review@example.com', daysAgo: 40, hour: 15, hours: 2, guests: ['c2@partner2.example', 'c14@partner2.example'] },
  { uid: 'next@example.com', daysAgo: -5, hour: 10, hours: 1, guests: ['c3@partner3.example'] },
];

const startOf = (m: Meeting): number => AS_OF - m.daysAgo * DAY + m.hour * 3_600_000;
/**
 * Guests carry the display name the mail fixture gives them on both sides: the Graph
 * emulator would otherwise name an attendee by its local part, Google's by nothing, and
 * the report shows the latest name seen.
 */
const nameOf = (address: string): string => `Contact ${/^c(\d+)@/.exec(address)![1]}`;

function googleCalendar(clock: VirtualClock): CalendarState {
  const cal = new CalendarState({ owner: ME, clock });
  for (const [i, m] of MEETINGS.entries()) {
    const start = startOf(m);
    cal.addEvent({
      id: `ev${i}`,
      iCalUID: m.uid,
      start: { dateTime: new Date(start).toISOString(), timeZone: 'UTC' },
      end: { dateTime: new Date(start + m.hours * 3_600_000).toISOString(), timeZone: 'UTC' },
      ...(m.weekly ? { recurrence: [`RRULE:FREQ=WEEKLY;COUNT=${m.weekly}`] } : {}),
      organizer: { email: ME },
      attendees: [{ email: ME, responseStatus: 'accepted' }, ...m.guests.map((g) => ({ email: g, displayName: nameOf(g), responseStatus: 'accepted' as const }))],
    });
  }
  return cal;
}

function graphCalendar(): GraphCalendar {
  const cal = new GraphCalendar();
  for (const m of MEETINGS) {
    const start = startOf(m);
    cal.add({
      uid: m.uid,
      start: new Date(start).toISOString(),
      end: new Date(start + m.hours * 3_600_000).toISOString(),
      ...(m.weekly ? { recurrence: { everyDays: 7, count: m.weekly } } : {}),
      organizer: ME,
      isOrganizer: true,
      attendees: [{ address: ME, response: 'organizer' }, ...m.guests.map((g) => ({ address: g, name: nameOf(g), response: 'accepted' as const }))],
    });
  }
  return cal;
}

/** Connects and syncs one provider's copy of the mailbox through its emulators; the report. */
async function viaProvider(run: ProviderRun): Promise<string> {
  try {
    const outcome = await run.sync();
    expect(outcome.state).toBe('complete');
    return await run.report();
  } finally {
    await run.close();
  }
}

describe('provider independence', () => {
  let google: string;
  let microsoft: string;

  beforeAll(async () => {
    // Two copies of one seeded mailbox, so neither sync can disturb the other's; each in its own store.
    const spec = { messages: 800, seed: 23 };
    google = await viaProvider(await connectedGoogleRun({ ...spec, calendar: googleCalendar }));
    microsoft = await viaProvider(await connectedMicrosoftRun({ ...spec, calendar: graphCalendar() }));
  }, 60_000);

  it('the report is not trivial: mail and meeting contacts, bulk left out', () => {
    const json = JSON.parse(google);
    expect(json.user).toBe(ME);
    expect(json.contacts.length).toBeGreaterThan(10);
    expect(json.contacts.find((c: { address: string }) => c.address === 'c1@partner1.example')?.meetings).toBeGreaterThan(0);
    expect(json.contacts.find((c: { address: string }) => c.address === 'c14@partner2.example')?.meetings).toBeGreaterThan(0);
  });

  it('the same mailbox served by Google and by Microsoft yields the same report JSON', () => {
    expect(microsoft).toBe(google);
  });
});
