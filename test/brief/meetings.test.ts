import { describe, expect, it } from 'vitest';
import { briefDay, briefAsOf, localDate } from '#lib/brief/day.ts';
import { briefJsonSchema } from '#lib/brief/schema.ts';
import { parseIcs } from '#lib/providers/files/ics.ts';
import { ME, accepted, briefOf, meeting, meetingWith } from './world.ts';

const ANN = 'ann@partner.io';
const startsOf = (b: ReturnType<typeof briefOf>) => b.meetings.map((m) => m.start);

describe('which meetings a brief covers (DESIGN section 9, section 3 rules)', () => {
  it('briefs a meeting on the day with an external attendee', () => {
    const brief = briefOf([meetingWith('2026-11-24T09:00:00.000Z', [ANN])]);
    expect(startsOf(brief)).toEqual(['2026-11-24T09:00:00.000Z']);
    expect(brief.meetings[0]!.attendees.map((a) => a.address)).toEqual([ANN]);
    expect(briefJsonSchema.parse(brief)).toEqual(brief);
  });

  it('does not brief a cancelled meeting', () => {
    expect(briefOf([meetingWith('2026-11-24T09:00:00.000Z', [ANN], { status: 'cancelled' })]).meetings).toEqual([]);
  });

  it('does not brief a meeting Me declined', () => {
    const declined = meeting({
      start: '2026-11-24T09:00:00.000Z', end: '2026-11-24T10:00:00.000Z', organizer: ANN,
      attendees: [{ address: ME, response: 'declined' }, { address: ANN, response: 'accepted' }],
    });
    expect(briefOf([declined]).meetings).toEqual([]);
  });

  it('does not brief an internal-only meeting, and briefs only the external attendees of a mixed one', () => {
    const internalOnly = meetingWith('2026-11-24T09:00:00.000Z', ['bob@acme.com', 'cy@eu.acme.com']);
    const mixed = meetingWith('2026-11-24T11:00:00.000Z', ['bob@acme.com', ANN]);
    const brief = briefOf([internalOnly, mixed]);
    expect(startsOf(brief)).toEqual(['2026-11-24T11:00:00.000Z']);
    expect(brief.meetings[0]!.attendees.map((a) => a.address)).toEqual([ANN]);
  });

  it('treats configured internal domains as internal', () => {
    const brief = briefOf([meetingWith('2026-11-24T09:00:00.000Z', [ANN])], {
      user: { email: ME, timeZone: 'Europe/Paris', me: [], internalDomains: ['partner.io'] },
    });
    expect(brief.meetings).toEqual([]);
  });

  it('does not brief a meeting over maxAttendees, and briefs one at the limit', () => {
    const ten = Array.from({ length: 9 }, (_, i) => `p${i}@partner.io`); // + Me = 10
    const eleven = [...ten, 'p9@partner.io'];
    expect(briefOf([meetingWith('2026-11-24T09:00:00.000Z', eleven)]).meetings).toEqual([]);
    expect(briefOf([meetingWith('2026-11-24T09:00:00.000Z', ten)]).meetings[0]!.attendees).toHaveLength(9);
  });

  it('leaves out declined attendees and briefs a meeting Me attends without organizing', () => {
    const m = meeting({
      start: '2026-11-24T09:00:00.000Z', end: '2026-11-24T10:00:00.000Z', organizer: ANN,
      attendees: [{ address: ME, response: 'tentative' }, { address: ANN, response: 'accepted' }, { address: 'zed@partner.io', response: 'declined' }],
    });
    expect(briefOf([m]).meetings[0]!.attendees.map((a) => a.address)).toEqual([ANN]);
  });

  it('briefs the occurrence of a recurring series that falls on the day (stored expanded, one item each)', () => {
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN',
      'BEGIN:VEVENT', 'UID:weekly@partner.io',
      'DTSTART;TZID=Europe/Paris:20261006T100000', 'DTEND;TZID=Europe/Paris:20261006T103000',
      'RRULE:FREQ=WEEKLY;COUNT=12',
      `ORGANIZER:mailto:${ME}`, `ATTENDEE;PARTSTAT=ACCEPTED:mailto:${ME}`, `ATTENDEE;CN=Ann Lee;PARTSTAT=ACCEPTED:mailto:${ANN}`,
      'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n');
    const items = parseIcs(ics, 'series.ics', { accountId: 'files', expandUntil: new Date('2027-01-01T00:00:00Z') });
    expect(items.length).toBeGreaterThan(1);
    const brief = briefOf(items);
    // 10:00 in Paris on Tuesday 24 November (CET, UTC+1), the 8th occurrence.
    expect(startsOf(brief)).toEqual(['2026-11-24T09:00:00.000Z']);
    expect(brief.meetings[0]!.attendees[0]).toMatchObject({ address: ANN, name: 'Ann Lee', known: true });
    // The earlier occurrences are the history: the last one was a week before.
    expect(brief.meetings[0]!.attendees[0]!.lastMeeting).toBe('2026-11-17T09:00:00.000Z');
  });

  it('briefs one occurrence held in two calendars once', () => {
    const a = meetingWith('2026-11-24T09:00:00.000Z', [ANN], { accountId: 'gcal', occurrenceKey: 'uid-1#x' });
    const b = meetingWith('2026-11-24T09:00:00.000Z', [ANN], { accountId: 'ics', occurrenceKey: 'uid-1#x' });
    expect(briefOf([a, b]).meetings).toHaveLength(1);
  });

  it('lists meetings in time order whatever the items order', () => {
    const items = [
      meetingWith('2026-11-24T15:00:00.000Z', ['c@three.io']),
      meetingWith('2026-11-24T08:00:00.000Z', ['a@one.io']),
      meetingWith('2026-11-24T11:30:00.000Z', ['b@two.io']),
    ];
    expect(startsOf(briefOf(items))).toEqual(['2026-11-24T08:00:00.000Z', '2026-11-24T11:30:00.000Z', '2026-11-24T15:00:00.000Z']);
  });

  it('briefs an all-day event on its date in any zone', () => {
    const allDay = meetingWith('2026-11-24T00:00:00.000Z', [ANN], {}, 24 * 60);
    const newYork = { email: ME, timeZone: 'America/New_York', me: [], internalDomains: [] };
    // In New York, 00:00 UTC on the 24th is the evening of the 23rd: the date still wins.
    expect(briefOf([allDay], { user: newYork }).meetings).toHaveLength(1);
    expect(briefOf([allDay], { user: newYork, date: '2026-11-23' }).meetings).toEqual([]);
  });
});

