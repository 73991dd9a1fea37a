import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { briefStop, dispatchBriefs } from '#lib/brief/dispatch.ts';
import { briefJobSchema, type BriefJob } from '#lib/queue/jobs.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import type { User } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import { ME, meetingWith } from './world.ts';

/**
 * Who the hourly brief tick picks (DESIGN section 9, Delivery): people at the brief hour
 * in their own zone, with a briefed meeting that local day, briefs on, not paused, not
 * unsubscribed.
 */
let db: TestDynamo;
let store: DynamoStore;

const base: Omit<User, 'userId' | 'timeZone'> = { email: ME, me: [], internalDomains: [], reportsPaused: false, createdAt: '2026-01-01T00:00:00.000Z' };
/** A meeting at 10:00 Paris (09:00Z) on Tuesday 24 Nov with an external attendee. */
const PARIS_MEETING = () => meetingWith('2026-11-24T09:00:00.000Z', ['ann@partner.io']);
/** 10:00 in Tokyo on 24 Nov (01:00Z). */
const TOKYO_MEETING = () => meetingWith('2026-11-24T01:00:00.000Z', ['ken@client.jp']);

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  const people: Array<[string, string, Partial<User>, ReturnType<typeof meetingWith>[]]> = [
    ['paris', 'Europe/Paris', {}, [PARIS_MEETING()]],
    ['tokyo', 'Asia/Tokyo', {}, [TOKYO_MEETING()]],
    // Only a colleague at the meeting (acme.com is Me's organization): nothing to brief.
    ['paris-internal', 'Europe/Paris', {}, [meetingWith('2026-11-24T09:00:00.000Z', ['bob@acme.com'])]],
    // A meeting the day after: not this day's brief.
    ['paris-tomorrow', 'Europe/Paris', {}, [meetingWith('2026-11-25T09:00:00.000Z', ['ann@partner.io'])]],
    ['paris-off', 'Europe/Paris', { briefsOff: true }, [PARIS_MEETING()]],
    ['paris-paused', 'Europe/Paris', { reportsPaused: true }, [PARIS_MEETING()]],
    // Unsubscribed still listed by the schedule index (a profile written without the pause): the dispatcher reads the profile.
    ['paris-unsubscribed', 'Europe/Paris', { unsubscribedAt: '2026-11-20T10:00:00.000Z' }, [PARIS_MEETING()]],
    // New York springs forward on Sunday 8 March 2026: meetings that day and the day before.
    ['newyork', 'America/New_York', {}, [meetingWith('2026-03-07T15:00:00.000Z', ['ann@partner.io']), meetingWith('2026-03-08T14:00:00.000Z', ['ann@partner.io'])]],
  ];
  for (const [userId, timeZone, extra, items] of people) {
    await store.putUser({ ...base, userId, timeZone, ...extra });
    await store.putAccount({ userId, accountId: 'cal', provider: 'google', address: ME, aliases: [], status: 'active', errorCount: 0, cursors: {}, lastSyncAt: '2026-11-23T20:00:00.000Z' });
    await store.putItems(userId, items);
  }
});
afterAll(async () => db.close());

async function tick(iso: string, briefHour?: number): Promise<BriefJob[]> {
  const queue = new MemoryQueue<BriefJob>();
  await dispatchBriefs({ store, queue, now: new Date(iso), ...(briefHour === undefined ? {} : { briefHour }) });
  for (const job of queue.sent) briefJobSchema.parse(job);
  return [...queue.sent].sort((a, b) => a.userId.localeCompare(b.userId));
}

