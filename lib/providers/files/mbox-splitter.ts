/**
 * A streaming mbox splitter that keeps headers only, in bounded memory (hand-written: see
 * README, "Libraries, and what is hand-written"). It splits as `mbox-reader` did before
 * it, so imports count the same: every line starting with `From ` begins a message (the
 * separator), one `>` is removed from a `>From ` header line (mboxrd), headers end at the
 * first empty line, folded header lines are joined, CRLF and LF alike.
 *
 * What it never does, unlike a reader that buffers messages: hold a body (bodies are
 * scanned for the next separator with a byte search, 64 KiB at a time, and dropped), or
 * hold a line or a header block past its bound. A message whose header line is over
 * `maxLineBytes`, or whose headers are over `maxHeaderBytes`, is skipped, with the reason;
 * the rest of its bytes stream past unbuffered. Time is linear in the input.
 */

import { formatBytes } from './skips.ts';

/** One message as the splitter hands it over: its separator line and its headers. */
export interface MboxMessage {
  /** The address on the `From ` separator line. */
  returnPath: string;
  /** The time on the separator line; false when it does not parse. */
  time: Date | false;
  /** The raw header block: header lines joined by LF, bytes as read. Bodies are never kept. */
  content: Buffer;
  /** Lower-cased header name to every value, unfolded, whitespace collapsed, latin1 (bytes as chars). */
  headers: Map<string, string[]>;
}

/** What the splitter hands over for each message, numbered from 1 in file order. */
export type MboxPart =
  | { ordinal: number; message: MboxMessage }
  | { ordinal: number; skipped: string };

export interface MboxBounds {
  /** A header (or separator) line longer than this skips its message. */
  maxLineBytes: number;
  /** Headers longer than this in all skip their message. */
  maxHeaderBytes: number;
}

const FROM = Buffer.from('From ', 'latin1');
const NL_FROM = Buffer.from('\nFrom ', 'latin1');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LF = 0x0a;
const CR = 0x0d;

interface Pending {
  ordinal: number;
  fromLine: string;
  lines: string[];
  bytes: number;
}

/** Push-based: feed it chunks with {@link push}, then call {@link end}; parts come to `emit`. */
export class MboxSplitter {
  /** `seek`: looking for the next separator (before the first, or in a body); `line`: reading a line. */
  private mode: 'seek' | 'line' = 'seek';
  /** In `seek`: the next byte begins a line. */
  private atLineStart = true;
  /** In `seek` at a line start: how many bytes of `From ` matched so far (a chunk may end inside). */
  private matched = 0;
  /** The line being read: its pieces, their length, and whether it went past the bound. */
  private pieces: Buffer[] = [];
  private held = 0;
  private overLong = false;
  /** The message whose separator or headers are being read; null in a body. */
  private message: Pending | null = null;
  private ordinal = 0;
  /** The first bytes of the file, until it is known whether they are a byte-order mark. */
  private start: Buffer | null = Buffer.alloc(0);

  constructor(
    private readonly bounds: MboxBounds,
    private readonly emit: (part: MboxPart) => void,
  ) {}

  push(data: Buffer): void {
    let chunk = data;
    if (this.start !== null) {
      const joined = this.start.length ? Buffer.concat([this.start, chunk]) : chunk;
      if (joined.length < BOM.length && BOM.subarray(0, joined.length).equals(joined)) {
        this.start = joined;
        return;
      }
      this.start = null;
      chunk = joined.subarray(0, BOM.length).equals(BOM) ? joined.subarray(BOM.length) : joined;
    }
    let i = 0;
    while (i < chunk.length) i = this.mode === 'seek' ? this.seek(chunk, i) : this.readLine(chunk, i);
  }

  /** The input ended: a message still in its separator or headers was cut short. */
  end(): void {
    if (this.start !== null && this.start.length) {
      const rest = this.start;
      this.start = null;
      this.push(rest);
    }
    this.start = null;
    if (this.message) {
      this.skip('truncated: the file ends inside its headers');
    }
    this.resetLine();
    this.mode = 'seek';
  }

  /** Scans for the next line that starts with `From `; returns where reading goes on. */
  private seek(chunk: Buffer, from: number): number {
    let i = from;
    const n = chunk.length;
    while (i < n) {
      if (this.atLineStart) {
        while (this.matched < FROM.length && i < n && chunk[i] === FROM[this.matched]) {
          this.matched++;
          i++;
        }
        if (this.matched === FROM.length) {
          this.atLineStart = false;
          this.matched = 0;
          this.beginLine(FROM);
          this.mode = 'line';
          return i;
        }
        if (i === n) return n;
        this.atLineStart = false;
        this.matched = 0;
      }
      const found = chunk.indexOf(NL_FROM, i);
      if (found >= 0) {
        i = found + 1;
        this.atLineStart = true;
        continue;
      }
      // No whole `\nFrom ` here; one may straddle the next chunk: resume after the last LF
      // if it is within the last few bytes.
      let lf = -1;
      for (let k = Math.max(i, n - FROM.length); k < n; k++) if (chunk[k] === LF) lf = k;
      if (lf < 0) return n;
      i = lf + 1;
      this.atLineStart = true;
    }
    return n;
  }

