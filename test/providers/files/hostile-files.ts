/**
 * Hostile input files for the importers (issue 10): each is written programmatically,
 * small by default for tests, larger for the bench (bench/hostile-files.ts). Every file
 * mixes good messages or events with the hostile part, so a test can check that the good
 * ones are imported and the hostile one is skipped and reported.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';

/** What a hostile file should give: good items imported, the rest skipped and named. */
export interface HostileFile {
  /** A short name for tables and test titles. */
  name: string;
  file: string;
  kind: 'mbox' | 'ics';
  /** Messages or meeting occurrences that must be imported. */
  expectItems: number;
  /** Skips that must be reported, by reason; ids (UIDs) when they are known. */
  expectSkips: Array<{ kind: 'message' | 'event' | 'file'; reason: string; ids?: string[] }>;
}

/** The instant the tests and the bench import at: the calendar window is measured from it. */
export const HOSTILE_NOW = new Date('2026-11-23T07:00:00Z');
export const HOSTILE_ME = 'me@hostile.example';

/** One ordinary message: a contact writes to me. */
export function goodMessage(i: number, extraHeaders = ''): string {
  const minute = String(i % 60).padStart(2, '0');
  return (
    `From c${i}@contacts.example Mon Oct  5 10:${minute}:00 2026\n` +
    `Message-ID: <m${i}@hostile.example>\n` +
    `Date: Mon, 5 Oct 2026 10:${minute}:00 +0000\n` +
    `From: Contact ${i} <c${i}@contacts.example>\n` +
    `To: ${HOSTILE_ME}\n` +
    extraHeaders +
    `Subject: message ${i}\n\nbody of message ${i}\n>From the archive, an escaped line\n\n`
  );
}

/** Writes `parts` (strings or byte producers) to `file`, optionally gzipped, streaming. */
async function writeParts(file: string, parts: Iterable<string | Buffer>, gz = false): Promise<void> {
  const source = Readable.from(parts);
  if (gz) await pipeline(source, createGzip({ level: 1 }), createWriteStream(file));
  else await pipeline(source, createWriteStream(file));
}

/** `bytes` of one character, in 1 MiB pieces (never one huge string). */
function* repeated(bytes: number, char = 'a'): Generator<Buffer> {
  const piece = Buffer.alloc(Math.min(bytes, 1 << 20), char);
  for (let left = bytes; left > 0; left -= piece.length) yield left >= piece.length ? piece : piece.subarray(0, left);
}

/** A message with one header line of `lineBytes` between two good ones (and one after). */
export async function oversizedHeaderLine(dir: string, lineBytes = 4 << 20, name = 'big-header.mbox'): Promise<HostileFile> {
  const file = join(dir, name);
  await writeParts(file, (function* () {
    yield goodMessage(1);
    yield goodMessage(2);
    // The hostile message: its X-Junk line never ends within the bound.
    yield goodMessage(3).split('Subject:')[0]!.replace(/\n$/, '\nX-Junk: ');
    yield* repeated(lineBytes);
    yield '\nSubject: big\n\nbody\n\n';
    yield goodMessage(4);
  })());
  return {
    name: `header line of ${mb(lineBytes)}`, file, kind: 'mbox', expectItems: 3,
    expectSkips: [{ kind: 'message', reason: 'header line over 1 MB' }],
  };
}

/** `messages` good messages; message number `at` (1-based) has `recipients` To addresses. */
export async function manyRecipients(
  dir: string, opts: { recipients?: number; messages?: number; at?: number; name?: string } = {},
): Promise<HostileFile> {
  const recipients = opts.recipients ?? 100_000;
  const messages = opts.messages ?? 3;
  const at = opts.at ?? 2;
  const file = join(dir, opts.name ?? 'recipients.mbox');
  await writeParts(file, (function* () {
    for (let i = 1; i <= messages; i++) {
      if (i !== at) {
        yield goodMessage(i);
        continue;
      }
      // Folded as mailers write it: one address per line.
      const list: string[] = [];
      for (let r = 0; r < recipients; r++) list.push(`"Person ${r}" <p${r}@crowd.example>`);
      yield goodMessage(i).replace(`To: ${HOSTILE_ME}\n`, `To: ${HOSTILE_ME},\n ${list.join(',\n ')}\n`);
    }
  })());
  return { name: `${recipients.toLocaleString('en')} recipients`, file, kind: 'mbox', expectItems: messages, expectSkips: [] };
}

