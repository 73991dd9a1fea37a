import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { briefedMeetingsOn, buildBrief, hasBriefedMeeting } from '#lib/brief/build.ts';
import { briefJsonSchema } from '#lib/brief/schema.ts';
import { InputError } from '#lib/errors.ts';
import { defaultSettings } from '#lib/settings.ts';
import type { Store } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { ME, accepted, daysAgo, mail, meetingWith } from './world.ts';

const ANN = 'ann@partner.io';
const USER = 'u-brief';

describe('buildBrief from the store (dynalite)', () => {
  let db: TestDynamo;
  let store: Store;

  beforeAll(async () => {
    db = await startTestDynamo();
    store = db.store();
    await store.putUser({ userId: USER, email: ME, timeZone: 'Asia/Tokyo', me: [], internalDomains: [], reportsPaused: false, createdAt: '2026-01-01T00:00:00.000Z' });
    await store.putAccount({ userId: USER, accountId: 'acct', provider: 'google', address: ME, aliases: ['me.alias@acme.com'], status: 'active', errorCount: 0, cursors: {}, lastSyncAt: '2026-11-23T21:30:00.000Z' });
    await store.putAccount({ userId: USER, accountId: 'files', provider: 'files', address: 'old@acme.com', aliases: [], status: 'active', errorCount: 0, cursors: {} });
    await store.putItems(USER, [
      mail({ from: ME, to: [ANN], at: daysAgo(10) }),
      mail({ from: ANN, to: ['me.alias@acme.com'], at: daysAgo(2), names: { [ANN]: 'Ann Lee' } }),
      // 23:30 in Tokyo on 24 November: on that Tokyo day, though 14:30 UTC.
      meetingWith('2026-11-24T14:30:00.000Z', [ANN]),
      // 10:00 in Tokyo on 24 November, with a colleague only: not briefed.
      meetingWith('2026-11-24T01:00:00.000Z', ['bob@acme.com']),
      meetingWith('2026-11-24T03:00:00.000Z', [], { attendees: [...accepted(ME), { address: 'nina@new.io', response: 'accepted', name: 'Nina Ode' }] }),
    ]);
  });
  afterAll(async () => {
    await db.close();
  });

  it('builds the person day in their zone, as of 07:00 local, from one Query, and validates', async () => {
    const { user, accounts, brief } = await buildBrief(store, USER, { now: new Date('2026-11-23T23:00:00.000Z'), settings: defaultSettings });
    expect(user.email).toBe(ME);
    expect(accounts).toHaveLength(2);
    expect(briefJsonSchema.parse(brief)).toEqual(brief);
    // 08:00 on the 24th in Tokyo: the local day is the 24th, though UTC still says the 23rd.
    expect(brief).toMatchObject({ user: ME, date: '2026-11-24', timeZone: 'Asia/Tokyo' });
    expect(brief.lastSynced).toEqual([{ account: ME, at: '2026-11-23T21:30:00.000Z' }, { account: 'old@acme.com', at: null }]);
    expect(brief.meetings.map((m) => m.start)).toEqual(['2026-11-24T03:00:00.000Z', '2026-11-24T14:30:00.000Z']);
    expect(brief.meetings[0]!.attendees[0]).toMatchObject({ address: 'nina@new.io', name: 'Nina Ode', known: false });
    // Ann wrote to an alias (a provider alias of the account is Me) after Me wrote to her: owed.
    expect(brief.meetings[1]!.attendees[0]).toMatchObject({ address: ANN, name: 'Ann Lee', known: true, lastDirection: 'received' });
    expect(brief.meetings[1]!.attendees[0]!.owed).toEqual([{ receivedAt: daysAgo(2) }]);
  });

  it('takes an explicit date and asOf, and passes notes and colleagues through', async () => {
    const asOf = new Date('2026-11-24T10:00:00.000Z');
    const { brief } = await buildBrief(store, USER, {
      date: '2026-11-24', asOf, now: new Date('2026-12-01T00:00:00.000Z'), settings: defaultSettings,
      notes: new Map([[ANN, [{ id: 'n1', at: '2026-11-01T00:00:00.000Z', text: 'call before 10' }]]]),
      colleagues: () => [{ name: 'Sam Lee', tier: 'weak', lastInteraction: '2026-10-01' }],
    });
    const ann = brief.meetings.flatMap((m) => m.attendees).find((a) => a.address === ANN)!;
    expect(ann.notes).toEqual([{ id: 'n1', at: '2026-11-01T00:00:00.000Z', text: 'call before 10' }]);
    expect(ann.colleagues).toHaveLength(1);
    // As of 10:00 UTC the 03:00 UTC meeting with Nina has happened: she is known now.
    expect(brief.meetings[0]!.attendees[0]).toMatchObject({ address: 'nina@new.io', known: true, lastDirection: 'meeting' });
  });

  it('tells a scheduler which days have a briefed meeting, without figures', async () => {
    expect(await briefedMeetingsOn(store, USER, '2026-11-24', defaultSettings)).toEqual([
      { start: '2026-11-24T03:00:00.000Z', end: '2026-11-24T03:30:00.000Z', attendees: ['nina@new.io'] },
      { start: '2026-11-24T14:30:00.000Z', end: '2026-11-24T15:00:00.000Z', attendees: [ANN] },
    ]);
    expect(await hasBriefedMeeting(store, USER, '2026-11-24', defaultSettings)).toBe(true);
    expect(await hasBriefedMeeting(store, USER, '2026-11-25', defaultSettings)).toBe(false);
  });

  it('gives a day without a briefed meeting an empty list, and refuses an unknown person', async () => {
    const { brief } = await buildBrief(store, USER, { date: '2026-11-26', now: new Date('2026-11-26T00:00:00.000Z'), settings: defaultSettings });
    expect(brief.meetings).toEqual([]);
    await expect(buildBrief(store, 'nobody', { now: new Date(), settings: defaultSettings })).rejects.toThrow(InputError);
  });
});
