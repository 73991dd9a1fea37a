import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseIcs } from '#lib/providers/files/ics.ts';
import type { MeetingItem } from '#lib/items/types.ts';
import { AS_OF, OWNER, SECRET_TITLE, SERIES_ICS, SERIES_UID, applyPages, drain, lastCursor, startRig } from './calendar-fixture.ts';
import type { CalendarRig } from './calendar-fixture.ts';

describe('GoogleCalendarSource full sync', () => {
  let rig: CalendarRig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.close();
  });

  const byId = (items: MeetingItem[]): Map<string, MeetingItem> => new Map(items.map((i) => [i.providerId, i]));
  const itemsOf = async (): Promise<MeetingItem[]> => [...applyPages(await drain(rig.source())).values()];

  it('keys every occurrence of a recurring series exactly as the ics importer does', async () => {
    const items = await itemsOf();
    const series = items.filter((i) => i.occurrenceKey?.startsWith(SERIES_UID.toLowerCase()));
    const ics = parseIcs(SERIES_ICS, 'takeout.ics', { accountId: 'takeout', expandUntil: new Date('2027-01-01T00:00:00Z') });
    expect(ics).toHaveLength(9);
    const fromIcs = ics.map((i) => [i.occurrenceKey, i.start, i.end]).sort();
    const fromGoogle = series.filter((i) => i.status !== 'cancelled').map((i) => [i.occurrenceKey, i.start, i.end]).sort();
    expect(fromGoogle).toEqual(fromIcs);
    // The DST change moves the UTC time, not the wall clock.
    expect(byId(items).get('weeklysync_20261026T140000Z')?.start).toBe('2026-10-26T14:00:00.000Z');
    expect(byId(items).get('weeklysync_20261109T150000Z')?.start).toBe('2026-11-09T15:00:00.000Z');
  });

  it('keeps the original start in the key of a moved occurrence and its instance id', async () => {
    const moved = byId(await itemsOf()).get('weeklysync_20261019T140000Z')!;
    expect(moved).toMatchObject({
      source: 'gcal',
      accountId: 'acct-1',
      start: '2026-10-20T18:00:00.000Z',
      end: '2026-10-20T18:30:00.000Z',
      occurrenceKey: 'weekly-sync@example.com#2026-10-19T14:00:00.000Z',
      status: 'confirmed',
    });
  });

  it('returns a cancelled occurrence as a cancelled item under its instance id', async () => {
    const cancelled = byId(await itemsOf()).get('weeklysync_20261102T150000Z')!;
    expect(cancelled).toMatchObject({ status: 'cancelled', start: '2026-11-02T15:00:00.000Z', attendees: [] });
  });

  it('maps organizer, responses and names, and leaves rooms out', async () => {
    const items = byId(await itemsOf());
    expect(items.get('weeklysync_20261005T140000Z')).toMatchObject({
      organizer: OWNER,
      attendees: [
        { address: OWNER, response: 'accepted' },
        { address: 'ann@acme.com', name: 'Ann Lee', response: 'accepted' },
        { address: 'bob@acme.com', response: 'declined' },
      ],
    });
    expect(items.get('paris1')).toMatchObject({
      organizer: 'claire@client.fr',
      start: '2026-11-10T11:30:00.000Z',
      end: '2026-11-10T13:00:00.000Z',
      occurrenceKey: 'paris1@google.com#2026-11-10T11:30:00.000Z',
      attendees: [{ address: 'claire@client.fr', response: 'accepted' }, { address: OWNER, response: 'tentative' }],
    });
    expect(items.get('declined1')?.attendees).toContainEqual({ address: OWNER, response: 'declined' });
  });

  it('keeps a personal entry without attendees, reads all-day dates as 00:00 UTC, skips working location', async () => {
    const skipped: string[] = [];
    const items = byId([...applyPages(await drain(rig.source({ onSkip: (r) => skipped.push(r) }))).values()]);
    expect(items.get('dentist')).toMatchObject({ organizer: OWNER, attendees: [], status: 'confirmed' });
    expect(items.get('offsite')).toMatchObject({ start: '2026-11-16T00:00:00.000Z', end: '2026-11-18T00:00:00.000Z' });
    expect(items.has('wfh')).toBe(false);
    expect(skipped).toEqual(['event wfh: workingLocation is not a meeting']);
  });

  it('never stores a title or description, and asks Google for none', async () => {
    const pages = await drain(rig.source());
    expect(JSON.stringify(pages)).not.toContain(SECRET_TITLE);
    expect(JSON.stringify(pages)).not.toMatch(/secret numbers|Dentist|Lunch/);
    const [request] = rig.emulator.eventListRequests();
    expect(request!.get('fields')).not.toMatch(/summary|description|location/);
  });

  it('asks for one expanded row per occurrence from 400 days back, no timeMax, with deletions', async () => {
    await drain(rig.source());
    const [request] = rig.emulator.eventListRequests();
    expect(Object.fromEntries(request!)).toMatchObject({
      singleEvents: 'true',
      showDeleted: 'true',
      maxResults: '2500',
      timeMin: new Date(AS_OF.getTime() - 400 * 86_400_000).toISOString(),
    });
    expect(request!.has('timeMax')).toBe(false);
    expect(request!.has('orderBy')).toBe(false);
  });

  it('leaves out events older than the history and occurrences past the lookahead', async () => {
    rig.state.addEvent({ id: 'ancient', start: { dateTime: '2025-09-01T10:00:00Z' }, end: { dateTime: '2025-09-01T11:00:00Z' } });
    rig.state.addEvent({
      id: 'standup',
      start: { dateTime: '2026-11-02T09:00:00Z' },
      end: { dateTime: '2026-11-02T09:15:00Z' },
      recurrence: ['RRULE:FREQ=DAILY'],
    });
    const items = await itemsOf();
    const standups = items.filter((i) => i.providerId.startsWith('standup_')).map((i) => i.start).sort();
    const horizon = AS_OF.getTime() + 90 * 86_400_000;
    expect(standups[0]).toBe('2026-11-02T09:00:00.000Z');
    expect(Date.parse(standups[standups.length - 1]!)).toBeLessThan(horizon);
    expect(Date.parse(standups[standups.length - 1]!)).toBeGreaterThan(horizon - 86_400_000);
    expect(items.some((i) => i.providerId === 'ancient')).toBe(false);
  });

  it('reports the owner address Google marks as self', async () => {
    const pages = await drain(rig.source());
    expect(pages.flatMap((p) => p.aliases ?? [])).toContain(OWNER);
  });

  it('pages through with page tokens; only the last page is done and holds the sync token', async () => {
    const pages = await drain(rig.source({ pageSize: 4 }));
    // 15 rows on the wire (10 occurrences of the series, 5 one-offs) at 4 a page.
    expect(pages.length).toBe(4);
    expect(rig.emulator.eventListRequests()).toHaveLength(4);
    expect(pages.map((p) => p.done)).toEqual([...Array(pages.length - 1).fill(false), true]);
    expect(JSON.parse(pages[0]!.cursor)).toMatchObject({ phase: 'full', pageToken: expect.any(String) });
    expect(JSON.parse(lastCursor(pages))).toMatchObject({ phase: 'incremental', syncToken: expect.any(String) });
    expect(JSON.parse(lastCursor(pages)).pageToken).toBeUndefined();
    const onePage = applyPages(await drain(rig.source()));
    expect(applyPages(pages)).toEqual(onePage);
  });

  it('resumes a full sync from the page it stopped at, even on a later day', async () => {
    const first = await drain(rig.source({ pageSize: 3 }));
    const crashedAfter = first.slice(0, 2);
    const resumed = await drain(rig.source({ pageSize: 3, asOf: new Date(AS_OF.getTime() + 86_400_000) }), crashedAfter[1]!.cursor);
    expect(resumed.length).toBe(first.length - 2);
    expect(applyPages([...crashedAfter, ...resumed])).toEqual(applyPages(first));
    // The resumed pages repeat the query the page token was issued for.
    const requests = rig.emulator.eventListRequests();
    expect(requests[requests.length - 1]!.get('timeMin')).toBe(requests[0]!.get('timeMin'));
  });
});