/**
 * A gzipped mbox whose second message has one header line of `lineBytes` (a 2 GiB line
 * packs into about 2 MB): the line bound must cut it off, not memory.
 */
export async function gzipBomb(dir: string, lineBytes = 64 << 20, name = 'bomb.mbox.gz'): Promise<HostileFile> {
  const file = join(dir, name);
  await writeParts(file, (function* () {
    yield goodMessage(1);
    yield `${goodMessage(2).split('Subject:')[0]}X-Bomb: `;
    yield* repeated(lineBytes);
    yield '\n\nbody\n\n';
    yield goodMessage(3);
    yield goodMessage(4);
  })(), true);
  return {
    name: `gzip bomb, one ${mb(lineBytes)} line`, file, kind: 'mbox', expectItems: 3,
    expectSkips: [{ kind: 'message', reason: 'header line over 1 MB' }],
  };
}

/** Three good messages, then one cut inside its To header (the file ends there). */
export async function truncatedMbox(dir: string): Promise<HostileFile> {
  const file = join(dir, 'truncated.mbox');
  const cut = goodMessage(4);
  await writeFile(file, goodMessage(1) + goodMessage(2) + goodMessage(3) + cut.slice(0, cut.indexOf('To: ') + 9), 'latin1');
  return {
    name: 'truncated mbox', file, kind: 'mbox', expectItems: 3,
    expectSkips: [{ kind: 'message', reason: 'truncated: the file ends inside its headers' }],
  };
}

/**
 * A gzipped mbox cut short: three good messages, a fourth whose body is random bytes, and
 * the compressed file cut in that body. Four messages' headers are whole.
 */
export async function truncatedGzip(dir: string): Promise<HostileFile> {
  const file = join(dir, 'truncated.mbox.gz');
  let seed = 7;
  const noise = Buffer.alloc(256 * 1024);
  for (let i = 0; i < noise.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    noise[i] = 0x20 + ((seed >>> 16) % 90);
  }
  const whole = gzipSync(Buffer.concat([
    Buffer.from(goodMessage(1) + goodMessage(2) + goodMessage(3) + goodMessage(4).replace(/\n\nbody[^]*$/, '\n\n'), 'latin1'),
    noise,
    Buffer.from(`\n\n${goodMessage(5)}`, 'latin1'),
  ]));
  await writeFile(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
  return {
    name: 'truncated gzip', file, kind: 'mbox', expectItems: 4,
    expectSkips: [{ kind: 'file', reason: 'gzip data ends early' }],
  };
}

/** Messages whose headers (a display name, a subject) hold bytes that are not UTF-8. */
export async function invalidUtf8Mbox(dir: string): Promise<HostileFile> {
  const file = join(dir, 'invalid-utf8.mbox');
  const bad = Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xc0, 0xaf, 0x80, 0xed, 0xa0, 0x80]);
  const message = (i: number): Buffer => {
    const [head, rest] = goodMessage(i).split(`From: Contact ${i} `);
    const [to, subjectOn] = rest!.split('Subject: ');
    return Buffer.concat([
      Buffer.from(`${head}From: Contact `, 'latin1'), bad, Buffer.from(` ${i} ${to}Subject: `, 'latin1'), bad, Buffer.from(subjectOn!, 'latin1'),
    ]);
  };
  await writeFile(file, Buffer.concat([message(1), message(2), message(3)]));
  return { name: 'invalid UTF-8 (mbox)', file, kind: 'mbox', expectItems: 3, expectSkips: [] };
}

// --- iCalendar -------------------------------------------------------------------

