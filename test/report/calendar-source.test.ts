import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '#lib/sync/import-files.ts';
import { buildUserReport, calendarStateOf } from '#lib/report/build.ts';
import { prepareWeeklyReport } from '#lib/report/job.ts';
import { defaultSettings } from '#lib/settings.ts';
import type { Account } from '#lib/store/types.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';

/**
 * DESIGN section 4: without a calendar source Sinew cannot tell "no meetings" from "no
 * calendar", so it withholds noFaceTime and says the calendar is missing. Phillip Allen's
 * mailbox is mail only: imported alone it once yielded "Meet Tim: 3 emails in 90 days, no
 * meeting on record".
 */

const ENRON = '/work/shared/data/enron-allen-p';
const FOLDERS = ['_sent_mail', 'all_documents', 'deleted_items', 'discussion_threads', 'inbox', 'notes_inbox', 'sent', 'sent_items'];
const ME = ['phillip.allen@enron.com', 'k..allen@enron.com'];
const AS_OF = new Date('2001-06-01T00:00:00.000Z');
const settings = { ...defaultSettings, includeInternal: true };

let db: TestDynamo;
let store: DynamoStore;
let dir: string;
let userId: string;

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  dir = await mkdtemp(join(tmpdir(), 'sinew-calendar-'));
  ({ userId } = await importFiles(store, {
    mbox: FOLDERS.map((f) => `${ENRON}/${f}.mbox`), ics: [], me: ME, internalDomains: [], timeZone: 'America/Los_Angeles',
    now: AS_OF,
  }));
}, 60_000);
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a mailbox imported without a calendar', () => {
  it('withholds noFaceTime, says the calendar is missing in the JSON, and the email says how to add it', async () => {
    const prepared = await prepareWeeklyReport(store, userId, { asOf: AS_OF, settings });
    expect(prepared.json.noFaceTime).toEqual([]);
    expect(prepared.json.calendar).toBe('missing');
    expect(prepared.serialized).toContain('"calendar": "missing"');
    // The flags that need no calendar are still there.
    expect(prepared.json.contacts.length).toBeGreaterThan(20);
    for (const part of [prepared.text, prepared.html]) {
      expect(part).not.toMatch(/no meeting on record/i);
      expect(part).toContain('No calendar');
      expect(part).toContain('sinew import --ics FILE');
    }
  });

  it('gives face-time verdicts once a calendar is imported, even one without a single meeting', async () => {
    // An empty calendar is a calendar: its owner met no one, which is what noFaceTime says.
    const ics = join(dir, 'calendar.ics');
    await writeFile(ics, ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'END:VCALENDAR', ''].join('\r\n'));
    await importFiles(store, { mbox: [], ics: [ics], me: ME, internalDomains: [], timeZone: 'America/Los_Angeles', now: AS_OF });
    const { json } = await buildUserReport(store, userId, { asOf: AS_OF, settings });
    expect(json.calendar).toBe('connected');
    expect(json.noFaceTime.length).toBeGreaterThan(0);
  });
});

describe('calendarStateOf', () => {
  const account = (over: Partial<Account>): Account => ({
    userId: 'u', accountId: 'a', provider: 'google', address: 'me@x.com', aliases: [], status: 'active', errorCount: 0, cursors: {}, ...over,
  });
  it('reads connected calendars from the grant or a calendar cursor, imported ones from the import marker or stored meetings', () => {
    const none = { meetings: false };
    expect(calendarStateOf([account({ grantedScopes: ['https://www.googleapis.com/auth/gmail.metadata'] })], none)).toBe('missing');
    expect(calendarStateOf([account({ grantedScopes: ['https://www.googleapis.com/auth/gmail.metadata', 'https://www.googleapis.com/auth/calendar.events.readonly'] })], none)).toBe('connected');
    expect(calendarStateOf([account({ provider: 'microsoft', grantedScopes: ['Mail.ReadBasic', 'User.Read'] })], none)).toBe('missing');
    expect(calendarStateOf([account({ provider: 'microsoft', grantedScopes: ['Mail.ReadBasic', 'Calendars.ReadBasic', 'User.Read'] })], none)).toBe('connected');
    expect(calendarStateOf([account({ provider: 'microsoft', grantedScopes: ['https://graph.microsoft.com/Calendars.Read'] })], none)).toBe('connected');
    expect(calendarStateOf([account({ cursors: { 'gcal:primary': 'sync-token' } })], none)).toBe('connected');
    expect(calendarStateOf([account({ provider: 'microsoft', cursors: { 'graph:calendar': 'delta' } })], none)).toBe('connected');
    expect(calendarStateOf([account({ provider: 'files' })], none)).toBe('missing');
    expect(calendarStateOf([account({ provider: 'files', cursors: { ics: '2026-11-01T00:00:00.000Z' } })], none)).toBe('connected');
    expect(calendarStateOf([account({ provider: 'files' })], { meetings: true })).toBe('connected');
    // A Google grant without the calendar, next to a files account with one: the person has a calendar.
    expect(calendarStateOf([account({ grantedScopes: [] }), account({ provider: 'files', cursors: { ics: 'x' } })], none)).toBe('connected');
    expect(calendarStateOf([], none)).toBe('missing');
  });
});
