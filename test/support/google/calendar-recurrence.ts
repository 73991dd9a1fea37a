/**
 * Recurrence expansion for the Calendar emulator: the subset of RFC 5545 Google's UI
 * writes for ordinary meetings (RRULE FREQ=DAILY|WEEKLY with INTERVAL, COUNT, UNTIL and
 * weekly BYDAY; EXDATE). Occurrences keep their wall-clock time in the event's
 * `timeZone` across DST changes, as Google does.
 */
import { zonedTimeToUtc } from '#lib/time/wall-clock.ts';
import type { WallClock } from '#lib/time/wall-clock.ts';

/** An event time on the wire. */
export interface EventTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

/** One occurrence of a series. */
export interface Occurrence {
  /** Google's instance id: `${seriesId}_${20261123T090000Z}` (all-day: `_20261123`). */
  id: string;
  /** Original start, epoch ms UTC (00:00 UTC for all-day). */
  startMs: number;
  start: EventTime;
  end: EventTime;
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/**
 * Every occurrence of a series with the given start, end and `recurrence` lines, in
 * order, stopping at `until` (epoch ms) for rules without COUNT or UNTIL.
 */
export function expandSeries(seriesId: string, start: EventTime, end: EventTime, recurrence: string[], until: number): Occurrence[] {
  const rule = recurrence.find((line) => /^RRULE:/i.test(line));
  if (!rule) throw new Error(`series ${seriesId}: no RRULE in ${JSON.stringify(recurrence)}`);
  const parts = Object.fromEntries(rule.slice(6).split(';').map((p) => p.split('=') as [string, string]));
  const freq = parts.FREQ;
  if (freq !== 'DAILY' && freq !== 'WEEKLY') throw new Error(`series ${seriesId}: FREQ=${freq} is not emulated`);
  const interval = Number(parts.INTERVAL ?? 1);
  const count = parts.COUNT ? Number(parts.COUNT) : Number.POSITIVE_INFINITY;
  const allDay = start.date !== undefined;
  const zone = allDay ? null : new Zone(start);
  const first = allDay ? dateWall(start.date!) : zone!.wallOf(Date.parse(start.dateTime!));
  const firstMs = allDay ? Date.UTC(first.year, first.month - 1, first.day) : zone!.toUtc(first);
  const durationMs = (allDay ? Date.parse(`${end.date}T00:00:00Z`) : Date.parse(end.dateTime!)) - firstMs;
  const last = parts.UNTIL ? untilMs(parts.UNTIL, zone) : until;
  const exdates = new Set(recurrence.filter((l) => /^EXDATE/i.test(l)).flatMap((l) => exdateMs(l, zone)));
  const byDay = freq === 'WEEKLY' && parts.BYDAY ? parts.BYDAY.split(',').map((d) => WEEKDAYS.indexOf(d)) : null;

  const out: Occurrence[] = [];
  let generated = 0;
  const firstDay = Date.UTC(first.year, first.month - 1, first.day);
  // Walk day by day in wall-clock dates: simple and exact for DAILY and WEEKLY rules.
  for (let day = 0; generated < count; day++) {
    const dayMs = firstDay + day * DAY_MS;
    const d = new Date(dayMs);
    const inStep = freq === 'DAILY'
      ? day % interval === 0
      : byDay
        ? Math.floor((day + mondayIndex(firstDay)) / 7) % interval === 0 && byDay.includes(d.getUTCDay())
        : day % (7 * interval) === 0;
    if (!inStep) continue;
    const wall: WallClock = { ...first, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    const startMs = allDay ? dayMs : zone!.toUtc(wall);
    if (startMs > last) break;
    generated++;
    if (exdates.has(startMs)) continue;
    const endMs = startMs + durationMs;
    out.push({
      id: `${seriesId}_${allDay ? compactDate(startMs) : compactUtc(startMs)}`,
      startMs,
      start: allDay ? { date: isoDate(startMs) } : zone!.eventTime(startMs),
      end: allDay ? { date: isoDate(endMs) } : zone!.eventTime(endMs),
    });
  }
  return out;
}

/** Days since the Monday starting dtstart's week (WKST=MO), for weekly INTERVAL. */
function mondayIndex(dayMs: number): number {
  return (new Date(dayMs).getUTCDay() + 6) % 7;
}

/**
 * A zone to expand in: the event's IANA `timeZone`, or else the fixed offset its
 * `dateTime` was written with.
 */
class Zone {
  private readonly tz: string | undefined;
  private readonly fixedOffsetMs: number;
  constructor(time: EventTime) {
    this.tz = time.timeZone;
    const m = /([+-])(\d{2}):(\d{2})$/.exec(time.dateTime!);
    this.fixedOffsetMs = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0;
  }
  offsetAt(ms: number): number {
    if (!this.tz) return this.fixedOffsetMs;
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone: this.tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric',
      }).formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)]),
    ) as Record<string, number>;
    return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - Math.floor(ms / 1000) * 1000;
  }
  wallOf(ms: number): WallClock {
    const d = new Date(ms + this.offsetAt(ms));
    return {
      year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
      hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(),
    };
  }
  toUtc(wall: WallClock): number {
    const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
    if (!this.tz) return naive - this.fixedOffsetMs;
    const ms = zonedTimeToUtc(wall, this.tz);
    if (ms === null) throw new Error(`unknown time zone ${this.tz}`);
    return ms;
  }
  /** How Google writes a time: local wall clock with the zone's offset, and the zone. */
  eventTime(ms: number): EventTime {
    const offset = this.offsetAt(ms);
    const local = new Date(ms + offset).toISOString().slice(0, 19);
    const abs = Math.abs(offset) / 60_000;
    const sign = offset < 0 ? '-' : '+';
    const text = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    return this.tz ? { dateTime: text, timeZone: this.tz } : { dateTime: text };
  }
}

function dateWall(date: string): WallClock {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return { year, month, day, hour: 0, minute: 0, second: 0 };
}

/** An RFC 5545 DATE or DATE-TIME value (`20261123`, `20261123T090000Z`, `20261123T090000`). */
function parseValue(value: string, zone: Zone | null): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(value.trim());
  if (!m) throw new Error(`unreadable recurrence date ${value}`);
  const wall: WallClock = {
    year: Number(m[1]), month: Number(m[2]), day: Number(m[3]),
    hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0),
  };
  if (m[7] || !m[4] || !zone) return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return zone.toUtc(wall);
}

function untilMs(value: string, zone: Zone | null): number {
  const ms = parseValue(value, zone);
  // A date-only UNTIL includes that whole day.
  return /T/.test(value) ? ms : ms + DAY_MS - 1;
}

/** EXDATE lines: `EXDATE:v1,v2`, `EXDATE;TZID=Europe/Paris:...`, `EXDATE;VALUE=DATE:...`. */
function exdateMs(line: string, zone: Zone | null): number[] {
  const colon = line.indexOf(':');
  const params = line.slice(0, colon);
  const tzid = /TZID=([^;:]+)/i.exec(params)?.[1];
  const z = tzid ? new Zone({ dateTime: '1970-01-01T00:00:00Z', timeZone: tzid }) : zone;
  return line.slice(colon + 1).split(',').map((v) => parseValue(v, z));
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function compactDate(ms: number): string {
  return isoDate(ms).replace(/-/g, '');
}

function compactUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z';
}

