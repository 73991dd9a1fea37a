import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import libmime from 'libmime';
import { describe, expect, it } from 'vitest';
import { decodeWords } from '#lib/providers/files/address-list.ts';
import { decodeEncodedWords } from '#lib/providers/files/encoded-words.ts';
import { CHARSET_SAMPLES } from '#test/support/charset-samples.ts';

/**
 * The hand-written RFC 2047 decoder (lib/providers/files/encoded-words.ts) against the
 * libmime it replaced (which the tests still install): the same text for every charset
 * mail names, for the edge cases libmime handles on purpose, and for every encoded header
 * of the real mail in /work/shared/data.
 */

/** The shared samples, and ISO-2022-JP (which iconv-lite cannot encode, so the shim test leaves it out). */
const SAMPLES: ReadonlyArray<readonly [charset: string, text: string]> = [...CHARSET_SAMPLES, ['iso-2022-jp', '日本']];

const EDGE_CASES = [
  // Adjacent words of one charset are joined before decoding: a character split between two base64 words survives.
  `=?UTF-8?B?${Buffer.from('Zoë').toString('base64').slice(0, 2)}?= =?UTF-8?B?${Buffer.from('Zoë').toString('base64').slice(2)}?=`,
  '=?utf-8?B?w6k=?= =?utf-8?B?w6k=?=',
  '=?utf-8?Q?=C3?= =?utf-8?Q?=A9t=C3=A9?=',
  // Different charsets are not joined; the space between encoded words still goes.
  '=?iso-8859-1?Q?Ren=E9e?= =?utf-8?Q?Caf=C3=A9?=',
  '=?iso-8859-1?Q?Ren=E9e?= and =?windows-1252?Q?=93quoted=94?=',
  // Q: `_` is a space, a line break after `=` is repaired, a bad escape stays as it is.
  '=?utf-8?Q?Jean_Dupont?=', '=?utf-8?q?a=\n 41b?=', '=?utf-8?Q?100=25_=ZZ_=4?=', '=?utf-8?Q?caf=c3=a9?=',
  // Charset names as mail misspells them, an RFC 2231 language tag, unknown and refused charsets.
  '=?UTF8?Q?Caf=C3=A9?=', '=?win-1252?Q?=80?=', '=?latin-1?Q?=E9?=', '=?iso8859_2?Q?=A3?=', '=?us-ascii?Q?plain?=',
  '=?utf-8*en?Q?tagged?=', '=?x-unknown?Q?plain?=', '=?utf-7?Q?+ADw-script+AD4-?=', '=?x-user-defined?Q?=41?=',
  // Malformed or partial words, and text around them.
  '=?utf-8?B?not base64!?=', '=?utf-8?B??=', '=?utf-8?X?abc?=', '=?utf-8?Q?unterminated', 'plain text, no words',
  '"=?utf-8?Q?Ad=C3=A8le?=" <adele@example.com>, =?utf-8?B?QsOpYQ==?= <bea@example.com>',
  '=?utf-8?B?QQ==QQ==?=', '=?utf-8?b?w6nDqQ?=', '=?utf-8?B?w6nŁDqQ==?=', '=?utf-8?B?w6nŁ?=',
];

describe('decodeEncodedWords', () => {
  it('decodes each charset mail names as libmime did, in Q and B words', () => {
    for (const [charset, text] of SAMPLES) {
      // iconv-lite does not encode ISO-2022-JP: 日本 written out.
      const bytes = charset === 'iso-2022-jp' ? Buffer.from('1b2442467c4b5c1b2842', 'hex') : iconv.encode(text, charset);
      const q = [...bytes].map((b) => (b >= 0x21 && b <= 0x7e && b !== 0x3d && b !== 0x3f && b !== 0x5f ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
      for (const word of [`=?${charset.toUpperCase()}?B?${bytes.toString('base64')}?= <a@example.com>`, `=?${charset}?Q?${q}?=`]) {
        expect(decodeEncodedWords(word), word).toBe(libmime.decodeWords(word));
      }
      expect(decodeEncodedWords(`=?${charset}?B?${bytes.toString('base64')}?=`), charset).toBe(text);
    }
  });

  it('handles what libmime handles on purpose, as it did', () => {
    for (const word of EDGE_CASES) expect(decodeEncodedWords(word), JSON.stringify(word)).toBe(libmime.decodeWords(word));
    expect(decodeEncodedWords(EDGE_CASES[0]!)).toBe('Zoë');
    expect(decodeEncodedWords('=?utf-7?Q?+ADw-script+AD4-?=')).toBe('+ADw-script+AD4-');
  });

  it('reads a byte a Windows code page leaves undefined as WHATWG does (a C1 control), where iconv-lite gave U+FFFD', () => {
    expect(decodeEncodedWords('=?windows-1252?Q?a=81b?=')).toBe('a\u0081b');
    expect(libmime.decodeWords('=?windows-1252?Q?a=81b?=')).toBe('a\ufffdb');
  });

  it('decodes every encoded header of the real mail in /work/shared/data as libmime did', () => {
    const data = '/work/shared/data';
    if (!existsSync(data)) throw new Error(`${data} is missing: this test needs the shared sample data`);
    const files = readdirSync(data, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mbox')).map((f) => join(data, f));
    expect(files.filter((f) => f.includes('enron-allen-p')).length).toBe(10);
    let headers = 0;
    for (const file of files) {
      // Header lines, unfolded, as the mbox reader hands them over (bytes read as latin1).
      const unfolded = readFileSync(file, 'latin1').replace(/\r?\n[ \t]+/g, ' ');
      for (const line of unfolded.split(/\r?\n/)) {
        if (!line.includes('=?')) continue;
        headers++;
        expect(decodeWords(line), `${file}: ${line}`).toBe(libmime.decodeWords(line));
      }
    }
    // The Enron folders hold no encoded word; the mailing list does.
    expect(headers).toBeGreaterThan(30);
  });
});
