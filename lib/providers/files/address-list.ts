import { normalizeAddress } from '#lib/items/normalize.ts';
import { decodeEncodedWords } from './encoded-words.ts';

/** One entry of an address header: a normalized address and its display name, if any. */
export interface ParsedAddress {
  address: string;
  name: string | null;
}

/**
 * Parses an RFC 5322 address list (To, Cc, From, ...) as archives really write it:
 * quoted names holding commas, comments, groups (`team: a@x.com, b@x.com;`), `;` used
 * as a separator (Outlook), Enron's quoted local parts (`<'john'@x.com>`). Entries with
 * no `local@domain` are skipped rather than failing the message, because one bad
 * recipient must not lose the other interactions. Addresses come back normalized
 * (see items/normalize) and deduplicated; names are decoded (RFC 2047).
 */
export function parseAddressList(raw: string | null | undefined): ParsedAddress[] {
  if (!raw) return [];
  const value = repairEncoding(raw);
  const out: ParsedAddress[] = [];
  const seen = new Set<string>();
  const add = (rawAddress: string, rawName: string): void => {
    const address = normalizeAddress(cleanAddress(rawAddress));
    if (!address || seen.has(address)) return;
    seen.add(address);
    out.push({ address, name: cleanName(rawName, address) });
  };
  // Most headers (and nearly all of Enron) are plain comma-separated addresses: skip
  // the character scanner for them.
  if (!/["(<:;]/.test(value)) {
    for (const part of value.split(',')) add(part, '');
    return out;
  }
  for (const entry of scanEntries(value)) {
    if (entry.angle !== null) {
      add(entry.angle, entry.phrase || entry.comment);
      continue;
    }
    // A bare entry: the address is the word with an `@`; anything else is a name.
    const words = entry.phrase.split(/\s+/).filter((w) => w.length > 0);
    const at = words.findIndex((w) => w.includes('@'));
    if (at < 0) continue;
    const rest = words.filter((_, i) => i !== at).join(' ');
    add(words[at]!, entry.comment || rest);
  }
  return out;
}

interface Entry {
  phrase: string;
  angle: string | null;
  comment: string;
}

/** Splits a header value into entries, honouring quotes, comments, angles and groups. */
function scanEntries(value: string): Entry[] {
  const entries: Entry[] = [];
  let cur: Entry = { phrase: '', angle: null, comment: '' };
  const flush = (): void => {
    cur.phrase = cur.phrase.trim();
    if (cur.phrase || cur.angle !== null) entries.push(cur);
    cur = { phrase: '', angle: null, comment: '' };
  };
  const n = value.length;
  // Once a quote or a comment is found never to close, later ones are not looked for
  // either: each look is a scan to the end, and must not be repeated (linear time).
  let quotesClose = true;
  let commentsClose = true;
  let i = 0;
  while (i < n) {
    const ch = value[i]!;
    const quoteEnd = ch === '"' && quotesClose ? closingQuote(value, i) : -1;
    const commentEnd = ch === '(' && commentsClose ? closingParen(value, i) : -1;
    if (ch === '"' && quoteEnd < 0) quotesClose = false;
    if (ch === '(' && commentEnd < 0) commentsClose = false;
    if (quoteEnd >= 0) {
      let text = '';
      for (let j = i + 1; j < quoteEnd; j++) {
        if (value[j] === '\\' && j + 1 < quoteEnd) j++;
        text += value[j];
      }
      cur.phrase += text;
      i = quoteEnd + 1;
    } else if (commentEnd >= 0) {
      if (!cur.comment) cur.comment = value.slice(i + 1, commentEnd).trim();
      i = commentEnd + 1;
    } else if (ch === '<') {
      const close = value.indexOf('>', i + 1);
      const end = close < 0 ? n : close;
      cur.angle = value.slice(i + 1, end).trim();
      i = end + 1;
    } else if (ch === ',' || ch === ';') {
      flush();
      i++;
    } else if (ch === ':' && cur.angle === null && !cur.phrase.includes('@')) {
      // A group name ("undisclosed-recipients:", "team: a@x, b@x;"): not an address.
      cur.phrase = '';
      i++;
    } else {
      cur.phrase += ch;
      i++;
    }
  }
  flush();
  return entries;
}

/**
 * Where the quoted string opened at `open` closes, or -1 if it never does: then the quote
 * is an ordinary character (a stray byte, e.g. of broken UTF-8: 0xC3 0x28 reads as `Ã(`),
 * not a string that would swallow the address after it. Likewise a comment.
 */
function closingQuote(value: string, open: number): number {
  for (let j = open + 1; j < value.length; j++) {
    if (value[j] === '\\') j++;
    else if (value[j] === '"') return j;
  }
  return -1;
}

/** Where the comment opened at `open` closes (comments nest), or -1 if it never does. */
function closingParen(value: string, open: number): number {
  let depth = 0;
  for (let j = open; j < value.length; j++) {
    if (value[j] === '(') depth++;
    else if (value[j] === ')' && --depth === 0) return j;
  }
  return -1;
}

/** Strips `mailto:`, source routes and Enron's quotes around the local part. */
function cleanAddress(raw: string): string {
  let s = raw.trim().replace(/^mailto:/i, '');
  const route = s.lastIndexOf(':');
  if (route >= 0 && s.startsWith('@')) s = s.slice(route + 1);
  return s.replace(/^['"]+([^'"@]*)['"]+@/, '$1@');
}

/** A display name worth keeping: decoded, unquoted, not just the address again. */
function cleanName(raw: string, address: string): string | null {
  if (!raw) return null;
  let name = raw.includes('=?') ? decodeWords(raw) : raw;
  name = name.replace(/\s+/g, ' ').trim().replace(/^['"]+|['"]+$/g, '').trim();
  if (!name || name.toLowerCase() === address || normalizeAddress(name) === address) return null;
  return name;
}

/** RFC 2047 decoding (./encoded-words.ts) that never throws: a malformed word keeps its raw text. */
export function decodeWords(text: string): string {
  if (!text.includes('=?')) return text;
  try {
    return decodeEncodedWords(text);
  } catch {
    return text;
  }
}

/**
 * mbox-reader reads bytes as latin1, so raw 8-bit UTF-8 header text (common, though not
 * RFC 5322) arrives mangled: re-decode it as UTF-8 when that yields valid text.
 */
export function repairEncoding(text: string): string {
  if (!/[\x80-\xff]/.test(text) || /[\u0100-\uffff]/.test(text)) return text;
  const utf8 = Buffer.from(text, 'latin1').toString('utf8');
  return utf8.includes('\ufffd') ? text : utf8;
}
