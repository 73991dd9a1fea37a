import { describe, expect, it } from 'vitest';
import { mapGraphEvent, seriesUidOf } from '#lib/providers/microsoft/calendar-item.ts';
import { goidHex } from '#test/support/microsoft/graph-calendar.ts';

const NATIVE = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const ext = (uid: string) => Buffer.concat([Buffer.from('vCal-Uid\x01\x00\x00\x00', 'latin1'), Buffer.from(`${uid}\0`)]);

describe('seriesUidOf', () => {
  it('gives every occurrence of an Outlook-native series the clean global object id, upper-case hex', () => {
    const a = seriesUidOf(goidHex(NATIVE, Date.parse('2026-10-05T09:00:00Z')));
    const b = seriesUidOf(goidHex(NATIVE, Date.parse('2026-10-12T09:00:00Z')));
    expect(a).toBe(b);
    expect(a).toBe(goidHex(NATIVE, null));
    expect(a.slice(32, 40)).toBe('00000000');
  });

  it('unwraps the external UID of a meeting that came from another system', () => {
    expect(seriesUidOf(goidHex(ext('abc123@google.com'), Date.parse('2026-10-05T09:00:00Z')))).toBe('abc123@google.com');
  });

  it('takes anything that is not a global object id as the UID itself', () => {
    expect(seriesUidOf('plain-uid@example.com')).toBe('plain-uid@example.com');
    expect(seriesUidOf('ABCDEF')).toBe('ABCDEF');
  });
});

const base = {
  id: 'AAMk-1',
  iCalUId: goidHex(ext('Series-X@Example.com'), Date.parse('2026-11-23T23:00:00Z')),
  type: 'occurrence',
  originalStart: '2026-11-23T23:00:00Z',
  isCancelled: false,
  isAllDay: false,
  start: { dateTime: '2026-11-24T00:30:00.0000000', timeZone: 'UTC' },
  end: { dateTime: '2026-11-24T01:00:00.0000000', timeZone: 'UTC' },
  organizer: { emailAddress: { name: 'Pat', address: 'Pat@Partner.example' } },
  attendees: [
    { type: 'required', status: { response: 'organizer' }, emailAddress: { address: 'pat@partner.example', name: 'Pat' } },
    { type: 'optional', status: { response: 'notResponded' }, emailAddress: { address: 'lee@partner.example' } },
    { type: 'required', status: { response: 'none' }, emailAddress: { address: 'kim@partner.example' } },
    { type: 'resource', status: { response: 'accepted' }, emailAddress: { address: 'room@contoso.example' } },
  ],
  subject: 'never stored',
};

describe('mapGraphEvent', () => {
  it('maps an occurrence: key of its original start, responses, no resources, nothing of the subject', () => {
    const out = mapGraphEvent(base, 'a1');
    expect(out.kind).toBe('item');
    if (out.kind !== 'item') return;
    expect(out.item).toEqual({
      kind: 'meeting', accountId: 'a1', source: 'graph-calendar', providerId: 'AAMk-1',
      occurrenceKey: 'series-x@example.com#2026-11-23T23:00:00.000Z',
      start: '2026-11-24T00:30:00.000Z', end: '2026-11-24T01:00:00.000Z', status: 'confirmed', organizer: 'pat@partner.example',
      attendees: [
        { address: 'pat@partner.example', name: 'Pat', response: 'accepted' },
        { address: 'lee@partner.example', response: 'needsAction' },
        { address: 'kim@partner.example', response: 'none' },
      ],
    });
    expect(out.self).toEqual([]);
  });

  it('converts a time in another IANA zone, and marks a cancelled instance cancelled', () => {
    const out = mapGraphEvent({ ...base, isCancelled: true, start: { dateTime: '2026-07-01T10:00:00', timeZone: 'Europe/Paris' }, end: { dateTime: '2026-07-01T11:00:00', timeZone: 'Europe/Paris' } }, 'a1');
    expect(out).toMatchObject({ kind: 'item', item: { start: '2026-07-01T08:00:00.000Z', end: '2026-07-01T09:00:00.000Z', status: 'cancelled' } });
  });

  it('starts all-day events at 00:00 UTC and keys them by the date of their original start', () => {
    const allDay = {
      ...base, isAllDay: true, originalStart: '2026-11-23T23:00:00Z', // midnight in Paris
      start: { dateTime: '2026-11-24T00:00:00.0000000', timeZone: 'Europe/Paris' }, end: { dateTime: '2026-11-25T00:00:00.0000000', timeZone: 'Europe/Paris' },
    };
    expect(mapGraphEvent(allDay, 'a1')).toMatchObject({
      kind: 'item', item: { start: '2026-11-24T00:00:00.000Z', end: '2026-11-25T00:00:00.000Z', occurrenceKey: 'series-x@example.com#2026-11-24T00:00:00.000Z' },
    });
  });

  it('names the owner as alias when Graph marks them organizer', () => {
    expect(mapGraphEvent({ ...base, isOrganizer: true }, 'a1')).toMatchObject({ self: ['pat@partner.example'] });
  });

  it('reports @removed entries by id and skips masters and unreadable entries', () => {
    expect(mapGraphEvent({ id: 'gone', '@removed': { reason: 'deleted' } }, 'a1')).toEqual({ kind: 'removed', providerId: 'gone' });
    expect(mapGraphEvent({ ...base, type: 'seriesMaster' }, 'a1')).toMatchObject({ kind: 'skipped' });
    expect(mapGraphEvent({ ...base, start: { dateTime: 'yesterday', timeZone: 'UTC' } }, 'a1')).toMatchObject({ kind: 'skipped', reason: expect.stringContaining('AAMk-1') });
    expect(mapGraphEvent({ id: 5 }, 'a1')).toMatchObject({ kind: 'skipped' });
  });
});
