/**
 * The few MIME rules one outgoing multipart/alternative message needs (RFC 2045, 2047,
 * 5322): header lines with UTF-8 text as encoded-words, folded; dates; quoted-printable
 * bodies with CRLF line ends and lines of at most 76 characters.
 */

/** Longest line a header or body line is folded to (RFC 5322 asks for 78 at most). */
const LINE = 76;
/** UTF-8 bytes per encoded-word: its base64 stays within {@link LINE} after any header name. */
const WORD_BYTES = 39;
/** Characters that need a quoted display name (RFC 5322 `specials`). */
const SPECIALS = /[()<>[\]:;@\\,."]/;

/**
 * One header as its line(s). A line break in `value` is never carried (no header
 * injection); text outside ASCII becomes RFC 2047 encoded-words, except the address part
 * of an address header, which is sent as UTF-8 (RFC 6532).
 */
export function encodeHeader(name: string, value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ').trim();
  if (/^(from|to|cc|reply-to)$/i.test(name)) return `${name}: ${address(flat)}`;
  if (!isAscii(flat)) return `${name}: ${encodedWords(flat)}`;
  return fold(`${name}: ${flat}`);
}

/** `Name <addr>` with the name quoted or encoded as needed; a bare address as it is. */
function address(value: string): string {
  const match = /^(.*?)\s*<([^<>]+)>$/.exec(value);
  if (!match || match[1] === '') return match ? `<${match[2]}>` : value;
  const name = match[1]!.replace(/^"(.*)"$/, '$1');
  if (!isAscii(name)) return `${encodedWords(name)} <${match[2]}>`;
  const shown = SPECIALS.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : name;
  return `${shown} <${match[2]}>`;
}

/** UTF-8 base64 encoded-words of at most {@link WORD_BYTES} bytes each, never splitting a character. */
function encodedWords(text: string): string {
  const words: string[] = [];
  let piece = '';
  for (const char of text) {
    if (Buffer.byteLength(piece + char, 'utf8') > WORD_BYTES) {
      words.push(piece);
      piece = '';
    }
    piece += char;
  }
  if (piece !== '') words.push(piece);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** Folds an ASCII header line at spaces so that lines stay near {@link LINE} (a long token stays whole). */
function fold(line: string): string {
  if (line.length <= LINE) return line;
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > LINE) {
      out.push(current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  out.push(current);
  return out.join('\r\n ');
}

/** An RFC 5322 date in UTC: `Mon, 23 Nov 2026 07:00:00 +0000`. */
export function formatDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** A text as quoted-printable UTF-8, its line ends CRLF, soft breaks keeping lines to {@link LINE}. */
export function quotedPrintable(text: string): string {
  return text.split(/\r\n|\r|\n/).map(quotedLine).join('\r\n');
}

function quotedLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  const lines: string[] = [];
  let current = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    // Printable ASCII but '=' as is; a space or tab too, unless it ends the line.
    const plain = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && i < bytes.length - 1);
    const token = plain ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (current.length + token.length > LINE - 1) {
      lines.push(`${current}=`);
      current = '';
    }
    current += token;
  }
  lines.push(current);
  return lines.join('\r\n');
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e\t]*$/.test(text);
}
