/**
 * Strict checks of an event's dates before ical.js reads them. ical.js does not refuse a
 * bad date: it throws deep inside expansion for some (`DTSTART:tomorrow`) and silently
 * rolls others over (`20261341T250000Z` becomes 11 Feb 2027, `UNTIL=20261399` a date in
 * 2027), so a broken event would either abort the file or count on the wrong day.
 */

/** A jCal component (`['vevent', properties, subcomponents]`) as `ICAL.parse` returns it. */
export type JCalComponent = [string, JCalProperty[], JCalComponent[]];
/** A jCal property: name, parameters, value type, values. */
export type JCalProperty = [string, Record<string, unknown>, string, ...unknown[]];

/** Properties whose values are dates, date-times or periods (RFC 5545 3.8.2, 3.8.4.4, 3.8.5). */
const DATE_PROPERTIES = new Set(['dtstart', 'dtend', 'due', 'recurrence-id', 'exdate', 'rdate']);

const FREQUENCIES = new Set(['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);

/**
 * The first date of a component's own properties (not its alarms') that is not a real
 * date, as `DTSTART 2026-13-41T25:00:00Z`; null when every one is. Covers DTSTART, DTEND,
 * DUE, RECURRENCE-ID, EXDATE, RDATE (dates, date-times and periods), DURATION and the
 * RRULE's FREQ and UNTIL.
 */
export function badDateIn(component: JCalComponent): string | null {
  for (const [name, , type, ...values] of component[1]) {
    const label = name.toUpperCase();
    if (DATE_PROPERTIES.has(name)) {
      for (const value of values) {
        if (!dateValueOk(type, value)) return `${label} ${show(value)}`;
      }
    } else if (name === 'duration') {
      if (!values.every((v) => typeof v === 'string' && isDuration(v))) return `${label} ${show(values[0])}`;
    } else if (name === 'rrule' || name === 'exrule') {
      for (const value of values) {
        const rule = value as { freq?: unknown; until?: unknown } | null;
        if (typeof rule?.freq !== 'string' || !FREQUENCIES.has(rule.freq)) return `${label} FREQ ${show(rule?.freq)}`;
        if (rule.until !== undefined && !(typeof rule.until === 'string' && (isDate(rule.until) || isDateTime(rule.until)))) {
          return `${label} UNTIL ${show(rule.until)}`;
        }
      }
    }
  }
  return null;
}

function dateValueOk(type: string, value: unknown): boolean {
  if (type === 'date') return typeof value === 'string' && isDate(value);
  if (type === 'date-time') return typeof value === 'string' && isDateTime(value);
  if (type === 'period') {
    if (!Array.isArray(value) || value.length !== 2) return false;
    const [start, end] = value as unknown[];
    return typeof start === 'string' && isDateTime(start) && typeof end === 'string' && (isDateTime(end) || isDuration(end));
  }
  return false;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z?$/;
const DURATION = /^[+-]?P(?:\d+W|(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)$/;

function isDate(value: string): boolean {
  const m = DATE.exec(value);
  return m !== null && dayExists(Number(m[1]), Number(m[2]), Number(m[3]));
}

function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  // A leap second (60) is allowed by RFC 5545.
  return m !== null && dayExists(Number(m[1]), Number(m[2]), Number(m[3])) && Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6]) <= 60;
}

function isDuration(value: string): boolean {
  // `P` and `PT` alone match the pattern but say nothing.
  return DURATION.test(value) && /\d/.test(value);
}

function dayExists(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** A value for an error message, cut short: dates are short, junk may not be. */
function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