const calendar = (body: string): string =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\n${body}END:VCALENDAR\r\n`;

/** One single meeting with me and `who`, on a day of October 2026. */
export function goodEvent(uid: string, day: number, who = 'ann@contacts.example'): string {
  const d = String(day).padStart(2, '0');
  return (
    `BEGIN:VEVENT\r\nUID:${uid}\r\nDTSTART:202610${d}T090000Z\r\nDTEND:202610${d}T100000Z\r\n` +
    `ORGANIZER:mailto:${who}\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:${HOSTILE_ME}\r\n` +
    `ATTENDEE;PARTSTAT=ACCEPTED:mailto:${who}\r\nSUMMARY:meeting ${uid}\r\nEND:VEVENT\r\n`
  );
}

const DAY_MS = 86_400_000;

/**
 * The window the importer expands series in, as the tests expect it: 400 days before
 * HOSTILE_NOW to 90 days after (DESIGN: the history Sinew holds, and the calendar
 * sources' lookahead).
 */
export const HOSTILE_WINDOW = {
  from: new Date(HOSTILE_NOW.getTime() - 400 * DAY_MS),
  until: new Date(HOSTILE_NOW.getTime() + 90 * DAY_MS),
};

/**
 * Occurrences of a daily series starting `first` (epoch ms, UTC) lasting `durationMs`
 * that overlap the window: counted by plain arithmetic, not by any iCalendar library.
 */
export function dailyInWindow(first: number, durationMs: number, window = HOSTILE_WINDOW): number {
  let n = 0;
  for (let t = first; t <= window.until.getTime(); t += DAY_MS) if (t + durationMs >= window.from.getTime()) n++;
  return n;
}

/** `series` daily meetings that started in 2020 and never end, each with another person. */
export async function dailySeries(dir: string, series = 200, name = 'daily.ics'): Promise<HostileFile> {
  const file = join(dir, name);
  let body = '';
  let expect = 0;
  for (let i = 0; i < series; i++) {
    const hour = String(7 + (i % 12)).padStart(2, '0');
    body +=
      `BEGIN:VEVENT\r\nUID:daily-${i}@hostile.example\r\nDTSTART:20200106T${hour}0000Z\r\nDTEND:20200106T${hour}3000Z\r\n` +
      `RRULE:FREQ=DAILY\r\nORGANIZER:mailto:lead${i}@contacts.example\r\n` +
      `ATTENDEE;PARTSTAT=ACCEPTED:mailto:${HOSTILE_ME}\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:lead${i}@contacts.example\r\nEND:VEVENT\r\n`;
    expect += dailyInWindow(Date.UTC(2020, 0, 6, 7 + (i % 12)), 30 * 60_000);
  }
  body += goodEvent('single-1@hostile.example', 12);
  await writeFile(file, calendar(body));
  return { name: `${series} daily series`, file, kind: 'ics', expectItems: expect + 1, expectSkips: [] };
}

/**
 * `FREQ=SECONDLY` series without UNTIL, starting inside the window, padded with long
 * attendee lists to about `bytes`, between good single meetings.
 */
export async function secondlySeries(dir: string, bytes = 16 * 1024, name = 'secondly.ics'): Promise<HostileFile> {
  const file = join(dir, name);
  const ids: string[] = [];
  let body = goodEvent('single-1@hostile.example', 5);
  for (let i = 0; body.length < bytes; i++) {
    ids.push(`secondly-${i}@hostile.example`);
    body +=
      `BEGIN:VEVENT\r\nUID:secondly-${i}@hostile.example\r\nDTSTART:20261001T000000Z\r\nDTEND:20261001T010000Z\r\n` +
      `RRULE:FREQ=SECONDLY\r\nORGANIZER:mailto:bot@contacts.example\r\n` +
      `ATTENDEE:mailto:${HOSTILE_ME}\r\nATTENDEE:mailto:a${i}@contacts.example\r\nEND:VEVENT\r\n`;
  }
  body += goodEvent('single-2@hostile.example', 6);
  await writeFile(file, calendar(body));
  return {
    name: `FREQ=SECONDLY, ${ids.length} series (${kb(body.length)})`, file, kind: 'ics', expectItems: 2,
    expectSkips: [{ kind: 'event', reason: 'recurs more often than hourly', ids }],
  };
}

/** One event per date property, each with a broken value; good events around them. */
export async function brokenDates(dir: string): Promise<HostileFile> {
  const file = join(dir, 'broken-dates.ics');
  const event = (uid: string, lines: string): string =>
    `BEGIN:VEVENT\r\nUID:${uid}\r\n${lines}ORGANIZER:mailto:ann@contacts.example\r\n` +
    `ATTENDEE;PARTSTAT=ACCEPTED:mailto:${HOSTILE_ME}\r\nEND:VEVENT\r\n`;
  const broken: Record<string, string> = {
    'bad-dtstart': 'DTSTART:20261341T250000Z\r\nDTEND:20261001T100000Z\r\n',
    'bad-dtstart-text': 'DTSTART:tomorrow\r\nDTEND:20261001T100000Z\r\n',
    'bad-dtend': 'DTSTART:20261001T090000Z\r\nDTEND:2026-10-01\r\n',
    'bad-until': 'DTSTART:20261001T090000Z\r\nDTEND:20261001T100000Z\r\nRRULE:FREQ=DAILY;UNTIL=20261399\r\n',
    'bad-exdate': 'DTSTART:20261001T090000Z\r\nDTEND:20261001T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEXDATE:20261002T9\r\n',
    'bad-rdate': 'DTSTART:20261001T090000Z\r\nDTEND:20261001T100000Z\r\nRDATE:garbage\r\n',
    'bad-duration': 'DTSTART:20261001T090000Z\r\nDURATION:soon\r\n',
  };
  let body = goodEvent('good-1@hostile.example', 1);
  for (const [uid, lines] of Object.entries(broken)) body += event(uid, lines);
  // A good weekly series (4 occurrences) whose one override has a broken RECURRENCE-ID.
  body +=
    event('weekly@hostile.example', 'DTSTART:20261005T090000Z\r\nDTEND:20261005T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n') +
    event('weekly@hostile.example', 'RECURRENCE-ID:20261012T0900\r\nDTSTART:20261013T090000Z\r\nDTEND:20261013T100000Z\r\n');
  // Not a date, but a rule no library can read.
  body += event('bad-freq', 'DTSTART:20261001T090000Z\r\nDTEND:20261001T100000Z\r\nRRULE:FREQ=SOMETIMES\r\n');
  body += goodEvent('good-2@hostile.example', 2);
  await writeFile(file, calendar(body));
  return {
    name: 'broken dates (DTSTART, DTEND, UNTIL, EXDATE, RDATE, DURATION, RECURRENCE-ID)', file, kind: 'ics', expectItems: 6,
    expectSkips: [
      { kind: 'event', reason: 'bad dates', ids: [...Object.keys(broken), 'weekly@hostile.example'].sort() },
      { kind: 'event', reason: 'unreadable', ids: ['bad-freq'] },
    ],
  };
}

/** A calendar whose text holds bytes that are not UTF-8: in a UID, a summary and a name. */
export async function invalidUtf8Ics(dir: string): Promise<HostileFile> {
  const file = join(dir, 'invalid-utf8.ics');
  const bad = Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xc0, 0xaf, 0x80]).toString('latin1');
  const odd = goodEvent(`odd-${bad}@hostile.example`, 2)
    .replace(/SUMMARY:[^\r]*/, `SUMMARY:${bad}`)
    .replace('ATTENDEE;PARTSTAT', `ATTENDEE;CN=${bad};PARTSTAT`);
  const text = calendar(goodEvent('good-1@hostile.example', 1) + odd + goodEvent('good-3@hostile.example', 3));
  await writeFile(file, Buffer.from(text, 'latin1'));
  return { name: 'invalid UTF-8 (ics)', file, kind: 'ics', expectItems: 3, expectSkips: [] };
}

/** Every hostile file at test sizes (small and fast). */
export async function allHostileFiles(dir: string): Promise<HostileFile[]> {
  return [
    await oversizedHeaderLine(dir),
    await manyRecipients(dir),
    await gzipBomb(dir),
    await truncatedMbox(dir),
    await truncatedGzip(dir),
    await invalidUtf8Mbox(dir),
    await dailySeries(dir),
    await secondlySeries(dir),
    await brokenDates(dir),
    await invalidUtf8Ics(dir),
  ];
}

function mb(bytes: number): string {
  return bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(0)} GiB` : `${(bytes / (1 << 20)).toFixed(0)} MiB`;
}

function kb(bytes: number): string {
  return `${Math.round(bytes / 1024)} KB`;
}
