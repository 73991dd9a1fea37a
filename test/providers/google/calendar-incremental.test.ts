import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '#lib/errors.ts';
import { GCAL_QUOTA } from '#lib/providers/google/quota.ts';
import { createGooglePacer } from '#lib/providers/google/pacer.ts';
import { AS_OF, OWNER, applyPages, drain, lastCursor, startRig } from './calendar-fixture.ts';
import type { CalendarRig } from './calendar-fixture.ts';

const DAY_MS = 86_400_000;

describe('GoogleCalendarSource incremental sync', () => {
  let rig: CalendarRig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.close();
  });

  it('an idle pass is exactly one request, with no items', async () => {
    const cursor = lastCursor(await drain(rig.source()));
    const before = rig.emulator.eventListRequests().length;
    const pages = await drain(rig.source(), cursor);
    expect(rig.emulator.eventListRequests().length - before).toBe(1);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ items: [], removed: [], done: true });
    const request = rig.emulator.eventListRequests().at(-1)!;
    expect(request.get('syncToken')).toBe(JSON.parse(cursor).syncToken);
    expect(request.has('timeMin')).toBe(false);
  });

  it('brings a new meeting and a cancelled occurrence, which overwrites the stored one', async () => {
    const full = await drain(rig.source());
    const store = applyPages(full);
    expect(store.get('acct-1:weeklysync_20261116T150000Z')?.status).toBe('confirmed');

    rig.state.addEvent({
      id: 'newmeet',
      start: { dateTime: '2026-11-24T15:00:00Z' },
      end: { dateTime: '2026-11-24T15:45:00Z' },
      attendees: [{ email: OWNER, responseStatus: 'accepted' }, { email: 'gus@newco.com', responseStatus: 'accepted' }],
    });
    rig.state.cancelEvent('weeklysync_20261116T150000Z');
    const pages = await drain(rig.source(), lastCursor(full));
    const items = pages.flatMap((p) => p.items);
    expect(items.map((i) => i.providerId).sort()).toEqual(['newmeet', 'weeklysync_20261116T150000Z']);
    applyPages(pages, store);
    expect(store.get('acct-1:weeklysync_20261116T150000Z')).toMatchObject({ status: 'cancelled', start: '2026-11-16T15:00:00.000Z' });
    expect(store.get('acct-1:newmeet')).toMatchObject({ status: 'confirmed', occurrenceKey: 'newmeet@google.com#2026-11-24T15:00:00.000Z' });
    // The next idle pass sees nothing again.
    expect((await drain(rig.source(), lastCursor(pages)))[0]!.items).toEqual([]);
  });

  it('cancelling a whole series cancels every occurrence', async () => {
    const full = await drain(rig.source());
    rig.state.cancelEvent('weeklysync');
    const pages = await drain(rig.source(), lastCursor(full));
    const items = [...applyPages(pages).values()];
    expect(items).toHaveLength(10);
    expect(new Set(items.map((i) => i.status))).toEqual(new Set(['cancelled']));
  });

  it('a deletion sent without any time is reported as removed', async () => {
    await rig.close();
    rig = await startRig();
    Object.assign(rig.state, { minimalDeletions: true });
    const full = await drain(rig.source());
    rig.state.cancelEvent('dentist');
    const [page] = await drain(rig.source(), lastCursor(full));
    expect(page).toMatchObject({ items: [], removed: ['dentist'], done: true });
  });

  it('pages an incremental pass and keeps the sync token while paging', async () => {
    const full = await drain(rig.source());
    for (let i = 0; i < 5; i++) {
      rig.state.addEvent({ id: `n${i}`, start: { dateTime: `2026-11-2${i}T10:00:00Z` }, end: { dateTime: `2026-11-2${i}T11:00:00Z` } });
    }
    const pages = await drain(rig.source({ pageSize: 2 }), lastCursor(full));
    expect(pages).toHaveLength(3);
    expect(JSON.parse(pages[0]!.cursor)).toMatchObject({ phase: 'incremental', syncToken: JSON.parse(lastCursor(full)).syncToken, pageToken: expect.any(String) });
    expect(pages.flatMap((p) => p.items.map((i) => i.providerId)).sort()).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
    // Resuming from the middle page finishes the same pass.
    const resumed = await drain(rig.source({ pageSize: 2 }), pages[0]!.cursor);
    expect(resumed.flatMap((p) => p.items.map((i) => i.providerId))).toEqual(pages.slice(1).flatMap((p) => p.items.map((i) => i.providerId)));
  });

  it('410 restarts a full sync by itself, and the store then equals a clean sync', async () => {
    const full = await drain(rig.source());
    const store = applyPages(full);
    // While the token is dead: an occurrence is cancelled, another is moved, a meeting is added.
    rig.state.expireSyncTokens();
    rig.state.cancelEvent('weeklysync_20261123T150000Z');
    rig.state.updateEvent('paris1', { start: { dateTime: '2026-11-11T12:30:00+01:00' }, end: { dateTime: '2026-11-11T13:30:00+01:00' } });
    rig.state.addEvent({ id: 'late', start: { dateTime: '2026-11-20T10:00:00Z' }, end: { dateTime: '2026-11-20T11:00:00Z' } });

    const before = rig.emulator.server.requests.length;
    const pages = await drain(rig.source(), lastCursor(full));
    const statuses = rig.emulator.server.requests.slice(before).map((r) => r.status);
    expect(statuses).toEqual([410, 200]);
    expect(JSON.parse(lastCursor(pages))).toMatchObject({ phase: 'incremental' });
    applyPages(pages, store);

    const clean = applyPages(await drain(rig.source()));
    expect(store).toEqual(clean);
    expect(store.get('acct-1:weeklysync_20261123T150000Z')?.status).toBe('cancelled');
    expect(store.get('acct-1:paris1')?.start).toBe('2026-11-11T11:30:00.000Z');
  });

  it('gives up with ProviderUnavailableError when even a fresh full sync answers 410', async () => {
    const full = await drain(rig.source());
    rig.state.expireSyncTokens();
    rig.state.failNext(2, 410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.');
    await expect(drain(rig.source(), lastCursor(full))).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('re-baselines with a full sync once less than half the lookahead is left', async () => {
    const cursor = lastCursor(await drain(rig.source()));
    await drain(rig.source({ asOf: new Date(AS_OF.getTime() + 44 * DAY_MS) }), cursor);
    expect(rig.emulator.eventListRequests().at(-1)!.has('syncToken')).toBe(true);
    await drain(rig.source({ asOf: new Date(AS_OF.getTime() + 46 * DAY_MS) }), cursor);
    const last = rig.emulator.eventListRequests().at(-1)!;
    expect(last.has('syncToken')).toBe(false);
    expect(last.get('timeMin')).toBe(new Date(AS_OF.getTime() + 46 * DAY_MS - 400 * DAY_MS).toISOString());
  });

  it('starts over from a cursor it cannot read', async () => {
    const pages = await drain(rig.source(), '{"phase":"weird"}');
    expect(rig.emulator.eventListRequests()[0]!.has('timeMin')).toBe(true);
    expect(pages.at(-1)!.done).toBe(true);
  });
});

describe('GoogleCalendarSource under quota and faults, with the Google pacer', () => {
  let rig: CalendarRig;
  afterEach(async () => {
    await rig.close();
  });

  it('stays under a small per-user quota without a single refusal', async () => {
    // GCAL_QUOTA's 600 a minute, scaled down to 10 so a few requests cross windows.
    rig = await startRig({ quotaPerWindow: 10, quotaWindowMs: 60_000 });
    const pacer = createGooglePacer({ clock: rig.clock, quota: { ...GCAL_QUOTA, limit: 10 }, utilization: 0.8, random: () => 0.5, concurrency: 1 });
    const pages = await drain(rig.source({ pacer, pageSize: 1 }));
    expect(pages.length).toBe(15);
    expect(rig.emulator.handler.quota.refusals).toBe(0);
    expect(rig.clock.now() - AS_OF.getTime()).toBeGreaterThanOrEqual(60_000);
  });

  it('retries a throttling storm (403 and 429 rateLimitExceeded) and 503s to the same result', async () => {
    rig = await startRig();
    const clean = applyPages(await drain(rig.source()));
    const pacer = createGooglePacer({ clock: rig.clock, quota: GCAL_QUOTA, random: () => 0.5 });
    rig.state.failNext(2, 403, 'rateLimitExceeded');
    rig.state.failNext(2, 429, 'rateLimitExceeded');
    rig.state.failNext(1, 503);
    const pages = await drain(rig.source({ pacer, pageSize: 5 }));
    expect(applyPages(pages)).toEqual(clean);
    const statuses = rig.emulator.server.requests.map((r) => r.status).slice(1);
    expect(statuses.slice(0, 5)).toEqual([403, 403, 429, 429, 503]);
  });
});
