import { describe, expect, it } from 'vitest';
import { parseAddressList, repairEncoding } from '#lib/providers/files/address-list.ts';

describe('parseAddressList', () => {
  it('splits on commas outside quotes and keeps quoted names whole', () => {
    expect(parseAddressList('"Lee, Ann" <Ann@Acme.com>, bob@acme.com')).toEqual([
      { address: 'ann@acme.com', name: 'Lee, Ann' },
      { address: 'bob@acme.com', name: null },
    ]);
  });

  it('reads group syntax and drops empty groups', () => {
    expect(parseAddressList('undisclosed-recipients:;').map((a) => a.address)).toEqual([]);
    expect(parseAddressList('Team: a@x.com, "B" <b@x.com>; c@y.com').map((a) => a.address)).toEqual([
      'a@x.com', 'b@x.com', 'c@y.com',
    ]);
  });

  it('takes a comment as the name of a bare address', () => {
    expect(parseAddressList('john@x.com (John Doe)')).toEqual([{ address: 'john@x.com', name: 'John Doe' }]);
  });

  it('decodes RFC 2047 names', () => {
    expect(parseAddressList('=?ISO-8859-1?Q?Andr=E9?= <andre@x.fr>')).toEqual([{ address: 'andre@x.fr', name: 'André' }]);
  });

  it('handles Enron oddities and skips entries without @', () => {
    expect(parseAddressList("<'john'@x.com>, k..allen@enron.com, Phillip K Allen, <.jane@x.com>").map((a) => a.address)).toEqual([
      'john@x.com', 'k..allen@enron.com', '.jane@x.com',
    ]);
  });

  it('normalizes gmail aliases and deduplicates', () => {
    expect(parseAddressList('J.Doe+news@gmail.com, jdoe@googlemail.com').map((a) => a.address)).toEqual(['jdoe@gmail.com']);
  });

  it('accepts ; as a separator and mailto: prefixes', () => {
    expect(parseAddressList('a@x.com; <mailto:b@x.com>').map((a) => a.address)).toEqual(['a@x.com', 'b@x.com']);
  });

  it('drops a name that only repeats the address', () => {
    expect(parseAddressList('"ann@acme.com" <ann@acme.com>')).toEqual([{ address: 'ann@acme.com', name: null }]);
  });

  it('reads a stray quote or parenthesis (broken UTF-8: 0xC3 0x28 is "Ã(") as a character, not swallowing the address', () => {
    expect(parseAddressList('Ann \xc3( Lee <ann@acme.com>, bob@acme.com')).toEqual([
      { address: 'ann@acme.com', name: 'Ann \xc3( Lee' }, { address: 'bob@acme.com', name: null },
    ]);
    expect(parseAddressList('Ann " Lee <ann@acme.com>').map((a) => a.address)).toEqual(['ann@acme.com']);
    // Comments and quoted names that close are still read as such.
    expect(parseAddressList('"Lee, Ann" (work) <ann@acme.com>')).toEqual([{ address: 'ann@acme.com', name: 'Lee, Ann' }]);
  });

  it('stays linear on a header of unclosed quotes and parentheses', () => {
    const hostile = `${'("\\"'.repeat(200_000)} <ann@acme.com>`;
    const started = performance.now();
    expect(parseAddressList(hostile).map((a) => a.address)).toEqual(['ann@acme.com']);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('repairEncoding', () => {
  it('re-reads raw UTF-8 bytes that arrived as latin1', () => {
    expect(repairEncoding(Buffer.from('Jürgen', 'utf8').toString('latin1'))).toBe('Jürgen');
  });

  it('keeps genuine latin1 text that is not valid UTF-8', () => {
    expect(repairEncoding('Andr\xe9')).toBe('Andr\xe9');
  });
});
