import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { InputError } from '#lib/errors.ts';
import { escapeBody, header } from './mbox-text.ts';
import { Random } from '#lib/random.ts';
import { offsetMinutes, wallClock } from '#lib/time/wall-clock.ts';

/**
 * A large benchmark mbox shaped like an Enron mailbox (DESIGN section 7): JavaMail
 * Message-IDs, Pacific dates, X-From/X-To/X-Folder headers, few In-Reply-To, sent mail
 * copied into a second folder under a new Message-ID, the odd list mail and broadcast,
 * and thread sizes drawn from Klimt and Yang's Enron figures (mean 4.1, median 2).
 * Messages average about 3 KB, so 1 GB holds roughly 330,000. Written as a stream with
 * backpressure, so memory stays flat whatever the size.
 */

const OWNER = { name: 'Pat Quinn', address: 'pat.quinn@enron-bench.com' };
const TZ = 'America/Los_Angeles';
const HOUR = 3_600_000;
/** Where the mailbox's clock starts: a fixed date, never the machine's clock. */
const START = Date.UTC(2023, 0, 2, 16);
const FIRST = ['Jeff', 'Sara', 'Mike', 'Kay', 'John', 'Lisa', 'Mark', 'Karen', 'Steve', 'Susan', 'Greg', 'Tana',
  'Rick', 'Vince', 'Louise', 'Sally', 'James', 'Mary', 'David', 'Kate', 'Chris', 'Ann', 'Paul', 'Dana'];
const LAST = ['Allen', 'Shackleton', 'Grigsby', 'Mann', 'Arnold', 'Kitchen', 'Taylor', 'Jones', 'Lay', 'Beck',
  'Kaminski', 'Presto', 'Lavorato', 'Dasovich', 'Germany', 'Scott', 'Sanders', 'Hayslett', 'Farmer', 'Lokey'];
const DOMAINS = ['enron-bench.com', 'enron-bench.com', 'enron-bench.com', 'aol.com', 'hotmail.com', 'yahoo.com',
  'dynegy.example', 'elpaso.example', 'calpx.example', 'ferc.example', 'vinson.example', 'andersen.example',
  'duke-energy.example', 'reliant.example', 'williams.example', 'pge.example', 'sempra.example', 'mirant.example'];
const WORDS = ('the gas power deal price contract schedule forecast curve position trading desk risk ' +
  'volume capacity pipeline storage basis spread transport counterparty credit settlement invoice ' +
  'meeting call review please let me know if you have any questions regarding attached draft ' +
  'agreement we need to discuss before tomorrow morning numbers look good thanks for sending update ' +
  'california market demand supply generation regulatory filing tariff rate case report').split(' ');
/** Enron thread sizes (Klimt and Yang 2004): 2, 3, 4, 5, 6-10, over 10, by thread count. */
const SIZE_WEIGHTS: Array<[number, number]> = [[2, 16_736], [3, 4_782], [4, 3_049], [5, 1_282], [6, 2_552], [11, 1_690]];
const SIZE_TOTAL = SIZE_WEIGHTS.reduce((s, [, w]) => s + w, 0);

interface Mailbox { name: string; address: string }

/**
 * A thread size drawn from the published Enron buckets: 6-10 uniform, over 10 with a mean
 * near 22 (so the whole has mean 4.1, median 2).
 */
export function enronThreadSize(rng: Random): number {
  let r = rng.next() * SIZE_TOTAL;
  for (const [size, weight] of SIZE_WEIGHTS) {
    r -= weight;
    if (r >= 0) continue;
    if (size === 6) return rng.int(6, 10);
    if (size === 11) return Math.min(200, 11 + Math.floor(-Math.log(1 - rng.next()) * 11.4));
    return size;
  }
  return 2;
}

