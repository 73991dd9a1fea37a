import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { calendarClient, startCalendarEmulator } from '#test/support/google/calendar-emulator.ts';
import type { CalendarEmulator, CalendarHandlerOptions } from '#test/support/google/calendar-emulator.ts';
import { CalendarState } from '#test/support/google/calendar-state.ts';

/** The Calendar emulator itself, through the real client: the wire behaviour tests lean on. */
describe('Calendar v3 emulator', () => {
  let state: CalendarState;
  let emulator: CalendarEmulator;
  let client: calendar_v3.Calendar;
  const start = async (opts: CalendarHandlerOptions = {}): Promise<void> => {
    emulator = await startCalendarEmulator(state, opts);
    client = calendarClient(emulator.rootUrl);
  };
  const list = (params: calendar_v3.Params$Resource$Events$List) =>
    client.events.list({ calendarId: 'primary', ...params }, { retry: false });
  const failure = async (p: Promise<unknown>): Promise<{ status: number; data: unknown }> => {
    const err = (await p.then(() => null, (e: unknown) => e)) as { response?: { status: number; data: unknown } } | null;
    if (!err?.response) throw new Error('expected an HTTP error');
    return err.response;
  };

  beforeEach(() => {
    state = new CalendarState({ owner: 'me@example.com', clock: new VirtualClock(Date.UTC(2026, 10, 23)) });
    state.addEvent({ id: 'one', summary: 'Board', start: { dateTime: '2026-11-02T10:00:00Z' }, end: { dateTime: '2026-11-02T11:00:00Z' } });
  });
  afterEach(async () => {
    await emulator.close();
  });

  it('expands weekly rules in their zone across DST, with UNTIL and BYDAY', async () => {
    state.addEvent({
      id: 'ny',
      start: { dateTime: '2026-10-26T09:00:00-04:00', timeZone: 'America/New_York' },
      end: { dateTime: '2026-10-26T10:00:00-04:00', timeZone: 'America/New_York' },
      recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20261106T000000Z'],
    });
    await start();
    const { data } = await list({ singleEvents: true, timeMin: '2026-10-01T00:00:00Z' });
    const ny = data.items!.filter((e) => e.recurringEventId === 'ny');
    expect(ny.map((e) => [e.id, e.start?.dateTime])).toEqual([
      ['ny_20261026T130000Z', '2026-10-26T09:00:00-04:00'],
      ['ny_20261029T130000Z', '2026-10-29T09:00:00-04:00'],
      ['ny_20261102T140000Z', '2026-11-02T09:00:00-05:00'],
      ['ny_20261105T140000Z', '2026-11-05T09:00:00-05:00'],
    ]);
    expect(ny[0]).toMatchObject({ iCalUID: 'ny@google.com', originalStartTime: { dateTime: '2026-10-26T09:00:00-04:00' } });
  });

  it('serves nextSyncToken on the last page only, and none with orderBy', async () => {
    for (let i = 0; i < 4; i++) state.addEvent({ id: `e${i}`, start: { date: '2026-11-1' + i }, end: { date: '2026-11-2' + i } });
    await start();
    const first = await list({ singleEvents: true, maxResults: 3 });
    expect(first.data.items).toHaveLength(3);
    expect(first.data.nextSyncToken).toBeUndefined();
    const second = await list({ singleEvents: true, maxResults: 3, pageToken: first.data.nextPageToken! });
    expect(second.data.items).toHaveLength(2);
    expect(second.data.nextPageToken).toBeUndefined();
    expect(second.data.nextSyncToken).toEqual(expect.any(String));
    const ordered = await list({ singleEvents: true, orderBy: 'startTime' });
    expect(ordered.data.nextSyncToken).toBeUndefined();
  });

  it('lists only changes since a sync token, deletions included', async () => {
    await start();
    const token = (await list({ singleEvents: true })).data.nextSyncToken!;
    expect((await list({ singleEvents: true, syncToken: token })).data.items).toEqual([]);
    state.cancelEvent('one');
    const { data } = await list({ singleEvents: true, syncToken: token });
    expect(data.items).toMatchObject([{ id: 'one', status: 'cancelled' }]);
  });

  it('refuses timeMin, timeMax, orderBy and q next to a sync token with a 400', async () => {
    await start();
    const token = (await list({ singleEvents: true })).data.nextSyncToken!;
    for (const extra of [{ timeMin: '2026-01-01T00:00:00Z' }, { timeMax: '2027-01-01T00:00:00Z' }, { orderBy: 'startTime' }, { q: 'x' }]) {
      const res = await failure(list({ singleEvents: true, syncToken: token, ...extra }));
      expect(res.status).toBe(400);
      expect(res.data).toMatchObject({ error: { code: 400, errors: [{ reason: 'invalid', domain: 'global' }] } });
    }
  });

  it('answers 410 fullSyncRequired for an expired token, with Google body', async () => {
    await start();
    const token = (await list({ singleEvents: true })).data.nextSyncToken!;
    state.expireSyncTokens();
    const res = await failure(list({ singleEvents: true, syncToken: token }));
    expect(res.status).toBe(410);
    expect(res.data).toEqual({
      error: {
        code: 410,
        message: 'Sync token is no longer valid, a full sync is required.',
        errors: [{ domain: 'calendar', reason: 'fullSyncRequired', message: 'Sync token is no longer valid, a full sync is required.', locationType: 'parameter', location: 'syncToken' }],
      },
    });
  });

  it('counts requests per user per minute: over quota is 403 rateLimitExceeded (or 429)', async () => {
    await start({ quotaPerWindow: 2 });
    await list({});
    await list({});
    const res = await failure(list({}));
    expect(res.status).toBe(403);
    expect(res.data).toMatchObject({ error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded' }] } });
    (state.clock as VirtualClock).advance(60_000);
    expect((await list({})).status).toBe(200);
    await emulator.close();
    await start({ quotaPerWindow: 0, quotaStatus: 429 });
    expect((await failure(list({}))).status).toBe(429);
  });

  it('applies partial responses: fields leaves titles off the wire', async () => {
    await start();
    expect((await list({})).data.items![0]!.summary).toBe('Board');
    const { data } = await list({ fields: 'nextSyncToken,items(id,start/dateTime)' });
    expect(data).toEqual({ nextSyncToken: expect.any(String), items: [{ id: 'one', start: { dateTime: '2026-11-02T10:00:00Z' } }] });
  });

  it('fails the next requests as told', async () => {
    await start();
    state.failNext(1, 503);
    const res = await failure(list({}));
    expect(res).toMatchObject({ status: 503, data: { error: { errors: [{ reason: 'backendError' }] } } });
    expect((await list({})).status).toBe(200);
  });
});
