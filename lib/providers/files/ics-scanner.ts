import { LineSplitter } from './line-splitter.ts';
import { formatBytes } from './skips.ts';

/**
 * Splits an iCalendar byte stream into its components (hand-written, see README): one
 * VEVENT or VTIMEZONE at a time, as unfolded text, so each can be parsed alone and one
 * broken event costs only itself. ical.js parses whole files only, and a whole file can
 * be a bomb. Memory: one bounded line and one bounded component.
 */

export interface IcsBounds {
  /** A content line (unfolded) longer than this makes its event unreadable. */
  maxLineBytes: number;
  /** An event longer than this is not parsed (a thousand attendees take about 200 KB). */
  maxEventBytes: number;
}

/** One component of a VCALENDAR, as the scanner hands it over. */
export interface ScannedComponent {
  /** Which VCALENDAR of the file (0-based): a file may hold several. */
  calendar: number;
  name: 'VEVENT' | 'VTIMEZONE';
  /** Unfolded content lines joined by CRLF, BEGIN and END included; empty when `problem` is set. */
  text: string;
  /** The UID, when the component has one. */
  uid: string | null;
  /** It has a RECURRENCE-ID: it overrides one occurrence of a series. */
  isOverride: boolean;
  /** Why it cannot be read, when the scanner knows already: a bound, or no END. */
  problem?: string;
}

export interface IcsScanHandlers {
  component(c: ScannedComponent): void;
  /** A property of the VCALENDAR itself (METHOD, ...): upper-cased name, raw value. */
  calendarProperty?(calendar: number, name: string, value: string): void;
  /** A VCALENDAR ended (or the file did, inside it). */
  calendarEnd?(calendar: number): void;
  /** A line inside a VCALENDAR but outside its components that is not a content line. */
  strayLine?(lineNumber: number): void;
}

interface Collecting {
  name: 'VEVENT' | 'VTIMEZONE';
  lines: string[];
  bytes: number;
  /** Nesting inside the component (VALARM, STANDARD, DAYLIGHT). */
  depth: number;
  uid: string | null;
  isOverride: boolean;
  problem?: string;
}

/** Push-based: {@link push} chunks, then {@link end}. */
export class IcsScanner {
  private readonly lines: LineSplitter;
  private lineNumber = 0;
  /** The logical (unfolded) line being assembled, and where it began. */
  private pieces: Buffer[] = [];
  private held = 0;
  private overLong = false;
  private logicalStart = 0;
  /** The open VCALENDAR (-1: none) and how many were opened. */
  private calendar = -1;
  private calendars = 0;
  /** Depth inside a component Sinew does not read (VTODO, VJOURNAL, ...). */
  private ignoredDepth = 0;
  private current: Collecting | null = null;

  constructor(
    private readonly bounds: IcsBounds,
    private readonly handlers: IcsScanHandlers,
  ) {
    this.lines = new LineSplitter(bounds.maxLineBytes, (line, overLong) => this.physicalLine(line, overLong));
  }

  push(chunk: Buffer): void {
    this.lines.push(chunk);
  }

  end(): void {
    this.lines.end();
    this.flushLogical();
    if (this.current) this.finish('incomplete: the file ends inside it');
    if (this.calendar >= 0) this.endCalendar();
  }

  /** RFC 5545 folding: a line starting with a space or tab continues the one before. */
  private physicalLine(line: Buffer, overLong: boolean): void {
    this.lineNumber++;
    if ((line[0] === 0x20 || line[0] === 0x09) && this.pieces.length) {
      if (!this.overLong) {
        const take = Math.min(this.bounds.maxLineBytes - this.held, line.length - 1);
        this.pieces.push(Buffer.from(line.subarray(1, 1 + take)));
        this.held += take;
        if (overLong || take < line.length - 1) this.overLong = true;
      }
      return;
    }
    this.flushLogical();
    this.pieces = [Buffer.from(line)];
    this.held = line.length;
    this.overLong = overLong;
    this.logicalStart = this.lineNumber;
  }

