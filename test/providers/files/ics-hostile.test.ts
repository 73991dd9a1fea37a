/**
 * The iCalendar reader on hostile and large files (issue 10, item 7): it expands series
 * only within the window, in bounded memory, and skips a bad event with its UID.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIcs, readIcs } from '#lib/providers/files/ics.ts';
import type { IcsOptions } from '#lib/providers/files/ics-reader.ts';
import { toUtcMs, tzidOf } from '#lib/providers/files/ics-series.ts';
import type { FileSkip } from '#lib/providers/files/skips.ts';
import type { MeetingItem } from '#lib/items/types.ts';
import {
  brokenDates, dailySeries, goodEvent, HOSTILE_ME, HOSTILE_WINDOW, invalidUtf8Ics, secondlySeries,
} from './hostile-files.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sinew-ics-hostile-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const window = { expandFrom: HOSTILE_WINDOW.from, expandUntil: HOSTILE_WINDOW.until };

async function read(file: string, opts: Partial<IcsOptions> = {}): Promise<{ items: MeetingItem[]; skips: FileSkip[]; details: string[] }> {
  const skips: FileSkip[] = [];
  const details: string[] = [];
  const items = await readIcs(file, { accountId: 'cal', ...window, owner: [HOSTILE_ME], onSkip: (d, s) => (details.push(d), skips.push(s)), ...opts });
  return { items, skips, details };
}

const calendar = (body: string): string => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n${body}END:VCALENDAR\r\n`;
const skipsOf = (skips: FileSkip[]) => skips.map((s) => [s.kind, s.reason, s.id]);

describe('readIcs on hostile calendars', () => {
  it('expands 200 daily series only within the window, as counted by plain arithmetic', async () => {
    const h = await dailySeries(dir);
    const got = await read(h.file);
    expect(got.skips).toEqual([]);
    expect(got.items).toHaveLength(h.expectItems);
    // 2020 to late 2026 would be about 2,500 a series; the window holds about 490.
    expect(h.expectItems).toBeGreaterThan(200 * 480);
    expect(h.expectItems).toBeLessThan(200 * 500);
    const starts = got.items.filter((i) => i.providerId.startsWith('daily-')).map((i) => Date.parse(i.start));
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(HOSTILE_WINDOW.from.getTime() - 86_400_000);
    expect(Math.max(...starts)).toBeLessThanOrEqual(HOSTILE_WINDOW.until.getTime());
  });

  it('skips FREQ=SECONDLY series without UNTIL, naming each, and keeps the meetings around them', async () => {
    const h = await secondlySeries(dir);
    const got = await read(h.file);
    expect(got.items.map((i) => i.providerId)).toEqual(['single-1@hostile.example#2026-10-05T09:00:00.000Z', 'single-2@hostile.example#2026-10-06T09:00:00.000Z']);
    expect(skipsOf(got.skips)).toEqual(h.expectSkips[0]!.ids!.map((id) => ['event', 'recurs more often than hourly', id]));
    expect(got.details[0]).toBe('event secondly-0@hostile.example: FREQ=SECONDLY');
  });

  it('skips each event with a broken DTSTART, DTEND, UNTIL, EXDATE, RDATE, DURATION or RECURRENCE-ID by UID', async () => {
    const h = await brokenDates(dir);
    const got = await read(h.file);
    expect(got.items).toHaveLength(h.expectItems);
    // The series whose override is broken keeps its four occurrences, unmoved.
    expect(got.items.filter((i) => i.providerId.startsWith('weekly@')).map((i) => i.start)).toEqual([
      '2026-10-05T09:00:00.000Z', '2026-10-12T09:00:00.000Z', '2026-10-19T09:00:00.000Z', '2026-10-26T09:00:00.000Z',
    ]);
    const byReason = (reason: string) => got.skips.filter((s) => s.reason === reason).map((s) => s.id).sort();
    expect(byReason('bad dates')).toEqual(h.expectSkips[0]!.ids);
    expect(byReason('unreadable')).toEqual(['bad-freq']);
    expect(got.details).toEqual(expect.arrayContaining([
      'event bad-dtstart: bad DTSTART 2026-13-41T25:00:00Z',
      'event bad-until: bad RRULE UNTIL 2026-13-99',
      'event weekly@hostile.example: bad RECURRENCE-ID 2026-10-12T09:00:',
    ]));
  });

  it('reads a calendar holding bytes that are not UTF-8', async () => {
    const h = await invalidUtf8Ics(dir);
    const got = await read(h.file);
    expect(got.skips).toEqual([]);
    expect(got.items).toHaveLength(3);
    expect(got.items[1]!.providerId).toMatch(/^odd-.*\ufffd.*@hostile\.example#2026-10-02T09:00:00\.000Z$/);
  });

  it('reads a gzipped calendar as the same calendar', async () => {
    const sample = await readFile(fileURLToPath(new URL('../../fixtures/files/calendar-sample.ics', import.meta.url)));
    const file = join(dir, 'sample.ics.gz');
    await writeFile(file, gzipSync(sample));
    const opts = { expandUntil: new Date('2026-11-01T00:00:00Z') };
    const plain = await read(fileURLToPath(new URL('../../fixtures/files/calendar-sample.ics', import.meta.url)), opts);
    const gz = await read(file, opts);
    expect(gz.items).toEqual(plain.items);
    expect(gz.items.length).toBeGreaterThan(5);
  });

  it('keeps the events before the end of a file cut inside an event, and of gzip data cut short', async () => {
    const text = calendar(goodEvent('a', 1) + goodEvent('b', 2) + goodEvent('c', 3)).slice(0, -60);
    const file = join(dir, 'cut.ics');
    await writeFile(file, text);
    const got = await read(file);
    expect(got.items.map((i) => i.providerId)).toEqual(['a#2026-10-01T09:00:00.000Z', 'b#2026-10-02T09:00:00.000Z']);
    expect(skipsOf(got.skips)).toEqual([['event', 'incomplete', 'c']]);

    let body = '';
    for (let i = 0; i < 3000; i++) body += goodEvent(`e${i}-${(i * 7919).toString(36)}`, 1 + (i % 28), `p${i}@contacts.example`);
    const gzFile = join(dir, 'cut.ics.gz');
    const whole = gzipSync(calendar(body));
    await writeFile(gzFile, whole.subarray(0, Math.floor(whole.length / 2)));
    const gz = await read(gzFile);
    expect(gz.items.length).toBeGreaterThan(100);
    expect(gz.items.length).toBeLessThan(3000);
    expect(gz.skips.at(-1)).toEqual({ kind: 'file', reason: 'gzip data ends early' });
    expect(gz.skips.slice(0, -1).map((s) => s.reason)).toEqual(['incomplete']);
  });
});

describe('parseIcs bounds', () => {
  const daily = (uid: string) => `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTART:20200106T090000Z\r\nDTEND:20200106T093000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n`;
  const parse = (text: string, opts: Partial<IcsOptions>) => {
    const skips: FileSkip[] = [];
    const items = parseIcs(text, 'bounds.ics', { accountId: 'cal', ...window, onSkip: (_d, s) => skips.push(s), ...opts });
    return { items, skips };
  };

  it('stops a series at its cap and the file at its budget, and says so', () => {
    const capped = parse(calendar(daily('a')), { maxOccurrences: 100 });
    expect(capped.items).toHaveLength(100);
    expect(skipsOf(capped.skips)).toEqual([['event', 'series cut at 100 occurrences', 'a']]);

    const budget = parse(calendar(daily('a') + daily('b') + daily('c')), { limits: { maxFileOccurrences: 1000 } });
    expect(budget.items).toHaveLength(1000);
    expect(skipsOf(budget.skips)).toEqual([['event', "over the calendar's 1,000 occurrences", 'c']]);
  });

  it('skips a series that BYMINUTE or BYSECOND repeats every minute, not one whose DTSTART is just off its rule', () => {
    const minutely = 'BEGIN:VEVENT\r\nUID:minutely\r\nDTSTART:20261001T090000Z\r\nDTEND:20261001T091000Z\r\n' +
      `RRULE:FREQ=DAILY;BYHOUR=9;BYMINUTE=${Array.from({ length: 60 }, (_, m) => m).join(',')};BYSECOND=0,30\r\nEND:VEVENT\r\n`;
    const offRule = 'BEGIN:VEVENT\r\nUID:off-rule\r\nDTSTART:20261001T093000Z\r\nDTEND:20261001T094500Z\r\n' +
      'RRULE:FREQ=DAILY;BYHOUR=10;BYMINUTE=0;COUNT=5\r\nEND:VEVENT\r\n';
    const hourly = 'BEGIN:VEVENT\r\nUID:hourly\r\nDTSTART:20261001T090000Z\r\nDTEND:20261001T091000Z\r\nRRULE:FREQ=HOURLY;COUNT=10\r\nEND:VEVENT\r\n';
    const got = parse(calendar(minutely + offRule + hourly), {});
    expect(skipsOf(got.skips)).toEqual([['event', 'recurs more often than hourly', 'minutely']]);
    expect(got.items.filter((i) => i.providerId.startsWith('off-rule#'))).toHaveLength(5);
    expect(got.items.filter((i) => i.providerId.startsWith('hourly#'))).toHaveLength(10);
  });

  it('skips an event over the event bound or with a line over the line bound', () => {
    const fat = goodEvent('fat', 3).replace('SUMMARY:', `X-PAD:${'p'.repeat(5000)}\r\nSUMMARY:`);
    const long = goodEvent('long', 4).replace('SUMMARY:', `X-LONG:${'q'.repeat(900)}\r\n ${'q'.repeat(900)}\r\nSUMMARY:`);
    const got = parse(calendar(goodEvent('ok', 1) + fat + long + goodEvent('ok2', 2)), { limits: { maxEventBytes: 4096, maxLineBytes: 1024 } });
    expect(got.items.map((i) => i.providerId.split('#')[0])).toEqual(['ok', 'ok2']);
    expect(skipsOf(got.skips)).toEqual([['event', 'line over 1 KB', 'fat'], ['event', 'line over 1 KB', 'long']]);
    const bigEvent = parse(calendar(goodEvent('ok', 1) + fat), { limits: { maxEventBytes: 4096 } });
    expect(skipsOf(bigEvent.skips)).toEqual([['event', 'event over 4 KB', 'fat']]);
  });

  it('skips an event with no END before the next one, and reads no further than the calendar bound', () => {
    const open = goodEvent('open', 2).replace('END:VEVENT\r\n', '');
    const got = parse(calendar(goodEvent('a', 1) + open + goodEvent('b', 3)), {});
    expect(got.items.map((i) => i.providerId.split('#')[0])).toEqual(['a', 'b']);
    expect(skipsOf(got.skips)).toEqual([['event', 'incomplete', 'open']]);

    const text = calendar(goodEvent('a', 1) + goodEvent('b', 2) + goodEvent('c', 3));
    const cut = parse(text, { limits: { maxCalendarBytes: text.indexOf('UID:c') } });
    expect(cut.items.map((i) => i.providerId.split('#')[0])).toEqual(['a', 'b']);
    expect(cut.skips.map((s) => s.reason)).toEqual(['incomplete', `calendar over ${text.indexOf('UID:c')} bytes`]);
  });
});

describe('series expansion from near the window', () => {
  const rules: Record<string, string> = {
    daily: 'DTSTART:20150105T090000Z\r\nDTEND:20150105T093000Z\r\nRRULE:FREQ=DAILY',
    'every 3 days': 'DTSTART:20150105T090000Z\r\nDTEND:20150105T093000Z\r\nRRULE:FREQ=DAILY;INTERVAL=3',
    'fortnightly, Paris': 'DTSTART;TZID=Europe/Paris:20150107T100000\r\nDTEND;TZID=Europe/Paris:20150107T110000\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR',
    'weekly, COUNT': 'DTSTART:20150105T090000Z\r\nDTEND:20150105T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=600',
    'weekly, COUNT ended': 'DTSTART:20150105T090000Z\r\nDTEND:20150105T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=300',
    'daily on Mondays, COUNT': 'DTSTART:20150105T090000Z\r\nDTEND:20150105T100000Z\r\nRRULE:FREQ=DAILY;BYDAY=MO;COUNT=700',
    'every 5 hours, COUNT': 'DTSTART:20240105T010000Z\r\nDTEND:20240105T011500Z\r\nRRULE:FREQ=HOURLY;INTERVAL=5;COUNT=4000',
    'twice a day, New York': 'DTSTART;TZID=America/New_York:20150105T090000\r\nDTEND;TZID=America/New_York:20150105T091500\r\nRRULE:FREQ=HOURLY;BYHOUR=9,17',
    'all day, exceptions': 'DTSTART;VALUE=DATE:20150105\r\nDTEND;VALUE=DATE:20150106\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,TH\r\nEXDATE;VALUE=DATE:20260105,20260108\r\nRDATE;VALUE=DATE:20260107',
    'until in the window': 'DTSTART:20150105T090000Z\r\nDTEND:20150105T093000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20260303T000000Z',
    monthly: 'DTSTART:20150131T090000Z\r\nDTEND:20150131T100000Z\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1',
  };
  const NEW_YORK = [
    'BEGIN:VTIMEZONE', 'TZID:America/New_York',
    'BEGIN:DAYLIGHT', 'TZOFFSETFROM:-0500', 'TZOFFSETTO:-0400', 'DTSTART:19700308T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', 'END:DAYLIGHT',
    'BEGIN:STANDARD', 'TZOFFSETFROM:-0400', 'TZOFFSETTO:-0500', 'DTSTART:19701101T020000', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU', 'END:STANDARD',
    'END:VTIMEZONE', '',
  ].join('\r\n');

  /** The occurrences by ical.js walked from DTSTART, every step, kept if they overlap the window. */
  function fromDtstart(text: string): string[] {
    const root = new ICAL.Component(ICAL.parse(text) as unknown as [string, unknown[], unknown[]]);
    const vevent = root.getFirstSubcomponent('vevent')!;
    const event = new ICAL.Event(vevent);
    const tz = tzidOf(vevent, 'dtstart');
    const duration = toUtcMs(event.endDate, tz) - toUtcMs(event.startDate, tz);
    const out: string[] = [];
    const iterator = event.iterator();
    for (let next = iterator.next(); next; next = iterator.next()) {
      const start = toUtcMs(next, tz);
      if (start > HOSTILE_WINDOW.until.getTime()) break;
      if (start + duration >= HOSTILE_WINDOW.from.getTime()) out.push(new Date(start).toISOString());
    }
    return out;
  }

  for (const [name, lines] of Object.entries(rules)) {
    it(`gives what walking from DTSTART gives: ${name}`, () => {
      const text = calendar(`${NEW_YORK}BEGIN:VEVENT\r\nUID:${name}\r\n${lines}\r\nEND:VEVENT\r\n`);
      const skips: FileSkip[] = [];
      const items = parseIcs(text, 'rules.ics', { accountId: 'cal', ...window, onSkip: (_d, s) => skips.push(s) });
      expect(skips).toEqual([]);
      expect(items.map((i) => i.start)).toEqual(fromDtstart(text));
    });
  }

  it('expands a daily series begun in 1990 in few steps', () => {
    const text = calendar('BEGIN:VEVENT\r\nUID:old\r\nDTSTART:19900101T090000Z\r\nDTEND:19900101T093000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n');
    // 13,000 days to the window: with 600 steps allowed, only a start near the window works.
    const items = parseIcs(text, 'old.ics', { accountId: 'cal', ...window, limits: { maxSeriesSteps: 600 } });
    expect(items).toHaveLength(490);
  });
});
