/**
 * RFC 2047 encoded words (`=?charset?Q|B?text?=`) in header text, decoded by hand on
 * Node's TextDecoder. Hand-written, in place of `libmime.decodeWords`, because libmime
 * cannot be bundled in part: it is one object with its MIME type tables, encoders and
 * charset converters (86 KB of the sync worker's Lambda bundle, issue 14), and Sinew only
 * ever asks it this. This file follows libmime 5.6's `decodeWords` step by step, so its
 * output is libmime's: adjacent words of one charset and encoding are joined before
 * decoding (a character split across two base64 words survives), whitespace between
 * encoded words is dropped, Q words read `_` as a space and tolerate a line break after
 * `=`, B words made of several padded segments are decoded segment by segment (libbase64),
 * an RFC 2231 language tag (`charset*lang`) is ignored, and a charset nobody knows, or
 * UTF-7 (a known way to smuggle markup past filters), is read as UTF-8.
 *
 * Charset names resolve as libmime resolves them: its alias table is the WHATWG Encoding
 * standard's labels (so `iso-8859-1` and `us-ascii` are windows-1252), which TextDecoder
 * knows, and libmime's spelling repairs (`win-1252`, `latin-1`, `iso8859_2`, `utf8`)
 * apply before a second look. The bytes are then decoded by TextDecoder (full ICU, as
 * Node 20 and Lambda have) where libmime used iconv-lite: the two agree on every
 * character a charset defines; on a byte a Windows code page leaves undefined WHATWG
 * gives the C1 control of that number where iconv-lite gave U+FFFD. UTF-32, which WHATWG dropped,
 * reads as UTF-8. test/providers/files/encoded-words.test.ts compares this with libmime
 * on every charset mail names, and on every encoded header of /work/shared/data.
 */

/** Marks two adjacent words to be joined, as libmime marks them. */
const JOIN = '__\x00JOIN\x00__';
const B_PAIR = /(=\?([^?]+)\?[Bb]\?[^?]*\?=)\s*(?==\?([^?]+)\?[Bb]\?[^?]*\?=)/g;
const Q_PAIR = /(=\?([^?]+)\?[Qq]\?[^?]*\?=)\s*(?==\?([^?]+)\?[Qq]\?[^?]*\?=)/g;
const JOINED = new RegExp(`(\\?=)?${JOIN}(=\\?([^?]+)\\?[QqBb]\\?)?`, 'g');
const SPACE_BETWEEN = /(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?[^?]+\?[QqBb]\?[^?]*\?=)/g;
const WORD = /=\?([\w_\-*]+)\?([QqBb])\?([^?]*)\?=/g;

/** Decodes every encoded word in `text`; text outside them is kept as it is. */
export function decodeEncodedWords(text: string): string {
  const joinSameCharset = (match: string, left: string, leftCharset: string, rightCharset: string): string =>
    charsetKey(leftCharset) === charsetKey(rightCharset) ? left + JOIN : match;
  return text
    .replace(B_PAIR, joinSameCharset)
    .replace(Q_PAIR, joinSameCharset)
    .replace(JOINED, '')
    .replace(SPACE_BETWEEN, '$1')
    .replace(WORD, (_match, charset: string, encoding: string, word: string) => decodeWord(charset, encoding, word));
}

function decodeWord(charset: string, encoding: string, word: string): string {
  const star = charset.indexOf('*');
  const name = star >= 0 ? charset.slice(0, star) : charset;
  const bytes = encoding.toUpperCase() === 'Q' ? quotedPrintable(word) : base64(word);
  return decode(bytes, charsetKey(name));
}

/** A Q word's bytes: `_` and whitespace are spaces, `=XX` a byte, anything else its UTF-8 bytes. */
function quotedPrintable(word: string): Buffer {
  const buf = Buffer.from(word.replace(/=\s+([0-9a-fA-F])/g, '=$1').replace(/[_\s]/g, ' '));
  const bytes: number[] = [];
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (i <= buf.length - 2 && c === 0x3d && isHex(buf[i + 1]) && isHex(buf[i + 2])) {
      bytes.push(parseInt(String.fromCharCode(buf[i + 1]!, buf[i + 2]!), 16));
      i += 2;
    } else {
      bytes.push(c);
    }
  }
  return Buffer.from(bytes);
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46));
}

/**
 * A B word's bytes. Buffer stops at the first padding character, so text made of several
 * padded segments (two joined words) is decoded segment by segment, as libbase64 does.
 */
function base64(word: string): Buffer {
  // Buffer reads only a character's low byte: one beyond Latin-1 is no base64 character, and is skipped.
  const text = /[\u0100-\uffff]/.test(word) ? word.replace(/[\u0100-\uffff]+/g, '') : word;
  const pad = text.indexOf('=');
  if (pad < 0 || !/[a-zA-Z0-9+/\-_]/.test(text.slice(pad))) return Buffer.from(text, 'base64');
  const out = Buffer.alloc(Math.floor((text.length * 3) / 4));
  let length = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('=', start);
    if (end < 0) end = text.length;
    if (end > start) length += out.write(text.substring(start, end), length, 'base64');
    start = end + 1;
  }
  return Buffer.from(out.subarray(0, length));
}

/** libmime's repairs of common misspellings, tried when the name is not a label as it is. */
function repairedName(label: string): string {
  return label
    .replace(/^utf[-_]?(\d+)/, 'utf-$1')
    .replace(/^(?:us[-_]?)ascii/, 'windows-1252')
    .replace(/^win(?:dows)?[-_]?(\d+)/, 'windows-$1')
    .replace(/^(?:latin|iso[-_]?8859)?[-_]?(\d+)/, 'iso-8859-$1')
    .replace(/^l[-_]?(\d+)/, 'iso-8859-$1');
}

function encodingOf(label: string): string | undefined {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    // not a label TextDecoder knows (or the WHATWG "replacement" encoding)
    return undefined;
  }
}

/** What a charset name resolves to: its WHATWG encoding, or the repaired name when it has none. */
function charsetKey(name: string): string {
  const label = name.toLowerCase().trim();
  return encodingOf(label) ?? encodingOf(repairedName(label)) ?? repairedName(label);
}

/**
 * windows-1252's 0x80 to 0x9F (WHATWG's index; the rest is Latin-1): Node 20's TextDecoder
 * reads windows-1252, and so `iso-8859-1` and `us-ascii`, as Latin-1 (nodejs/node#56542).
 */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Bytes in a charset's encoding as text; UTF-8 itself, UTF-7 and an unknown charset are read as UTF-8. */
function decode(bytes: Buffer, encoding: string): string {
  if (encoding === 'windows-1252') {
    let out = '';
    for (const b of bytes) out += b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
    return out;
  }
  if (encoding !== 'utf-8') {
    try {
      return new TextDecoder(encoding).decode(bytes);
    } catch {
      // not an encoding TextDecoder knows: UTF-8, as libmime falls back
    }
  }
  return bytes.toString('utf8');
}
