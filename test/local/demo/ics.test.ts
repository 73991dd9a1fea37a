import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { generateDemoMailbox } from '#lib/local/demo/generate.ts';
import { buildScenario, DEMO_AS_OF, DEMO_SEED } from '#lib/local/demo/scenario.ts';

const demo = generateDemoMailbox();
const calendar = new ICAL.Component(ICAL.parse(demo.ics));
const vevents = calendar.getAllSubcomponents('vevent');

describe('demo calendar', () => {
  it('parses with ical.js, with a VTIMEZONE for every TZID it uses', () => {
    expect(calendar.name).toBe('vcalendar');
    expect(vevents).toHaveLength(demo.expectations.counts.events);
    const zones = calendar.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'));
    expect(zones).toEqual(expect.arrayContaining(['Europe/London', 'America/New_York']));
    const used = new Set([...demo.ics.matchAll(/TZID=([^:;]+)/g)].map((m) => m[1]));
    for (const tz of used) expect(zones).toContain(tz);
  });

  it('folds lines at 75 octets with CRLF line ends', () => {
    expect(demo.ics).not.toMatch(/[^\r]\n/);
    const lines = demo.ics.split('\r\n');
    for (const line of lines) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(lines.filter((l) => l.startsWith(' ')).length).toBeGreaterThan(20);
  });

  it('holds a weekly series with an EXDATE, a moved occurrence, a cancelled and a declined meeting', () => {
    const series = vevents.filter((e) => e.hasProperty('rrule'));
    expect(series).toHaveLength(1);
    expect(String(series[0]!.getFirstPropertyValue('rrule'))).toMatch(/FREQ=WEEKLY/);
    expect(series[0]!.hasProperty('exdate')).toBe(true);
    const moved = vevents.filter((e) => e.hasProperty('recurrence-id'));
    expect(moved).toHaveLength(1);
    expect(moved[0]!.getFirstPropertyValue('uid')).toBe(series[0]!.getFirstPropertyValue('uid'));
    expect(vevents.filter((e) => e.getFirstPropertyValue('status') === 'CANCELLED')).toHaveLength(1);
    const declinedByMe = vevents.filter((e) => e.getAllProperties('attendee').some((a) =>
      String(a.getFirstValue()).includes('alex.morgan@') && a.getParameter('partstat') === 'DECLINED'));
    expect(declinedByMe).toHaveLength(1);
    const organizer = vevents[0]!.getFirstProperty('organizer')!;
    expect(organizer.getParameter('cn')).toBeTruthy();
    expect(String(organizer.getFirstValue())).toMatch(/^mailto:/);
  });

  it('expands (through ical.js and its VTIMEZONEs) to exactly the scenario occurrences', () => {
    for (const z of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(z);
    const starts: number[] = [];
    const masters = vevents.filter((e) => !e.hasProperty('recurrence-id'));
    for (const comp of masters) {
      const event = new ICAL.Event(comp);
      if (event.startDate.isDate) {
        // A DATE has no zone: read it as the UTC day (toJSDate would use the machine's zone).
        starts.push(Date.UTC(event.startDate.year, event.startDate.month - 1, event.startDate.day));
        continue;
      }
      for (const o of vevents.filter((e) => e.hasProperty('recurrence-id') && e.getFirstPropertyValue('uid') === event.uid)) {
        event.relateException(o);
      }
      if (!event.isRecurring()) {
        starts.push(event.startDate.toJSDate().getTime());
        continue;
      }
      const it = event.iterator();
      for (let next = it.next(); next; next = it.next()) starts.push(event.getOccurrenceDetails(next).startDate.toJSDate().getTime());
    }
    const expected = buildScenario(DEMO_AS_OF, DEMO_SEED).occurrences.map((o) => o.start.getTime());
    expect(starts.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
  });
});
