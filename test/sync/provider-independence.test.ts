import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { recordConnectedAccount, tokenContext } from '#lib/connect/accounts.ts';
import { buildUserReport } from '#lib/report/build.ts';
import { googleSources } from '#lib/providers/google/sources.ts';
import { microsoftSources } from '#lib/providers/microsoft/sources.ts';
import { serializeReport } from '#lib/report/json.ts';
import { defaultSettings } from '#lib/settings.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { syncAccount } from '#lib/sync/engine.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { CalendarState } from '#test/support/google/calendar-state.ts';
import { consentInBrowser, startGoogleWorld } from '#test/support/google/world.ts';
import { GraphCalendar } from '#test/support/microsoft/graph-calendar.ts';
import { graphMailboxFromGmail } from '#test/support/microsoft/graph-mail-fixture.ts';
import { accountSession, consentInMsBrowser, startMicrosoftWorld } from '#test/support/microsoft/world.ts';

/**
 * Issue 4's must-show: the same mailbox and calendar, served once by the Google emulators
 * and once by the Microsoft emulators, synced through each provider's real client and
 * source into separate stores, yield the same report JSON byte for byte.
 */
const AS_OF = Date.UTC(2026, 10, 23, 7);
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

async function report(db: TestDynamo, userId: string): Promise<string> {
  const { json } = await buildUserReport(db.store(), userId, { asOf: new Date(AS_OF), settings: defaultSettings });
  return serializeReport(json);
}

/** Connects and syncs the Gmail mailbox through the Google emulators; the report. */
async function viaGoogle(gmail: ReturnType<typeof buildMailbox>, db: TestDynamo): Promise<string> {
  const clock = new VirtualClock(AS_OF);
  const world = await startGoogleWorld({ mailbox: gmail, calendar: googleCalendar(clock), clock });
  try {
    const store = db.store();
    const vault = LocalKeyVault.fromKey(randomBytes(32));
    const grant = await runLoopbackConsent({ provider: 'google', oauth: world.oauth, onUrl: (url) => void consentInBrowser(url) });
    const { account } = await recordConnectedAccount(store, vault, { provider: 'google', grant, now: new Date(AS_OF), timeZone: 'Europe/Paris' });
    const refreshToken = await vault.open(account.encryptedToken!, tokenContext(account));
    const sources = googleSources({ auth: world.oauth.clientFor(refreshToken), accountId: account.accountId, rootUrl: world.emulator.url, clock });
    const outcome = await syncAccount({ store, account, sources, clock, budgetMs: 24 * 3_600_000 });
    expect(outcome.state).toBe('complete');
    return await report(db, account.userId);
  } finally {
    await world.close();
  }
}

/** The same through the Microsoft emulators, the mailbox converted by graphMailboxFromGmail. */
async function viaMicrosoft(gmail: ReturnType<typeof buildMailbox>, db: TestDynamo): Promise<string> {
  const clock = new VirtualClock(AS_OF);
  const world = await startMicrosoftWorld({ mailbox: graphMailboxFromGmail(gmail), calendar: graphCalendar(), clock });
  try {
    const store = db.store();
    const vault = LocalKeyVault.fromKey(randomBytes(32));
    const grant = await runLoopbackConsent({ provider: 'microsoft', oauth: world.oauth, onUrl: (url) => void consentInMsBrowser(world, url) });
    const holder = (await recordConnectedAccount(store, vault, { provider: 'microsoft', grant, now: new Date(AS_OF), timeZone: 'Europe/Paris' }));
    const session = accountSession(world, store, vault, holder);
    const sources = microsoftSources({
      graphBaseUrl: world.emulator.graphUrl, ca: world.emulator.ca, accountId: holder.account.accountId, clock,
      getAccessToken: (o) => session.getAccessToken(o),
    });
    const outcome = await syncAccount({ store, account: holder.account, sources, clock, budgetMs: 24 * 3_600_000 });
    expect(outcome.state).toBe('complete');
    return await report(db, holder.account.userId);
  } finally {
    await world.close();
  }
}

describe('provider independence', () => {
  let googleDb: TestDynamo;
  let microsoftDb: TestDynamo;
  let google: string;
  let microsoft: string;

  beforeAll(async () => {
    googleDb = await startTestDynamo();
    microsoftDb = await startTestDynamo();
    // Two copies of one seeded mailbox, so neither sync can disturb the other's.
    const spec = { messages: 800, seed: 23, asOf: AS_OF };
    google = await viaGoogle(buildMailbox(spec), googleDb);
    microsoft = await viaMicrosoft(buildMailbox(spec), microsoftDb);
  }, 60_000);
  afterAll(async () => {
    await googleDb?.close();
    await microsoftDb?.close();
  });

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
