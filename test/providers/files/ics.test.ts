import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, InputError } from '#lib/errors.ts';
import { parseIcs, readIcs } from '#lib/providers/files/ics.ts';
import type { MeetingItem } from '#lib/items/types.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/files/${name}`, import.meta.url));
const options = { accountId: 'cal-1', expandUntil: new Date('2026-11-01T00:00:00Z'), owner: ['Me@Example.com'] };

describe('readIcs on a Google-style calendar export', () => {
  let items: MeetingItem[] = [];
  const savedTz = process.env.TZ;
  const byUid = (uid: string): MeetingItem[] => items.filter((i) => i.occurrenceKey!.startsWith(`${uid}#`));

  beforeAll(async () => {
    // A far-off machine zone proves no conversion leans on local time.
    process.env.TZ = 'Pacific/Auckland';
    items = await readIcs(fixture('calendar-sample.ics'), options);
  });
  afterAll(() => {
    process.env.TZ = savedTz;
  });

  it('expands a weekly series with its VTIMEZONE, across DST, minus the EXDATE', () => {
    const weekly = byUid('weekly-sync@example.com');
    expect(weekly.map((i) => i.start)).toEqual([
      '2026-02-23T15:00:00.000Z', // 10:00 EST
      '2026-03-09T14:00:00.000Z', // 10:00 EDT; 2026-03-02 is an EXDATE
      '2026-03-17T18:00:00.000Z', // the moved occurrence
      '2026-03-23T14:00:00.000Z',
    ]);
    expect(weekly.map((i) => Date.parse(i.end) - Date.parse(i.start))).toEqual([1_800_000, 1_800_000, 1_800_000, 1_800_000]);
  });

  it('replaces the RECURRENCE-ID occurrence and keeps its original key', () => {
    const moved = byUid('weekly-sync@example.com')[2]!;
    expect(moved.providerId).toBe('Weekly-Sync@example.com#2026-03-16T14:00:00.000Z');
    expect(moved.occurrenceKey).toBe('weekly-sync@example.com#2026-03-16T14:00:00.000Z');
    expect(moved.attendees).toEqual([
      { address: 'me@example.com', response: 'accepted' },
      { address: 'ann@acme.com', response: 'declined' },
    ]);
  });

  it('maps organizer, attendee responses and names; leaves rooms out', () => {
    const first = byUid('weekly-sync@example.com')[0]!;
    expect(first.organizer).toBe('me@example.com');
    expect(first.status).toBe('confirmed');
    expect(first.attendees).toEqual([
      { address: 'me@example.com', name: 'Me', response: 'accepted' },
      { address: 'ann@acme.com', name: 'Ann Lee', response: 'accepted' },
      { address: 'bob@acme.com', name: 'Bob', response: 'declined' },
      { address: 'carol@acme.com', response: 'tentative' },
      { address: 'dave@acme.com', response: 'needsAction' },
    ]);
  });

  it('marks a cancelled event', () => {
    const [cancelled] = byUid('cancelled-1@example.com');
    expect(cancelled).toMatchObject({ status: 'cancelled', start: '2026-03-05T16:00:00.000Z', organizer: 'ann@acme.com' });
  });

  it('converts an IANA TZID without VTIMEZONE and stops an endless series at expandUntil', () => {
    const paris = byUid('paris-weekly@example.com');
    // 10:00 CEST then 10:00 CET (DST ends 2026-10-25); 2026-11-02 is past expandUntil.
    expect(paris.map((i) => i.start)).toEqual(['2026-10-19T08:00:00.000Z', '2026-10-26T09:00:00.000Z']);
  });

  it('uses a zone only the file defines', () => {
    const [standUp] = byUid('custom-zone@example.com');
    expect(standUp).toMatchObject({ start: '2026-04-01T04:00:00.000Z', end: '2026-04-01T04:45:00.000Z' });
  });

  it('starts all-day events at 00:00 UTC and gives the owner an event without organizer', () => {
    const [day] = byUid('offsite-day@example.com');
    expect(day).toMatchObject({ start: '2026-03-10T00:00:00.000Z', end: '2026-03-11T00:00:00.000Z', organizer: 'me@example.com' });
  });

  it('stamps source and account', () => {
    expect(items).toHaveLength(9);
    expect(items.every((i) => i.kind === 'meeting' && i.source === 'ics' && i.accountId === 'cal-1')).toBe(true);
  });
});

const calendar = (events: string): string =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n${events}END:VCALENDAR\r\n`;

describe('parseIcs limits', () => {
  const daily = 'BEGIN:VEVENT\r\nUID:daily\r\nDTSTART:20200101T090000Z\r\nDTEND:20200101T091500Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n';

  it('caps the occurrences of a series', () => {
    const items = parseIcs(calendar(daily), 'cap.ics', { ...options, maxOccurrences: 10 });
    expect(items).toHaveLength(10);
    expect(items.at(-1)!.start).toBe('2020-01-10T09:00:00.000Z');
  });

  it('skips occurrences that ended before expandFrom, then applies the cap', () => {
    const items = parseIcs(calendar(daily), 'from.ics', {
      ...options, expandFrom: new Date('2026-10-30T00:00:00Z'), maxOccurrences: 5,
    });
    expect(items.map((i) => i.start)).toEqual([
      '2026-10-30T09:00:00.000Z', '2026-10-31T09:00:00.000Z',
    ]);
  });

  it('treats every event of an iTIP CANCEL as cancelled', () => {
    const text = calendar('BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260101T090000Z\r\nEND:VEVENT\r\n').replace('VERSION:2.0', 'VERSION:2.0\r\nMETHOD:CANCEL');
    expect(parseIcs(text, 'cancel.ics', options).map((i) => i.status)).toEqual(['cancelled']);
  });

  it('keeps an override whose series is not in the file', () => {
    const text = calendar('BEGIN:VEVENT\r\nUID:Solo\r\nRECURRENCE-ID:20260105T090000Z\r\nDTSTART:20260106T100000Z\r\nDTEND:20260106T110000Z\r\nEND:VEVENT\r\n');
    expect(parseIcs(text, 'solo.ics', options)).toMatchObject([
      { providerId: 'Solo#2026-01-05T09:00:00.000Z', start: '2026-01-06T10:00:00.000Z', end: '2026-01-06T11:00:00.000Z' },
    ]);
  });
});

describe('readIcs input handling', () => {
  it('names a missing file in an InputError', async () => {
    const missing = fixture('absent.ics');
    await expect(readIcs(missing, options)).rejects.toBeInstanceOf(InputError);
    await expect(readIcs(missing, options)).rejects.toThrow(missing);
  });

  it('rejects a file that is not a calendar with a FormatError naming it', async () => {
    const file = fixture('not-a-calendar.ics');
    await expect(readIcs(file, options)).rejects.toBeInstanceOf(FormatError);
    await expect(readIcs(file, options)).rejects.toThrow(`${file}: not an iCalendar file`);
  });

  it('rejects a calendar that does not parse', () => {
    expect(() => parseIcs('BEGIN:VCALENDAR\r\ngarbage line\r\n', 'bad.ics', options)).toThrow(FormatError);
  });
});
