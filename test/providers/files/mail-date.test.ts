import { describe, expect, it } from 'vitest';
import { parseMailDate } from '#lib/providers/files/mail-date.ts';

const iso = (raw: string): string | null => {
  const t = parseMailDate(raw);
  return t === null ? null : new Date(t).toISOString();
};

describe('parseMailDate', () => {
  it('applies numeric zones and ignores the trailing comment', () => {
    expect(iso('Mon, 30 Oct 2000 01:14:00 -0800 (PST)')).toBe('2000-10-30T09:14:00.000Z');
    expect(iso('Mon, 23 Apr 2001 03:31:00 -0700 (PDT)')).toBe('2001-04-23T10:31:00.000Z');
    expect(iso('Tue, 1 Oct 2024 14:00:00 +0530')).toBe('2024-10-01T08:30:00.000Z');
  });

  it('knows the RFC 5322 US zone names', () => {
    expect(iso('Thu, 1 Mar 2001 10:00:00 PST')).toBe('2001-03-01T18:00:00.000Z');
    expect(iso('1 Jul 2001 10:00 EDT')).toBe('2001-07-01T14:00:00.000Z');
  });

  it('reads two-digit years and full month names', () => {
    expect(iso('Fri, 5 Jan 01 12:00:00 GMT')).toBe('2001-01-05T12:00:00.000Z');
    expect(iso('5 January 1999 12:00:00 +0000')).toBe('1999-01-05T12:00:00.000Z');
  });

  it('reads a date without zone as UTC, not machine time', () => {
    expect(iso('Fri, 5 Jan 2001 12:00:00')).toBe('2001-01-05T12:00:00.000Z');
  });

  it('accepts ISO 8601 only with a zone, and rejects non-dates', () => {
    expect(iso('2001-01-05T12:00:00Z')).toBe('2001-01-05T12:00:00.000Z');
    expect(iso('2001-01-05T12:00:00')).toBeNull();
    expect(iso('Every Thursday')).toBeNull();
    expect(iso('Mon, 31 Foo 2001 10:00:00 +0000')).toBeNull();
    expect(iso('')).toBeNull();
  });
});