  /** Reads the current line up to its LF; returns where reading goes on. */
  private readLine(chunk: Buffer, from: number): number {
    const lf = chunk.indexOf(LF, from);
    const end = lf < 0 ? chunk.length : lf;
    if (!this.overLong && end > from) {
      const room = this.bounds.maxLineBytes - this.held;
      const take = Math.min(room, end - from);
      // A line that goes on in the next chunk is copied: the chunk is not ours to keep.
      const piece = chunk.subarray(from, from + take);
      this.pieces.push(lf < 0 ? Buffer.from(piece) : piece);
      this.held += take;
      if (end - from > room) this.overLong = true;
    }
    if (lf < 0) return chunk.length;
    const line = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.held);
    const overLong = this.overLong;
    this.resetLine();
    this.onLine(overLong || line.at(-1) !== CR ? line : line.subarray(0, line.length - 1), overLong);
    return lf + 1;
  }

  private beginLine(first: Buffer): void {
    this.pieces = [first];
    this.held = first.length;
    this.overLong = false;
  }

  private resetLine(): void {
    this.pieces = [];
    this.held = 0;
    this.overLong = false;
  }

  /** A whole line of the separator or headers (without its line break). */
  private onLine(line: Buffer, overLong: boolean): void {
    const isSeparator = line.length >= FROM.length && line.subarray(0, FROM.length).equals(FROM);
    if (isSeparator) {
      // A separator ends the message before it (even inside its headers, as mbox-reader did).
      if (this.message) this.finish();
      this.message = { ordinal: ++this.ordinal, fromLine: line.toString('latin1'), lines: [], bytes: 0 };
      this.mode = 'line';
      return;
    }
    if (!this.message) return;
    if (overLong) {
      this.skip(`header line over ${formatBytes(this.bounds.maxLineBytes)}`);
    } else if (line.length === 0) {
      this.finish();
    } else {
      this.message.bytes += line.length + 1;
      if (this.message.bytes > this.bounds.maxHeaderBytes) {
        this.skip(`headers over ${formatBytes(this.bounds.maxHeaderBytes)}`);
      } else {
        const text = line.toString('latin1');
        this.message.lines.push(/^>+From /.test(text) ? text.slice(1) : text);
        return;
      }
    }
    this.mode = 'seek';
    this.atLineStart = true;
  }

  private finish(): void {
    const m = this.message!;
    this.message = null;
    this.emit({
      ordinal: m.ordinal,
      message: { ...separatorOf(m.fromLine), content: Buffer.from(m.lines.join('\n'), 'latin1'), headers: headerMap(m.lines) },
    });
  }

  private skip(reason: string): void {
    const m = this.message!;
    this.message = null;
    this.emit({ ordinal: m.ordinal, skipped: reason });
  }
}

/**
 * The sender and time of a `From ` separator line, read as mbox-reader read them: a time
 * without a zone is UTC; false when it does not parse.
 */
function separatorOf(fromLine: string): { returnPath: string; time: Date | false } {
  const words = fromLine.split(/\s+/);
  words.shift();
  const returnPath = words.shift() ?? '';
  let text = words.join(' ');
  if (!/[+-]\d\d:?\d\d|Z|UTC|GMT/i.test(text)) text += ' +00:00';
  let time: Date | false = new Date(text);
  if (Number.isNaN(time.getTime())) {
    time = new Date(words.join(' '));
    if (Number.isNaN(time.getTime())) time = false;
  }
  return { returnPath, time };
}

/**
 * Header lines to a map, as mbox-reader built it: a line starting with whitespace
 * continues the one before; the name is lower-cased, the value's whitespace collapsed.
 */
function headerMap(lines: readonly string[]): Map<string, string[]> {
  const unfolded: string[] = [];
  for (const line of lines) {
    if (unfolded.length && /^\s/.test(line)) unfolded[unfolded.length - 1] += line;
    else unfolded.push(line);
  }
  const headers = new Map<string, string[]>();
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    const key = (colon < 0 ? '' : line.slice(0, colon)).trim().toLowerCase();
    const value = line.slice(colon + 1).replace(/\s+/g, ' ').trim();
    const values = headers.get(key);
    if (values) values.push(value);
    else headers.set(key, [value]);
  }
  return headers;
}
