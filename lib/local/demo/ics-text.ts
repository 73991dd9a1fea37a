import type { DemoAttendee, DemoEvent, Person } from './model.ts';
import { wallClock } from '#lib/time/wall-clock.ts';

/**
 * Writes the demo calendar as a Google Calendar export (RFC 5545): CRLF line ends,
 * lines folded at 75 octets, VTIMEZONE blocks for every TZID used, series with RRULE and
 * EXDATE, moved occurrences with RECURRENCE-ID.
 */

const VTIMEZONES: Readonly<Record<string, string[]>> = {
  'Europe/London': tzBlock('Europe/London', ['+0000', '+0100', 'BST', '19700329T010000', '3;BYDAY=-1SU'], ['+0100', '+0000', 'GMT', '19701025T020000', '10;BYDAY=-1SU']),
  'Europe/Berlin': tzBlock('Europe/Berlin', ['+0100', '+0200', 'CEST', '19700329T020000', '3;BYDAY=-1SU'], ['+0200', '+0100', 'CET', '19701025T030000', '10;BYDAY=-1SU']),
  'America/New_York': tzBlock('America/New_York', ['-0500', '-0400', 'EDT', '19700308T020000', '3;BYDAY=2SU'], ['-0400', '-0500', 'EST', '19701101T020000', '11;BYDAY=1SU']),
  'America/Chicago': tzBlock('America/Chicago', ['-0600', '-0500', 'CDT', '19700308T020000', '3;BYDAY=2SU'], ['-0500', '-0600', 'CST', '19701101T020000', '11;BYDAY=1SU']),
};

function tzBlock(tzid: string, daylight: string[], standard: string[]): string[] {
  const part = (kind: string, [from, to, name, start, rule]: string[]): string[] => [
    `BEGIN:${kind}`, `TZOFFSETFROM:${from}`, `TZOFFSETTO:${to}`, `TZNAME:${name}`, `DTSTART:${start}`,
    `RRULE:FREQ=YEARLY;BYMONTH=${rule}`, `END:${kind}`,
  ];
  return ['BEGIN:VTIMEZONE', `TZID:${tzid}`, `X-LIC-LOCATION:${tzid}`, ...part('DAYLIGHT', daylight), ...part('STANDARD', standard), 'END:VTIMEZONE'];
}

const BYDAY = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Folds a content line at 75 octets (RFC 5545 section 3.1), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let cur = '';
  let bytes = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    // Continuation lines start with a space, which counts toward their 75 octets.
    if (bytes + size > 75) {
      out.push(cur);
      cur = ' ';
      bytes = 1;
    }
    cur += ch;
    bytes += size;
  }
  out.push(cur);
  return out.join('\r\n');
}

/** Escapes a TEXT value (backslash, semicolon, comma, newline). */
function text(value: string): string {
  return value.replace(/([\\;,])/g, '\\$1').replace(/\n/g, '\\n');
}

/** A parameter value, quoted when it holds characters that end a parameter. */
function param(value: string): string {
  return /[:;,]/.test(value) ? `"${value.replace(/"/g, "'")}"` : value;
}

function utcStamp(at: Date): string {
  return `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}T${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}Z`;
}

function localStamp(at: Date, tz: string): string {
  const w = wallClock(at, tz);
  return `${w.year}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

/** `NAME;TZID=...:local` or `NAME:...Z`, as the event writes its times. */
function dateProp(name: string, at: Date, tz: string | null): string {
  return tz ? `${name};TZID=${tz}:${localStamp(at, tz)}` : `${name}:${utcStamp(at)}`;
}

function dateOnly(at: Date): string {
  return `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
}

function organizer(p: Person): string {
  return `ORGANIZER;CN=${param(p.name)}:mailto:${p.address}`;
}

function attendee(a: DemoAttendee): string {
  return `ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=${a.partstat};RSVP=TRUE;` +
    `CN=${param(a.name)};X-NUM-GUESTS=0:mailto:${a.address}`;
}

function vevent(e: DemoEvent): string[] {
  const end = new Date(e.start.getTime() + e.minutes * 60_000);
  // Deterministic bookkeeping stamps: invitations go out a week ahead.
  const created = new Date(e.start.getTime() - 7 * 86_400_000);
  const lines = ['BEGIN:VEVENT'];
  if (e.allDay) {
    lines.push(`DTSTART;VALUE=DATE:${dateOnly(e.start)}`, `DTEND;VALUE=DATE:${dateOnly(end)}`);
  } else {
    lines.push(dateProp('DTSTART', e.start, e.tz), dateProp('DTEND', end, e.tz));
  }
  if (e.weeklyCount !== null) {
    const day = e.tz ? wallClock(e.start, e.tz).weekday : e.start.getUTCDay();
    lines.push(`RRULE:FREQ=WEEKLY;WKST=MO;COUNT=${e.weeklyCount};BYDAY=${BYDAY[day]}`);
  }
  for (const ex of e.exdates) lines.push(dateProp('EXDATE', ex, e.tz));
  lines.push(`DTSTAMP:${utcStamp(created)}`);
  if (!e.allDay) lines.push(organizer(e.organizer));
  lines.push(`UID:${e.uid}`);
  if (e.recurrenceId) lines.push(dateProp('RECURRENCE-ID', e.recurrenceId, e.tz));
  for (const a of e.attendees) lines.push(attendee(a));
  lines.push(
    `CREATED:${utcStamp(created)}`,
    `DESCRIPTION:${text(e.description)}`,
    `LAST-MODIFIED:${utcStamp(created)}`,
    'LOCATION:',
    `SEQUENCE:${e.sequence}`,
    `STATUS:${e.status}`,
    `SUMMARY:${text(e.summary)}`,
    `TRANSP:${e.allDay ? 'TRANSPARENT' : 'OPAQUE'}`,
    'END:VEVENT',
  );
  return lines;
}

/** The whole calendar as iCalendar text. */
export function icsCalendar(events: DemoEvent[], owner: string, ownerTz: string): string {
  const zones = new Set<string>([ownerTz]);
  for (const e of events) if (e.tz) zones.add(e.tz);
  const lines = [
    'BEGIN:VCALENDAR',
    'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${owner}`,
    `X-WR-TIMEZONE:${ownerTz}`,
    ...[...zones].sort().flatMap((z) => VTIMEZONES[z] ?? []),
    ...events.flatMap(vevent),
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
