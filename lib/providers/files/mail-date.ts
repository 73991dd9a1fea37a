/**
 * Parsing of RFC 5322 `Date:` headers into epoch milliseconds, without ever falling back
 * to the machine's local time zone (which `Date.parse` does for a zone-less string), so an
 * import gives the same instants on every machine.
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/**
 * Zone names in minutes east of UTC: RFC 5322's obsolete US zones, plus a few that real
 * mail still carries. An unknown alphabetic zone counts as UTC, as RFC 5322 says of
 * military zones ("-0000": no information about the local zone).
 */
const ZONES: Readonly<Record<string, number>> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  cet: 60, cest: 120, bst: 60, eet: 120, eest: 180, wet: 0, west: 60, jst: 540, aest: 600,
};

// [day-of-week,] day month year hour:minute[:second] [zone]. Lenient on purpose: full
// month names, a missing day-of-week, single-digit hours and a missing zone all occur.
const RFC5322 =
  /^\s*(?:[a-z]+\s*,?\s*)?(\d{1,2})[\s-]+([a-z]{3})[a-z]*\.?[\s-]+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([+-]\d{4}|[a-z]{1,5})\b)?/i;

/**
 * Parses an RFC 5322 date (`Mon, 30 Oct 2000 01:14:00 -0800 (PST)`) to epoch ms UTC.
 * Two-digit years follow RFC 5322 (00-49 is 20xx). A date with no zone is read as UTC.
 * Other shapes (ISO 8601) are accepted only when they name their zone. Returns null when
 * the text is not a date.
 */
export function parseMailDate(raw: string | null | undefined): number | null {
  if (!raw) return null;
  const m = RFC5322.exec(raw);
  if (m) {
    const month = MONTHS[m[2]!.toLowerCase()];
    let year = Number(m[3]);
    if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
    else if (m[3]!.length === 3) year += 1900;
    const day = Number(m[1]);
    const hour = Number(m[4]);
    const minute = Number(m[5]);
    const second = m[6] ? Number(m[6]) : 0;
    if (month === undefined || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
      return null;
    }
    const local = Date.UTC(year, month, day, hour, minute, second);
    return local - zoneOffsetMinutes(m[7]) * 60_000;
  }
  if (!/(?:Z|[+-]\d{2}:?\d{2}|\bGMT|\bUTC)\s*$/i.test(raw.trim())) return null;
  const t = Date.parse(raw);
  return Number.isNaN(t) ? null : t;
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone) return 0;
  if (zone[0] === '+' || zone[0] === '-') {
    const sign = zone[0] === '-' ? -1 : 1;
    return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  }
  return ZONES[zone.toLowerCase()] ?? 0;
}