function pacificDate(ms: number): string {
  const at = new Date(ms);
  const off = offsetMinutes(at, TZ);
  const w = wallClock(at, TZ);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][w.weekday];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][w.month - 1];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${day}, ${w.day} ${mon} ${w.year} ${p(w.hour)}:${p(w.minute)}:${p(w.second)} -0${Math.abs(off / 60)}00 (${off === -420 ? 'PDT' : 'PST'})`;
}

function separatorDate(ms: number): string {
  return new Date(ms).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) (\S+) GMT$/, '$1 $3 $2 $5 $4');
}

/**
 * Streams an Enron-like mbox of about `targetBytes` to `file` (it stops after the
 * message that reaches the target) and returns how many messages and bytes it wrote.
 * The same seed and target always give the same file.
 */
export async function writeBigMbox(file: string, targetBytes: number, seed: number): Promise<{ messages: number; bytes: number }> {
  if (!Number.isFinite(targetBytes) || targetBytes <= 0) throw new InputError(`Benchmark mbox size must be a positive number of bytes, got ${targetBytes}.`);
  if (!Number.isInteger(seed)) throw new InputError(`Benchmark mbox seed must be an integer, got ${seed}.`);
  const rng = new Random(seed);
  const people: Mailbox[] = Array.from({ length: 2_500 }, (_, i) => {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const domain = rng.pick(DOMAINS);
    return { name: `${first} ${last}`, address: `${first}.${last}${i % 7 === 0 ? '' : i}@${domain}`.toLowerCase() };
  });
  // Sentences are drawn once and reused: generating 1 GB word by word would dominate the benchmark.
  const sentences = Array.from({ length: 4_000 }, () => {
    const words = Array.from({ length: rng.int(6, 22) }, () => rng.pick(WORDS));
    const s = words.join(' ');
    return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
  });
  const subjects = Array.from({ length: 3_000 }, () => Array.from({ length: rng.int(2, 6) }, () => rng.pick(WORDS)).join(' '));

  const out = createWriteStream(file, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  let bytes = 0;
  let messages = 0;
  let pending: string[] = [];
  let pendingBytes = 0;
  let clock = START;
  let uid = 0;

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    pendingBytes = 0;
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  };

  const emit = async (text: string): Promise<void> => {
    const size = Buffer.byteLength(text, 'utf8');
    pending.push(text);
    pendingBytes += size;
    bytes += size;
    messages++;
    if (pendingBytes >= 256 * 1024) await flush();
  };

  const body = (quoted: string | null): string => {
    const target = Math.min(60_000, Math.max(80, rng.logNormal(1_400, 0.9)));
    const lines: string[] = [];
    let line = '';
    let size = 0;
    while (size < target) {
      const s = rng.pick(sentences);
      size += s.length + 1;
      if (line && line.length + s.length > 72) {
        lines.push(line);
        line = '';
        // Now and then a line opens with "From ", which the mbox must escape.
        if (rng.chance(0.004)) line = 'From';
      }
      line = line ? `${line} ${s}` : s;
    }
    lines.push(line);
    if (quoted) lines.push('', ' -----Original Message-----', ...quoted.split('\n').slice(0, 12).map((l) => `> ${l}`));
    return lines.join('\n');
  };

  const message = (m: { id: string; at: number; from: Mailbox; to: Mailbox[]; cc: Mailbox[]; subject: string;
    inReplyTo: string | null; folder: string; list: boolean; text: string }): string => {
    const list = (xs: Mailbox[]): string => xs.map((x) => x.address).join(', ');
    const named = (xs: Mailbox[]): string => xs.map((x) => `${x.name} <${x.address}>`).join(', ');
    const lines = [
      `From ${m.from.address} ${separatorDate(m.at)}`,
      `Message-ID: <${m.id}>`,
      `Date: ${pacificDate(m.at)}`,
      `From: ${m.from.address}`,
      header('To', list(m.to)),
    ];
    if (m.cc.length > 0) lines.push(header('Cc', list(m.cc)));
    lines.push(header('Subject', m.subject));
    if (m.inReplyTo) lines.push(`In-Reply-To: <${m.inReplyTo}>`, `References: <${m.inReplyTo}>`);
    if (m.list) lines.push('List-Id: <energy-news.lists.example>', 'List-Unsubscribe: <mailto:leave@lists.example>', 'Precedence: list');
    lines.push('Mime-Version: 1.0', 'Content-Type: text/plain; charset=us-ascii', 'Content-Transfer-Encoding: 7bit',
      `X-From: ${m.from.name}`, header('X-To', named(m.to)), header('X-cc', named(m.cc)), 'X-bcc: ',
      `X-Folder: \\Pat_Quinn_Dec2026\\Quinn, Pat\\${m.folder}`, 'X-Origin: Quinn-P', 'X-FileName: pquinn (Non-Privileged).pst',
      '', escapeBody(m.text), '');
    return `${lines.join('\n')}\n`;
  };

  const messageId = (): string => `${rng.int(1_000_000, 99_999_999)}.${1_075_855_000_000 + ++uid}.JavaMail.evans@thyme`;

  while (bytes < targetBytes) {
    // Roughly 150 messages a day at this mailbox's pace.
    clock += Math.floor(rng.logNormal(0.3, 1) * HOUR);
    const list = rng.chance(0.03);
    const size = list ? 1 : enronThreadSize(rng);
    const others = Array.from({ length: rng.int(1, 3) }, () => rng.pick(people));
    const subject = rng.pick(subjects);
    let at = clock;
    const ownerStarts = !list && rng.chance(0.45);
    let prev: { id: string; text: string } | null = null;
    for (let i = 0; i < size && bytes < targetBytes; i++) {
      const mine = !list && (i % 2 === 0) === ownerStarts;
      const from = mine ? OWNER : others[i % others.length]!;
      const broadcast = rng.chance(0.02);
      const to = mine ? others : [OWNER, ...others.filter((o) => o !== from)];
      const cc = broadcast ? Array.from({ length: rng.int(12, 40) }, () => rng.pick(people)) : rng.chance(0.25) ? [rng.pick(people)] : [];
      const text = body(prev?.text ?? null);
      const id = messageId();
      const fields = { id, at, from, to, cc, subject: i === 0 ? subject : `RE: ${subject}`,
        inReplyTo: prev && rng.chance(0.15) ? prev.id : null, list, text };
      await emit(message({ ...fields, folder: mine ? "'Sent Mail" : 'Inbox' }));
      // Enron's trait: a sent message also filed under another folder with a new Message-ID.
      if (mine && rng.chance(0.3) && bytes < targetBytes) await emit(message({ ...fields, id: messageId(), folder: 'Sent Items' }));
      prev = { id, text };
      at += Math.floor(Math.max(0.05, rng.logNormal(2, 1.3)) * HOUR);
    }
  }
  await flush();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return { messages, bytes };
}