describe('day boundaries in the person zone', () => {
  const tokyo = { email: ME, timeZone: 'Asia/Tokyo', me: [], internalDomains: [] };

  it('puts a 23:30 meeting in Tokyo on that Tokyo day, not the UTC one', () => {
    // 23:30 JST on 24 Nov is 14:30 UTC on 24 Nov; 00:30 JST on 25 Nov is 15:30 UTC on 24 Nov.
    const late = meetingWith('2026-11-24T14:30:00.000Z', [ANN]);
    const afterMidnight = meetingWith('2026-11-24T15:30:00.000Z', ['bo@partner.io']);
    const on24 = briefOf([late, afterMidnight], { user: tokyo, date: '2026-11-24' });
    const on25 = briefOf([late, afterMidnight], { user: tokyo, date: '2026-11-25' });
    expect(startsOf(on24)).toEqual(['2026-11-24T14:30:00.000Z']);
    expect(startsOf(on25)).toEqual(['2026-11-24T15:30:00.000Z']);
    expect(on24.timeZone).toBe('Asia/Tokyo');
  });

  it('computes as of 07:00 local by default (Tokyo)', () => {
    expect(briefAsOf('2026-11-24', 'Asia/Tokyo').toISOString()).toBe('2026-11-23T22:00:00.000Z');
  });

  it.each([
    // [zone, date, local midnight, next local midnight, 07:00 local]
    ['Europe/Paris', '2026-03-29', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', '2026-03-29T05:00:00.000Z'],
    ['Europe/Paris', '2026-10-25', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', '2026-10-25T06:00:00.000Z'],
    ['America/New_York', '2026-03-08', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z', '2026-03-08T11:00:00.000Z'],
    ['America/New_York', '2026-11-01', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', '2026-11-01T12:00:00.000Z'],
  ])('bounds a DST change day in %s (%s) by its local midnights', (zone, date, start, end, seven) => {
    const day = briefDay(date, zone);
    expect(new Date(day.start).toISOString()).toBe(start);
    expect(new Date(day.end).toISOString()).toBe(end);
    expect(briefAsOf(date, zone).toISOString()).toBe(seven);
  });

  it.each([
    ['Europe/Paris', '2026-03-29', '2026-03-28T22:30:00.000Z', '2026-03-29T21:30:00.000Z', '2026-03-29T22:30:00.000Z'],
    ['Europe/Paris', '2026-10-25', '2026-10-24T21:30:00.000Z', '2026-10-25T22:30:00.000Z', '2026-10-25T23:30:00.000Z'],
    ['America/New_York', '2026-03-08', '2026-03-08T04:30:00.000Z', '2026-03-09T03:30:00.000Z', '2026-03-09T04:30:00.000Z'],
    ['America/New_York', '2026-11-01', '2026-11-01T03:30:00.000Z', '2026-11-02T04:30:00.000Z', '2026-11-02T05:30:00.000Z'],
  ])('on the DST change day in %s (%s), 23:30 the evening before and 00:30 after are other days', (zone, date, before, lastOfDay, after) => {
    const user = { email: ME, timeZone: zone, me: [], internalDomains: [] };
    const items = [
      meetingWith(before, ['before@partner.io']),
      meetingWith(lastOfDay, [ANN]),
      meetingWith(after, ['after@partner.io']),
    ];
    const brief = briefOf(items, { user, date });
    expect(startsOf(brief)).toEqual([lastOfDay]);
    expect(localDate(new Date(lastOfDay), zone)).toBe(date);
  });

  it('gives the local date of an instant in the zone', () => {
    expect(localDate(new Date('2026-11-23T23:00:00.000Z'), 'Asia/Tokyo')).toBe('2026-11-24');
    expect(localDate(new Date('2026-11-23T23:00:00.000Z'), 'America/New_York')).toBe('2026-11-23');
    expect(() => localDate(new Date(), 'Mars/Olympus')).toThrow(/IANA/);
  });

  it('refuses a date that is not a day and a zone that is not a zone', () => {
    expect(() => briefOf([], { date: '2026-02-30' })).toThrow(/not a day/);
    expect(() => briefOf([], { user: { email: ME, timeZone: 'Mars/Olympus', me: [], internalDomains: [] } })).toThrow(/IANA/);
  });
});

describe('a day without briefed meetings', () => {
  it('has no meetings, and still says when each mailbox was last synced (null when never)', () => {
    const brief = briefOf([meetingWith('2026-11-25T09:00:00.000Z', [ANN]), meeting({ attendees: accepted(ME, ANN) })], {
      accounts: [
        { address: 'me@acme.com', aliases: [], lastSyncAt: '2026-11-24T05:30:00.000Z' },
        { address: 'archive@acme.com', aliases: [] },
      ],
    });
    expect(brief).toEqual({
      user: ME, date: '2026-11-24', timeZone: 'Europe/Paris',
      lastSynced: [{ account: 'archive@acme.com', at: null }, { account: 'me@acme.com', at: '2026-11-24T05:30:00.000Z' }],
      meetings: [],
    });
    expect(briefJsonSchema.parse(brief)).toEqual(brief);
  });
});
