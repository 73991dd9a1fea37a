import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIcs } from '#lib/providers/files/ics.ts';
import { GraphCalendarSource } from '#lib/providers/microsoft/calendar.ts';
import type { MeetingItem } from '#lib/items/types.ts';
import type { SourcePage } from '#lib/providers/types.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { createGraphPacer } from '#lib/providers/microsoft/pacer.ts';
import { directPacer } from '#test/support/direct-pacer.ts';
import type { RequestPacer } from '#lib/providers/pacer.ts';
import { startMsWorld, MAILBOX, type MsWorld } from './ms-harness.ts';

const AS_OF = new Date('2026-11-23T07:00:00Z');
const SERIES_UID = 'weekly-sync-7f3a@example.com';
const PARTNER = 'pat@partner.example';

let world: MsWorld;
let seriesId: string;
let single: string;

beforeAll(async () => {
  world = await startMsWorld(clock);
  const cal = world.calendar;
  // Weekly, 8 occurrences from 2026-10-05 09:00Z; the third moved by an hour with Pat declining.
  seriesId = cal.add({
    uid: SERIES_UID,
    start: '2026-10-05T09:00:00Z',
    end: '2026-10-05T09:30:00Z',
    organizer: MAILBOX,
    isOrganizer: true,
    recurrence: { everyDays: 7, count: 8 },
    attendees: [
      { address: PARTNER, response: 'accepted' },
      { address: 'lee@partner.example', response: 'tentativelyAccepted' },
      { address: 'room-4@contoso.example', type: 'resource', response: 'accepted' },
    ],
  });
  cal.patch(cal.instanceId(seriesId, '2026-10-19T09:00:00Z'), {
    start: '2026-10-19T10:00:00Z',
    end: '2026-10-19T10:30:00Z',
    attendees: [{ address: PARTNER, response: 'declined' }, { address: 'lee@partner.example', response: 'notResponded' }],
  });
  // An Outlook-native meeting, organized by Pat.
  single = cal.add({ start: '2026-11-02T15:00:00Z', end: '2026-11-02T16:00:00Z', organizer: PARTNER, attendees: [{ address: MAILBOX, response: 'accepted' }] });
  // Outside the window: 2 years ago, and 6 months ahead.
  cal.add({ start: '2024-11-01T10:00:00Z', end: '2024-11-01T11:00:00Z', organizer: PARTNER });
  cal.add({ start: '2027-05-01T10:00:00Z', end: '2027-05-01T11:00:00Z', organizer: PARTNER });
});
afterAll(() => world.close());

const clock = new VirtualClock(AS_OF.getTime());

function source(asOf = AS_OF, pageSize = 3, pacer: RequestPacer = directPacer): GraphCalendarSource {
  return new GraphCalendarSource({ client: world.client, accountId: 'acct-ms', pacer, asOf, pageSize });
}

async function drain(src: GraphCalendarSource, cursor?: string): Promise<SourcePage[]> {
  const pages: SourcePage[] = [];
  for await (const page of src.pages(cursor)) pages.push(page);
  return pages;
}

function items(pages: SourcePage[]): MeetingItem[] {
  return pages.flatMap((p) => p.items as MeetingItem[]);
}

let backfillCursor = '';

