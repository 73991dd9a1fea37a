import { FormatError } from '#lib/errors.ts';
import type { MeetingItem } from '#lib/items/types.ts';
import { IcsReader, type IcsLimits, type IcsOptions } from './ics-reader.ts';
import { DamagedInputError, inspectInput, openInput, type InputFile } from './input.ts';
import { formatBytes, type FileSkip, type OnSkip } from './skips.ts';

/**
 * Reads an iCalendar file (Google Takeout writes one per calendar; `.ics.gz` too, known
 * by its magic bytes) into one MeetingItem per occurrence, streamed: RRULE/RDATE series
 * are expanded within [expandFrom, expandUntil] (EXDATE removes occurrences,
 * RECURRENCE-ID overrides replace them); single events are kept whenever they are. Times
 * in a zone are converted to UTC with the file's VTIMEZONE, or with the runtime's zone
 * data when the TZID names an IANA zone the file does not define. Floating times are read
 * as UTC. All-day events start at 00:00 UTC.
 *
 * Keys: `providerId` is `${UID}#${start}` and `occurrenceKey` the same with the UID
 * lower-cased, where start is the occurrence's original start (its RECURRENCE-ID), so a
 * moved occurrence keeps its key, as Google's instance ids do.
 *
 * Never stops on one event: an event with a bad date, an unreadable rule or no DTSTART,
 * a rule repeating every second or minute, or an event over a bound is skipped and told
 * to `onSkip` with its UID; the others are imported. Memory stays bounded (see
 * ics-scanner.ts and {@link IcsLimits}): the file is read twice, first to find the
 * overrides and time zones (which may come after their series), then to expand.
 *
 * @throws InputError when the file cannot be read.
 * @throws FormatError when the file is not an iCalendar file.
 */
export async function* streamIcs(file: string, opts: IcsOptions): AsyncGenerator<MeetingItem> {
  const input = await inspectInput(file, 'calendar file');
  requireCalendar(input.head.toString('utf8'), file);
  const reader = new IcsReader(file, opts);
  const plan = reader.planScanner();
  for await (const chunk of chunksOf(input, reader.limits, () => undefined)) plan.push(chunk);
  plan.end();
  reader.checkPlan();
  const troubles: Array<[string, FileSkip]> = [];
  const scanner = reader.expandScanner();
  for await (const chunk of chunksOf(input, reader.limits, (detail, skip) => troubles.push([detail, skip]))) {
    scanner.push(chunk);
    yield* reader.drain();
  }
  scanner.end();
  yield* reader.drain();
  for (const [detail, skip] of troubles) opts.onSkip?.(detail, skip);
}

/** Every occurrence of a calendar file, in memory: for small files and tests. */
export async function readIcs(file: string, opts: IcsOptions): Promise<MeetingItem[]> {
  const items: MeetingItem[] = [];
  for await (const item of streamIcs(file, opts)) items.push(item);
  return items;
}

/** {@link streamIcs} on text already in memory; `file` names it in errors. */
export function parseIcs(text: string, file: string, opts: IcsOptions): MeetingItem[] {
  const body = text.replace(/^\ufeff/, '');
  requireCalendar(body, file);
  const reader = new IcsReader(file, opts);
  let bytes = Buffer.from(body, 'utf8');
  const over = bytes.length > reader.limits.maxCalendarBytes;
  if (over) bytes = bytes.subarray(0, reader.limits.maxCalendarBytes);
  const plan = reader.planScanner();
  plan.push(bytes);
  plan.end();
  reader.checkPlan();
  const scanner = reader.expandScanner();
  scanner.push(bytes);
  scanner.end();
  const items = [...reader.drain()];
  if (over) opts.onSkip?.(...overCalendarBytes(reader.limits));
  return items;
}

function requireCalendar(text: string, file: string): void {
  const firstLine = /^\s*(\S[^\r\n]*)/.exec(text.replace(/^\ufeff/, ''))?.[1]?.trim().toUpperCase();
  if (firstLine !== 'BEGIN:VCALENDAR') {
    throw new FormatError('not an iCalendar file: expected a first line BEGIN:VCALENDAR', file);
  }
}

function overCalendarBytes(limits: IcsLimits): [string, FileSkip] {
  const reason = `calendar over ${formatBytes(limits.maxCalendarBytes)}`;
  return [`${reason}: the rest of the file was not read`, { kind: 'file', reason }];
}

/**
 * A file's decompressed chunks, a BOM dropped, cut at `maxCalendarBytes`; gzip data that
 * ends early stops the chunks. Either is told to `trouble`.
 */
async function* chunksOf(input: InputFile, limits: IcsLimits, trouble: OnSkip): AsyncGenerator<Buffer> {
  const source = openInput(input);
  let total = 0;
  try {
    for await (const raw of source.chunks) {
      let chunk = total === 0 && raw.subarray(0, 3).equals(BOM) ? raw.subarray(3) : raw;
      if (total + chunk.length > limits.maxCalendarBytes) {
        chunk = chunk.subarray(0, limits.maxCalendarBytes - total);
        yield chunk;
        trouble(...overCalendarBytes(limits));
        return;
      }
      total += chunk.length;
      yield chunk;
    }
  } catch (err) {
    if (!(err instanceof DamagedInputError)) throw err;
    trouble(`${err.message}: the events after it are lost`, { kind: 'file', reason: 'gzip data ends early' });
  } finally {
    source.close();
  }
}
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
