import { describe, expect, it } from 'vitest';
import { DateWords, displayName, fullName, organizationLabel } from '#lib/report/phrasing.ts';

describe('displayName', () => {
  it('uses the first name of a "First Last" name, else the address', () => {
    expect(displayName('ann@acme.com', 'Ann Lee')).toBe('Ann');
    expect(displayName('ann@acme.com', '  Ann  Marie O’Neil ')).toBe('Ann');
    expect(displayName('phillip@enron.com', 'Allen, Phillip K.')).toBe('Phillip');
    expect(displayName('jo@acme.com', 'José Álvarez')).toBe('José');
    expect(displayName('ann@acme.com', null)).toBe('ann@acme.com');
    expect(displayName('ann@acme.com', 'Ann')).toBe('ann@acme.com');
    expect(displayName('s@acme.com', 'Acme support team')).toBe('s@acme.com');
    expect(displayName('s@acme.com', 'ACME Support <script>')).toBe('s@acme.com');
    expect(displayName('j@acme.com', 'J. Smith')).toBe('j@acme.com');
    expect(displayName('x@acme.com', 'Ann\r\nBcc: evil@x.com')).toBe('x@acme.com');
    // Family-name particles are part of a name (issue 12: people named in full read as names).
    expect(displayName('m@acme.com', 'Maximiliane-Konstantina von Hohenzollern-Sigmaringen')).toBe('Maximiliane-Konstantina');
    expect(displayName('a@acme.com', 'Ana María de la Cruz')).toBe('Ana');
    expect(displayName('l@acme.com', 'van Beethoven, Ludwig')).toBe('Ludwig');
    expect(displayName('l@acme.com', 'von Neumann')).toBe('l@acme.com');
    expect(displayName('l@acme.com', 'Ludwig van')).toBe('l@acme.com');
  });
});

describe('fullName', () => {
  it('turns a directory’s "Last, First" around, and keeps anything else as written', () => {
    expect(fullName('priya@acme.com', 'Shah, Priya')).toBe('Priya Shah');
    expect(fullName('phillip@enron.com', 'Allen, Phillip K.')).toBe('Phillip K. Allen');
    expect(fullName('s@acme.com', 'Support, ACME team 2')).toBe('Support, ACME team 2');
    expect(fullName('ann@acme.com', ' Ann\r\nLee ')).toBe('Ann Lee');
    expect(fullName('ann@acme.com', null)).toBe('ann@acme.com');
    expect(fullName('l@acme.com', 'van Beethoven, Ludwig')).toBe('Ludwig van Beethoven');
  });
});

describe('organizationLabel', () => {
  it('gives a readable name from a domain', () => {
    expect(organizationLabel('acme.com')).toBe('Acme');
    expect(organizationLabel('mail.acme.co.uk')).toBe('Acme');
    expect(organizationLabel('localhost')).toBe('localhost');
  });
});

describe('DateWords', () => {
  const asOf = new Date('2026-11-24T07:00:00.000Z'); // a Tuesday
  it('says today, yesterday, a weekday within the week, else a date', () => {
    const d = new DateWords(asOf);
    expect(d.when('2026-11-24T01:00:00.000Z')).toBe('today');
    expect(d.when('2026-11-23T01:00:00.000Z')).toBe('yesterday');
    expect(d.when('2026-11-18T12:00:00.000Z')).toBe('on Wednesday');
    expect(d.when('2026-11-17T12:00:00.000Z')).toBe('on 17 Nov');
    expect(d.fullDate(asOf)).toBe('24 Nov 2026');
  });

  it('counts days by the user’s midnight', () => {
    // 23:30 UTC on the 23rd is already the 24th in Tokyo.
    expect(new DateWords(asOf, 'UTC').when('2026-11-23T23:30:00.000Z')).toBe('yesterday');
    expect(new DateWords(asOf, 'Asia/Tokyo').when('2026-11-23T23:30:00.000Z')).toBe('today');
  });
});
