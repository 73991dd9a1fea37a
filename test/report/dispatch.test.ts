import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import { reportJobSchema, type ReportJob } from '#lib/queue/jobs.ts';
import { dispatchReports, floorToHour, zonesDueForReport } from '#lib/report/dispatch.ts';
import { localIsoWeek, previousIsoWeek } from '#lib/time/weeks.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import type { User } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';

let db: TestDynamo;
let store: DynamoStore;

const base: Omit<User, 'userId' | 'timeZone'> = {
  email: 'x@example.com',
  me: [],
  internalDomains: [],
  reportsPaused: false,
  createdAt: '2026-01-01T00:00:00.000Z',
};

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  const users: Array<[string, string, boolean?]> = [
    ['paris', 'Europe/Paris'],
    ['paris-paused', 'Europe/Paris', true],
    ['berlin', 'Europe/Berlin'],
    ['newyork', 'America/New_York'],
    ['tokyo', 'Asia/Tokyo'],
    ['kolkata', 'Asia/Kolkata'],
    ['utc', 'UTC'],
  ];
  for (const [userId, timeZone, paused] of users) await store.putUser({ ...base, userId, timeZone, reportsPaused: paused ?? false });
});
afterAll(async () => db.close());

async function tick(iso: string, reportHour = 7): Promise<ReportJob[]> {
  const queue = new MemoryQueue<ReportJob>();
  await dispatchReports({ store, queue, now: new Date(iso), reportHour });
  for (const job of queue.sent) reportJobSchema.parse(job);
  return [...queue.sent].sort((a, b) => a.userId.localeCompare(b.userId));
}

describe('dispatchReports', () => {
  it('at 06:00Z on a November Monday enqueues the Paris and Berlin users (07:00 local), not New York or Tokyo', async () => {
    const jobs = await tick('2026-11-23T06:00:00.000Z');
    expect(jobs).toEqual([
      { v: 1, userId: 'berlin', week: '2026-W48', asOf: '2026-11-23T06:00:00.000Z' },
      { v: 1, userId: 'paris', week: '2026-W48', asOf: '2026-11-23T06:00:00.000Z' },
    ]);
  });

  it('serves Tokyo on Sunday evening UTC, with the week of its local Monday', async () => {
    const jobs = await tick('2026-11-22T22:00:00.000Z');
    expect(jobs).toEqual([{ v: 1, userId: 'tokyo', week: '2026-W48', asOf: '2026-11-22T22:00:00.000Z' }]);
  });

  it('serves New York at 12:00Z and floors a late tick to the hour', async () => {
    expect(await tick('2026-11-23T12:04:31.250Z')).toEqual([
      { v: 1, userId: 'newyork', week: '2026-W48', asOf: '2026-11-23T12:00:00.000Z' },
    ]);
  });

  it('serves a half-hour zone at the tick inside its local 07:xx (Kolkata 07:30 = 02:00Z) and UTC users at 07:00Z', async () => {
    expect((await tick('2026-11-23T01:00:00.000Z')).map((j) => j.userId)).toEqual([]);
    expect((await tick('2026-11-23T02:00:00.000Z')).map((j) => j.userId)).toEqual(['kolkata']);
    expect((await tick('2026-11-23T07:00:00.000Z')).map((j) => j.userId)).toEqual(['utc']);
  });

  it('follows daylight saving time: Paris is due at 05:00Z in summer', async () => {
    expect((await tick('2026-06-01T05:00:00.000Z')).map((j) => j.userId)).toEqual(['berlin', 'paris']);
  });

  it('honours another report hour and refuses an impossible one', async () => {
    expect((await tick('2026-11-23T08:00:00.000Z', 9)).map((j) => j.userId)).toEqual(['berlin', 'paris']);
    await expect(tick('2026-11-23T08:00:00.000Z', 24)).rejects.toThrow(/reportHour/);
  });
});

describe('zonesDueForReport', () => {
  it('makes every zone due at exactly one hourly tick of the week', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Eucla', 'Pacific/Kiritimati', 'UTC'];
    const seen = new Map<string, number>();
    const start = Date.parse('2026-11-20T00:00:00Z');
    for (let h = 0; h < 24 * 8; h += 1) {
      for (const z of zonesDueForReport(new Date(start + h * 3_600_000), 7, zones)) seen.set(z.timeZone, (seen.get(z.timeZone) ?? 0) + 1);
    }
    for (const z of zones) expect(seen.get(z), z).toBe(1);
  });
});

describe('week arithmetic', () => {
  it('computes the local ISO week and the week before it, across a year end', () => {
    expect(localIsoWeek(new Date('2026-11-22T22:00:00Z'), 'Asia/Tokyo')).toBe('2026-W48');
    expect(localIsoWeek(new Date('2026-11-22T22:00:00Z'), 'UTC')).toBe('2026-W47');
    expect(previousIsoWeek('2026-W48')).toBe('2026-W47');
    expect(previousIsoWeek('2027-W01')).toBe('2026-W53');
    expect(previousIsoWeek('2026-W01')).toBe('2025-W52');
    expect(floorToHour(new Date('2026-11-23T07:59:59.999Z')).toISOString()).toBe('2026-11-23T07:00:00.000Z');
  });
});
