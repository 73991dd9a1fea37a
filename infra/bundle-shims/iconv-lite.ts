/**
 * The slice of iconv-lite that libmime uses (decoding only), on Node's TextDecoder, for
 * the Lambda bundles only: infra/bundling.ts aliases `iconv-lite` here, which keeps its
 * codec tables (about 480 KB, most of the sync worker's bundle) out. Node's TextDecoder
 * (full ICU, as Lambda's Node has) decodes every charset of the WHATWG Encoding standard:
 * the ISO-8859 and Windows code pages, KOI8, the Mac ones, GBK and GB18030, Big5, EUC-JP,
 * ISO-2022-JP, Shift_JIS, EUC-KR and UTF-16. Where WHATWG and iconv-lite differ, WHATWG
 * wins (as browsers and mail clients decode): `iso-8859-1` and `us-ascii` read as
 * windows-1252, and a byte a code page leaves undefined reads as the C1 control of the
 * same number where iconv-lite gives U+FFFD. A charset TextDecoder does not know throws, as iconv-lite does, and
 * libmime then falls back to UTF-8. The sync worker decodes only RFC 2047 words in
 * display names and subjects (hashed) with it; test/infra/bundle-shims.test.ts compares
 * it with iconv-lite on each of those charsets.
 */

interface Codec {
  /** The WHATWG encoding name; none for a codec libmime only asks about (UTF-7, base64, hex, UTF-32). */
  encoding?: string;
  decoder: object;
}

/** iconv-lite's canonical form of a name: lower case, alphanumerics only, no `:YYYY` suffix. */
const canonical = (name: string): string => String(name).toLowerCase().replace(/:\d{4}$|[^0-9a-z]/g, '');

/** Codecs TextDecoder lacks that libmime names at load (to refuse them, or to buffer UTF-32). */
const UNDECODABLE = new Set(['utf7', 'utf7imap', 'base64', 'hex', 'utf32', 'utf32le', 'utf32be', 'ucs4']);

const codecs = new Map<string, Codec>();

function whatwg(name: string): string | undefined {
  for (const label of [name, canonical(name)]) {
    try {
      return new TextDecoder(label).encoding;
    } catch {
      // not a label TextDecoder knows
    }
  }
  return undefined;
}

export function getCodec(name: string): Codec {
  const key = canonical(name);
  if (UNDECODABLE.has(key)) {
    let codec = codecs.get(key);
    if (!codec) codecs.set(key, (codec = { decoder: {} }));
    return codec;
  }
  const encoding = whatwg(name);
  if (encoding === undefined) throw new Error(`Encoding not recognized: '${name}' (searched as: '${key}')`);
  let codec = codecs.get(encoding);
  if (!codec) codecs.set(encoding, (codec = { encoding, decoder: {} }));
  return codec;
}

export function encodingExists(name: string): boolean {
  try {
    return getCodec(name).encoding !== undefined;
  } catch {
    return false;
  }
}

function decodable(name: string): string {
  const { encoding } = getCodec(name);
  if (encoding === undefined) throw new Error(`Encoding not supported here: '${name}'`);
  return encoding;
}

/**
 * windows-1252's 0x80 to 0x9F (WHATWG's index; the rest is Latin-1). Node 20's TextDecoder
 * reads windows-1252 as Latin-1 (nodejs/node#56542), so this one is decoded here.
 */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function cp1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
  return out;
}

/** Decodes bytes (a string is read as binary, as iconv-lite does). */
export function decode(input: Uint8Array | string, name: string): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'binary') : input;
  const encoding = decodable(name);
  return encoding === 'windows-1252' ? cp1252(bytes) : new TextDecoder(encoding).decode(bytes);
}

/** A decoder for input that arrives in chunks. */
export function getDecoder(name: string): { write(chunk: Uint8Array): string; end(): string | undefined } {
  const encoding = decodable(name);
  // A single-byte code page needs no state between chunks.
  if (encoding === 'windows-1252') return { write: cp1252, end: () => undefined };
  const decoder = new TextDecoder(encoding);
  return {
    write: (chunk) => decoder.decode(chunk, { stream: true }),
    end: () => decoder.decode() || undefined,
  };
}

export default { getCodec, encodingExists, decode, getDecoder };
