import { describe, expect, it } from 'vitest';
import { isKnownZone, zonedTimeToUtc } from '#lib/time/wall-clock.ts';

const at = (y: number, mo: number, d: number, h: number, mi = 0) => ({ year: y, month: mo, day: d, hour: h, minute: mi, second: 0 });
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

describe('zonedTimeToUtc', () => {
  it('applies winter and summer offsets', () => {
    expect(iso(zonedTimeToUtc(at(2026, 1, 15, 10), 'Europe/Paris'))).toBe('2026-01-15T09:00:00.000Z');
    expect(iso(zonedTimeToUtc(at(2026, 7, 15, 10), 'Europe/Paris'))).toBe('2026-07-15T08:00:00.000Z');
    expect(iso(zonedTimeToUtc(at(2026, 7, 15, 10), 'America/New_York'))).toBe('2026-07-15T14:00:00.000Z');
  });

  it('shifts a time in the spring gap forward (RFC 5545: offset before the gap)', () => {
    // 02:30 does not exist in Paris on 2026-03-29: read with +01:00, i.e. 03:30 CEST.
    expect(iso(zonedTimeToUtc(at(2026, 3, 29, 2, 30), 'Europe/Paris'))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(zonedTimeToUtc(at(2026, 3, 8, 2, 30), 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
  });

  it('takes the first of the two readings of the repeated autumn hour', () => {
    expect(iso(zonedTimeToUtc(at(2026, 10, 25, 2, 30), 'Europe/Paris'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(zonedTimeToUtc(at(2026, 10, 25, 3, 0), 'Europe/Paris'))).toBe('2026-10-25T02:00:00.000Z');
    expect(iso(zonedTimeToUtc(at(2026, 11, 1, 1, 30), 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
  });

  it('accepts prefixed TZIDs and refuses unknown zones', () => {
    expect(iso(zonedTimeToUtc(at(2026, 1, 15, 10), '/mozilla.org/20050126_1/Europe/Paris'))).toBe('2026-01-15T09:00:00.000Z');
    expect(isKnownZone('Eastern Standard Time')).toBe(false);
    expect(zonedTimeToUtc(at(2026, 1, 15, 10), 'Mars/Olympus_Mons')).toBeNull();
  });
});