describe('GraphCalendarSource backfill', () => {
  it('reads every instance in the window through nextLinks to a deltaLink, keyed like the ics importer', async () => {
    const before = world.calendar.deltaRequests.length;
    const pages = await drain(source());
    const got = items(pages);
    expect(got).toHaveLength(9); // 8 occurrences + 1 single; nothing outside the window
    expect(pages.map((p) => p.done)).toEqual([false, false, true]);
    const requests = world.calendar.deltaRequests.slice(before);
    expect(requests).toHaveLength(3);
    expect(requests[0]).toContain('startDateTime=2025-10-19T07:00:00.000Z&endDateTime=2027-02-21T07:00:00.000Z');
    expect(requests.slice(1).every((r) => r.includes('$skiptoken='))).toBe(true);
    expect(requests.some((r) => /select/i.test(r))).toBe(false);
    const last = JSON.parse(pages.at(-1)!.cursor) as { phase: string; link: { kind: string; url: string } };
    expect(last).toMatchObject({ phase: 'incremental', link: { kind: 'delta' } });
    expect(last.link.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/me\/calendarView\/delta\?\$deltatoken=/);
    backfillCursor = pages.at(-1)!.cursor;

    const moved = got.find((i) => i.start === '2026-10-19T10:00:00.000Z')!;
    expect(moved.occurrenceKey).toBe(`${SERIES_UID}#2026-10-19T09:00:00.000Z`);
    expect(moved.attendees).toEqual([{ address: PARTNER, name: 'pat', response: 'declined' }, { address: 'lee@partner.example', name: 'lee', response: 'needsAction' }]);
    const first = got.find((i) => i.start === '2026-10-05T09:00:00.000Z')!;
    expect(first).toMatchObject({ source: 'graph-calendar', accountId: 'acct-ms', end: '2026-10-05T09:30:00.000Z', status: 'confirmed', organizer: MAILBOX });
    expect(first.attendees.map((a) => [a.address, a.response])).toEqual([[PARTNER, 'accepted'], ['lee@partner.example', 'tentative']]);
    const keys = new Set(got.filter((i) => i.occurrenceKey?.startsWith(SERIES_UID)).map((i) => i.occurrenceKey));
    expect(keys.size).toBe(8);
    const native = got.find((i) => i.providerId === single)!;
    expect(native.occurrenceKey).toMatch(/^040000008200e00074c5b7101a82e00800000000[0-9a-f]+#2026-11-02T15:00:00\.000Z$/);
    expect(native.organizer).toBe(PARTNER);
    expect(pages.flatMap((p) => p.aliases ?? [])).toContain(MAILBOX);
    expect(JSON.stringify(pages)).not.toMatch(/confidential|secret plan|Room 4/);
  });

  it('gives the occurrences of a series the keys the ics importer gives the same series', () => {
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN',
      'BEGIN:VEVENT', `UID:${SERIES_UID}`, 'DTSTART:20261005T090000Z', 'DTEND:20261005T093000Z', 'RRULE:FREQ=WEEKLY;COUNT=8',
      `ORGANIZER:mailto:${MAILBOX}`, 'SUMMARY:x', 'END:VEVENT',
      'BEGIN:VEVENT', `UID:${SERIES_UID}`, 'RECURRENCE-ID:20261019T090000Z', 'DTSTART:20261019T100000Z', 'DTEND:20261019T103000Z',
      `ORGANIZER:mailto:${MAILBOX}`, 'SUMMARY:x', 'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const fromIcs = parseIcs(ics, 'series.ics', { accountId: 'files', expandUntil: new Date('2027-01-01T00:00:00Z') });
    const icsKeys = fromIcs.map((i) => `${i.occurrenceKey}@${i.start}`).sort();
    return drain(source(AS_OF, 50)).then((pages) => {
      const graphKeys = items(pages).filter((i) => i.occurrenceKey?.startsWith(SERIES_UID)).map((i) => `${i.occurrenceKey}@${i.start}`).sort();
      expect(graphKeys).toEqual(icsKeys);
    });
  });
});

describe('GraphCalendarSource incremental', () => {
  it('an idle pass is one request with no changes', async () => {
    const before = world.calendar.deltaRequests.length;
    const pages = await drain(source(), backfillCursor);
    expect(world.calendar.deltaRequests.length - before).toBe(1);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ items: [], removed: [], done: true });
    backfillCursor = pages[0]!.cursor;
  });

  it('brings a changed response, a cancelled occurrence and a deleted one (as removed)', async () => {
    const cal = world.calendar;
    const cancelled = cal.instanceId(seriesId, '2026-11-09T09:00:00Z');
    const deleted = cal.instanceId(seriesId, '2026-11-16T09:00:00Z');
    cal.patch(single, { attendees: [{ address: MAILBOX, response: 'declined' }] });
    cal.patch(cancelled, { isCancelled: true });
    cal.patch(deleted, { deleted: true });
    const pages = await drain(source(), backfillCursor);
    const got = items(pages);
    expect(got.map((i) => i.providerId).sort()).toEqual([cancelled, single].sort());
    expect(got.find((i) => i.providerId === cancelled)).toMatchObject({ status: 'cancelled', occurrenceKey: `${SERIES_UID}#2026-11-09T09:00:00.000Z` });
    expect(got.find((i) => i.providerId === single)!.attendees).toEqual([{ address: MAILBOX, name: 'ada', response: 'declined' }]);
    expect(pages.flatMap((p) => p.removed)).toEqual([deleted]);
    expect(pages.at(-1)!.done).toBe(true);
    backfillCursor = pages.at(-1)!.cursor;
  });

  it('restarts a full pass over a fresh window when the delta token expired (410 syncStateNotFound)', async () => {
    world.calendar.expireTokens();
    const before = world.calendar.deltaRequests.length;
    const pages = await drain(source(AS_OF, 50), backfillCursor);
    const requests = world.calendar.deltaRequests.slice(before);
    expect(requests).toHaveLength(2);
    expect(requests[0]).toContain('$deltatoken=');
    expect(requests[1]).toContain('startDateTime=');
    expect(items(pages)).toHaveLength(8); // the deleted occurrence is gone; the cancelled one stays, cancelled
    expect(pages.at(-1)!.done).toBe(true);
    backfillCursor = pages.at(-1)!.cursor;
  });

  it('re-baselines an aged window: the old deltaLink once more, then a full pass over a fresh window', async () => {
    const later = new Date(AS_OF.getTime() + 50 * 86_400_000); // 40 of 90 days ahead left
    const cal = world.calendar;
    cal.patch(cal.instanceId(seriesId, '2026-11-23T09:00:00Z'), { attendees: [{ address: PARTNER, response: 'tentativelyAccepted' }] });
    const before = cal.deltaRequests.length;
    const pages = await drain(source(later, 50), backfillCursor);
    const requests = cal.deltaRequests.slice(before);
    expect(requests[0]).toContain('$deltatoken=');
    expect(requests[1]).toContain('startDateTime=2025-12-08T07:00:00.000Z');
    expect(pages[0]!.items).toHaveLength(1); // the change made before the switch is not lost
    expect(pages[0]!.done).toBe(false);
    const final = JSON.parse(pages.at(-1)!.cursor) as { end: string; phase: string };
    expect(final).toMatchObject({ phase: 'incremental', end: '2027-04-12T07:00:00.000Z' });
    // A window that has not aged keeps its deltaLink.
    const again = await drain(source(later, 50), pages.at(-1)!.cursor);
    expect(cal.deltaRequests.length - before).toBe(requests.length + 1);
    expect(again[0]!.done).toBe(true);
  });

  it('honours Retry-After on a throttled delta request through the Graph pacer', async () => {
    world.server.fault({ path: '/me/calendarView/delta', status: 429, retryAfter: 7 });
    const pacer = createGraphPacer({ clock, random: () => 0.5 });
    const before = world.server.count('/calendarView/delta');
    const pages = await drain(source(AS_OF, 50, pacer));
    expect(clock.slept).toContain(7000);
    const tries = world.server.requests.filter((r) => r.path.includes('/calendarView/delta')).slice(before);
    expect(tries.map((r) => r.status)).toEqual([429, 200]);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(7000);
    expect(tries[0]!.prefer).toContain('odata.maxpagesize=50');
    expect(items(pages)).toHaveLength(8);
  });

  it('the emulator refuses $select on calendarView delta, as Graph does', async () => {
    const err = await world.client.api('/me/calendarView/delta').query({ startDateTime: '2026-01-01T00:00:00Z', endDateTime: '2026-02-01T00:00:00Z' }).select('id').get().catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, code: 'ErrorInvalidUrlQuery' });
  });
});