describe('dispatchBriefs', () => {
  it('at 07:00 Paris (06:00Z) picks the Paris person with a meeting that day, as of 07:00 local', async () => {
    expect(await tick('2026-11-24T06:00:00.000Z')).toEqual([{ v: 1, userId: 'paris', date: '2026-11-24', asOf: '2026-11-24T06:00:00.000Z' }]);
  });

  it('picks nobody in Paris at 06:00 or 08:00 local', async () => {
    expect(await tick('2026-11-24T05:00:00.000Z')).toEqual([]);
    expect(await tick('2026-11-24T07:00:00.000Z')).toEqual([]);
  });

  it('serves Tokyo at its own 07:00 (22:00Z the day before), for its local date; the same UTC hour is 23:00 in Paris', async () => {
    const jobs = await tick('2026-11-23T22:00:00.000Z');
    expect(jobs).toEqual([{ v: 1, userId: 'tokyo', date: '2026-11-24', asOf: '2026-11-23T22:00:00.000Z' }]);
    // At Paris's 07:00 it is 15:00 in Tokyo: Tokyo is not picked again.
    expect((await tick('2026-11-24T06:00:00.000Z')).map((j) => j.userId)).toEqual(['paris']);
  });

  it('picks nobody without a briefed meeting that day: colleagues only, or the meeting is tomorrow', async () => {
    const queue = new MemoryQueue<BriefJob>();
    const result = await dispatchBriefs({ store, queue, now: new Date('2026-11-24T06:00:00.000Z') });
    expect(queue.sent.map((j) => j.userId)).toEqual(['paris']);
    // Listed by the index: paris, the two without a meeting, briefs off, unsubscribed (paused is not indexed).
    expect(result).toMatchObject({ listed: 5, jobs: 1, skipped: { noMeeting: 2, stopped: 2, gone: 0 } });
    expect(result.zones.find((z) => z.timeZone === 'Europe/Paris')).toEqual({ timeZone: 'Europe/Paris', date: '2026-11-24' });
    // The next day, the meeting of "paris-tomorrow" is that day's.
    expect((await tick('2026-11-25T06:00:00.000Z')).map((j) => j.userId)).toEqual(['paris-tomorrow']);
  });

  it('skips briefs off, paused and unsubscribed people, though they have a meeting', async () => {
    const picked = (await tick('2026-11-24T06:00:00.000Z')).map((j) => j.userId);
    expect(picked).not.toContain('paris-off');
    expect(picked).not.toContain('paris-paused');
    expect(picked).not.toContain('paris-unsubscribed');
    expect(briefStop({ briefsOff: true, reportsPaused: false })).toBe('briefs-off');
    expect(briefStop({ reportsPaused: true })).toBe('paused');
    expect(briefStop({ reportsPaused: true, unsubscribedAt: '2026-11-20T10:00:00.000Z' })).toBe('unsubscribed');
    expect(briefStop({ reportsPaused: false, briefsOff: false })).toBeUndefined();
  });

  it('honours another brief hour (as of that hour) and refuses an impossible one', async () => {
    expect(await tick('2026-11-24T05:00:00.000Z', 6)).toEqual([{ v: 1, userId: 'paris', date: '2026-11-24', asOf: '2026-11-24T05:00:00.000Z' }]);
    expect(await tick('2026-11-24T06:00:00.000Z', 6)).toEqual([]);
    await expect(tick('2026-11-24T06:00:00.000Z', 24)).rejects.toThrow(/briefHour/);
  });

  it('follows the person\'s clock across a DST change: New York at 07:00 EST (12:00Z), then 07:00 EDT (11:00Z) the next day', async () => {
    expect(await tick('2026-03-07T12:00:00.000Z')).toEqual([{ v: 1, userId: 'newyork', date: '2026-03-07', asOf: '2026-03-07T12:00:00.000Z' }]);
    expect(await tick('2026-03-08T12:00:00.000Z')).toEqual([]);
    expect(await tick('2026-03-08T11:00:00.000Z')).toEqual([{ v: 1, userId: 'newyork', date: '2026-03-08', asOf: '2026-03-08T11:00:00.000Z' }]);
  });

  it('a tick late in the hour gives the same jobs (asOf is the brief hour, not the tick)', async () => {
    expect(await tick('2026-11-24T06:41:07.000Z')).toEqual(await tick('2026-11-24T06:00:00.000Z'));
  });
});