  private flushLogical(): void {
    if (!this.pieces.length) return;
    const bytes = Buffer.concat(this.pieces, this.held);
    const overLong = this.overLong;
    this.pieces = [];
    this.held = 0;
    this.overLong = false;
    this.contentLine(overLong ? null : bytes.toString('utf8'), bytes.length, this.logicalStart);
  }

  /** One unfolded content line; null when it was over the line bound. */
  private contentLine(text: string | null, bytes: number, lineNumber: number): void {
    if (this.current) {
      this.inComponent(text, bytes);
      return;
    }
    const name = text === null ? null : nameOf(text);
    const value = text === null ? '' : valueOf(text).trim().toUpperCase();
    if (this.calendar < 0) {
      // Outside any VCALENDAR only a new one counts; anything else is not calendar data.
      if (name === 'BEGIN' && value === 'VCALENDAR') this.calendar = this.calendars++;
      return;
    }
    if (this.ignoredDepth > 0) {
      if (name === 'BEGIN') this.ignoredDepth++;
      else if (name === 'END') this.ignoredDepth--;
      return;
    }
    if (name === 'BEGIN') {
      if (value === 'VEVENT' || value === 'VTIMEZONE') {
        this.current = { name: value, lines: [text!], bytes, depth: 0, uid: null, isOverride: false };
      } else {
        this.ignoredDepth = 1;
      }
    } else if (name === 'END' && value === 'VCALENDAR') {
      this.endCalendar();
    } else if (text === null || (text.trim() !== '' && !/^[A-Za-z0-9-]+[;:]/.test(text))) {
      this.handlers.strayLine?.(lineNumber);
    } else if (text.trim() !== '') {
      this.handlers.calendarProperty?.(this.calendar, name!, valueOf(text));
    }
  }

  private inComponent(text: string | null, bytes: number): void {
    const c = this.current!;
    if (text === null) {
      c.problem ??= `line over ${formatBytes(this.bounds.maxLineBytes)}`;
      return;
    }
    // Blank lines are not content lines; ical.js would refuse the event for one.
    if (text.trim() === '') return;
    const name = nameOf(text);
    if (name === 'BEGIN' || name === 'END') {
      const value = valueOf(text).trim().toUpperCase();
      const next = name === 'BEGIN' ? value === 'VEVENT' || value === 'VTIMEZONE' || value === 'VCALENDAR' : value === 'VCALENDAR';
      if (c.depth === 0 && next) {
        // Another top-level component, or the calendar's END, before this one's END: it was cut short.
        this.finish(`incomplete: no END:${c.name}`);
        this.contentLine(text, bytes, this.lineNumber);
        return;
      }
      if (name === 'BEGIN') c.depth++;
      else if (c.depth > 0) c.depth--;
      else if (value === c.name) {
        c.lines.push(text);
        this.finish();
        return;
      }
    } else if (c.depth === 0 && name === 'UID' && c.uid === null) {
      c.uid = valueOf(text).trim();
    } else if (c.depth === 0 && name === 'RECURRENCE-ID') {
      c.isOverride = true;
    }
    c.bytes += bytes + 2;
    if (c.problem) return;
    if (c.bytes > this.bounds.maxEventBytes) {
      c.problem = `event over ${formatBytes(this.bounds.maxEventBytes)}`;
      c.lines = [];
      return;
    }
    c.lines.push(text);
  }

  private finish(problem?: string): void {
    const c = this.current!;
    this.current = null;
    const why = c.problem ?? problem;
    this.handlers.component({
      calendar: this.calendar, name: c.name, text: why ? '' : c.lines.join('\r\n'), uid: c.uid || null,
      isOverride: c.isOverride, ...(why ? { problem: why } : {}),
    });
  }

  private endCalendar(): void {
    const calendar = this.calendar;
    this.calendar = -1;
    this.ignoredDepth = 0;
    this.handlers.calendarEnd?.(calendar);
  }
}

/** A content line's property name, upper-cased (`DTSTART` of `DTSTART;TZID=...:...`). */
function nameOf(line: string): string {
  const end = line.search(/[;:]/);
  return (end < 0 ? line : line.slice(0, end)).trim().toUpperCase();
}

/** A content line's value: after the first colon outside a quoted parameter value. */
function valueOf(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ':' && !quoted) return line.slice(i + 1);
  }
  return '';
}
