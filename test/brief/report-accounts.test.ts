import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBrief } from '#lib/brief/build.ts';
import { latestAccountLines, readAccountLines, type StoredAccountLines } from '#lib/brief/report-accounts.ts';
import { briefJsonSchema, type BriefJson } from '#lib/brief/schema.ts';
import type { Item } from '#lib/items/types.ts';
import { buildUserReport } from '#lib/report/build.ts';
import { serializeReport } from '#lib/report/json.ts';
import { defaultSettings } from '#lib/settings.ts';
import type { Store } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { AS_OF, DAY, ME, briefOf, daysAgo, mail, meetingWith } from './world.ts';

const ANN = 'ann@partner.io';
const MEETING_AT = '2026-11-24T09:00:00.000Z';
const two = (who: string, days: number): Item[] => [mail({ from: who, to: [ME], at: daysAgo(days) }), mail({ from: ME, to: [who], at: daysAgo(days - 1) })];

/** Two organizations in one meeting, each with contacts beyond the attendees. */
function items(): Item[] {
  return [
    ...two(ANN, 20),
    ...two('old@partner.io', 300),
    ...two('carl@client.com', 12),
    ...two('cleo@client.com', 8),
    meetingWith(MEETING_AT, [ANN, 'carl@client.com']),
  ];
}

/** What a weekly report three days before the brief said (figures unlike the computed ones). */
function stored(overrides: Partial<StoredAccountLines> = {}): StoredAccountLines {
  return {
    asOf: new Date(AS_OF.getTime() - 3 * DAY),
    accounts: [{ domain: 'client.com', health: 12, activeContacts: 7, singleThreaded: false }],
    settings: {
      windowDays: defaultSettings.windowDays, maxRecipients: defaultSettings.maxRecipients, maxAttendees: defaultSettings.maxAttendees,
      includeInternal: defaultSettings.includeInternal, internalDomains: ['acme.com'],
    },
    ...overrides,
  };
}

const withoutAccounts = (b: BriefJson) => b.meetings.map((m) => m.attendees);

describe('account lines from the weekly report (lib/brief/report-accounts.ts)', () => {
  it('takes each organization line from a fresh report, says from when, and computes the attendees as before', () => {
    const exact = briefOf(items());
    const brief = briefOf(items(), { accountLines: stored() });
    const asOf = new Date(AS_OF.getTime() - 3 * DAY).toISOString();
    expect(brief.meetings[0]!.accounts).toEqual([
      { domain: 'client.com', health: 12, activeContacts: 7, singleThreaded: false, asOf },
      // Not in the report: no active contact there when it was computed.
      { domain: 'partner.io', health: null, activeContacts: 0, singleThreaded: false, asOf },
    ]);
    // The attendees' own figures do not depend on where the lines came from.
    expect(withoutAccounts(brief)).toEqual(withoutAccounts(exact));
    expect(exact.meetings[0]!.accounts.every((a) => a.asOf === AS_OF.toISOString())).toBe(true);
    expect(exact.meetings[0]!.accounts.find((a) => a.domain === 'client.com')).toMatchObject({ activeContacts: 2 });
    expect(briefJsonSchema.parse(brief)).toEqual(brief);
  });

  it('computes the lines itself from a report over 8 days old, one after the brief, or one with other rules', () => {
    const exact = briefOf(items());
    const cases: Array<Partial<StoredAccountLines>> = [
      { asOf: new Date(AS_OF.getTime() - 8 * DAY - 1) },
      { asOf: new Date(AS_OF.getTime() + 1) },
      { settings: { ...stored().settings, windowDays: 60 } },
      { settings: { ...stored().settings, maxRecipients: defaultSettings.maxRecipients + 1 } },
      { settings: { ...stored().settings, internalDomains: ['acme.com', 'partner.io'] } },
    ];
    for (const c of cases) expect(briefOf(items(), { accountLines: stored(c) })).toEqual(exact);
    // Exactly 8 days old is still used.
    expect(briefOf(items(), { accountLines: stored({ asOf: new Date(AS_OF.getTime() - 8 * DAY) }) }).meetings[0]!.accounts[0]!.health).toBe(12);
  });
});

describe('buildBrief with the stored weekly report (dynalite)', () => {
  let db: TestDynamo;
  let store: Store;
  const USER = 'u-report-lines';
  // Monday 23 November, 07:00 in Paris: the weekly report.
  const REPORT_AS_OF = new Date('2026-11-23T06:00:00.000Z');

  beforeAll(async () => {
    db = await startTestDynamo();
    store = db.store();
    await store.putUser({ userId: USER, email: ME, timeZone: 'Europe/Paris', me: [], internalDomains: [], reportsPaused: false, createdAt: '2026-01-01T00:00:00.000Z' });
    await store.putAccount({ userId: USER, accountId: 'acct', provider: 'google', address: ME, aliases: [], status: 'active', errorCount: 0, cursors: {}, lastSyncAt: '2026-11-24T05:00:00.000Z' });
    await store.putItems(USER, items());
  });
  afterAll(async () => {
    await db.close();
  });

  it('reads the lines of the report the weekly job stored, and computes them when there is none or it does not read', async () => {
    const now = new Date('2026-11-24T06:00:00.000Z');
    const before = (await buildBrief(store, USER, { now, settings: defaultSettings })).brief;
    expect(before.meetings[0]!.accounts.map((a) => a.asOf)).toEqual([AS_OF.toISOString(), AS_OF.toISOString()]);

    // What the weekly job stores (prepareWeeklyReport: buildUserReport, serializeReport, putReport).
    const { json } = await buildUserReport(store, USER, { asOf: REPORT_AS_OF, settings: defaultSettings });
    await store.putReport(USER, '2026-W48', serializeReport(json));
    expect(json.accounts.map((a) => a.domain).sort()).toEqual(['client.com', 'partner.io']);
    const lines = await latestAccountLines(store, USER, AS_OF, 'Europe/Paris');
    expect(lines?.asOf.toISOString()).toBe(REPORT_AS_OF.toISOString());

    const after = (await buildBrief(store, USER, { now, settings: defaultSettings })).brief;
    expect(after.meetings[0]!.accounts).toEqual(
      ['client.com', 'partner.io'].map((domain) => {
        const a = json.accounts.find((x) => x.domain === domain)!;
        return { domain, health: a.health, activeContacts: a.activeContacts, singleThreaded: a.singleThreaded, asOf: REPORT_AS_OF.toISOString() };
      }),
    );
    expect(withoutAccounts(after)).toEqual(withoutAccounts(before));

    // A stored report that does not read back is passed over: the brief computes its lines.
    await store.putReport(USER, '2026-W48', 'not json');
    expect(readAccountLines('not json')).toBeUndefined();
    const broken = (await buildBrief(store, USER, { now, settings: defaultSettings })).brief;
    expect(broken).toEqual(before);
  });
});
