/**
 * The mbox reader on hostile files (issue 10, items 6 and 8): each imports its good
 * messages and names what it skipped, in bounded memory and linear time.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMbox, type MboxOptions } from '#lib/providers/files/mbox.ts';
import { MboxSplitter, type MboxPart } from '#lib/providers/files/mbox-splitter.ts';
import type { FileSkip } from '#lib/providers/files/skips.ts';
import type { MailItem } from '#lib/items/types.ts';
import {
  goodMessage, gzipBomb, HOSTILE_ME, invalidUtf8Mbox, manyRecipients, oversizedHeaderLine, truncatedGzip, truncatedMbox,
  type HostileFile,
} from './hostile-files.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sinew-mbox-hostile-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function read(file: string, opts: Partial<MboxOptions> = {}): Promise<{ items: MailItem[]; skips: FileSkip[]; details: string[] }> {
  const items: MailItem[] = [];
  const skips: FileSkip[] = [];
  const details: string[] = [];
  for await (const item of readMbox(file, { accountId: 'a', onSkip: (d, s) => (details.push(d), skips.push(s)), ...opts })) items.push(item);
  return { items, skips, details };
}

/** The good messages' ids in the file, by their number. */
const ids = (...n: number[]) => n.map((i) => `m${i}@hostile.example`);

function expectAsPromised(h: HostileFile, got: { items: MailItem[]; skips: FileSkip[] }): void {
  expect(got.items).toHaveLength(h.expectItems);
  expect(got.skips.map((s) => [s.kind, s.reason])).toEqual(h.expectSkips.map((s) => [s.kind, s.reason]));
}

describe('readMbox on hostile files', () => {
  it('skips a message with a 4 MiB header line, and reads the ones around it', async () => {
    const h = await oversizedHeaderLine(dir);
    const got = await read(h.file);
    expectAsPromised(h, got);
    expect(got.items.map((i) => i.messageId)).toEqual(ids(1, 2, 4));
    expect(got.details).toEqual(['message 3: header line over 1 MB']);
  });

  it('reads a 32 MiB header line in linear time (mbox-reader took 32 s)', async () => {
    const h = await oversizedHeaderLine(dir, 32 << 20, 'huge-header.mbox');
    const started = performance.now();
    const got = await read(h.file);
    // Generous for a loaded 2-core machine: the scan itself takes about 0.1 s.
    expect(performance.now() - started).toBeLessThan(10_000);
    expectAsPromised(h, got);
  });

  it('reads a message with 100,000 recipients whole', async () => {
    const h = await manyRecipients(dir);
    const got = await read(h.file);
    expectAsPromised(h, got);
    const crowd = got.items[1]!;
    expect(crowd.to).toHaveLength(100_001);
    expect(crowd.to[0]).toBe(HOSTILE_ME);
    expect(crowd.to.at(-1)).toBe('p99999@crowd.example');
  });

  it('skips a message whose headers are over the header bound', async () => {
    const h = await manyRecipients(dir, { recipients: 5_000, name: 'headers.mbox' });
    const got = await read(h.file, { bounds: { maxHeaderBytes: 64 * 1024 } });
    expect(got.items.map((i) => i.messageId)).toEqual(ids(1, 3));
    expect(got.details).toEqual(['message 2: headers over 64 KB']);
  });

  it('cuts a gzip bomb off at the line bound and reads the messages after it', async () => {
    const h = await gzipBomb(dir);
    const got = await read(h.file);
    expectAsPromised(h, got);
    expect(got.items.map((i) => i.messageId)).toEqual(ids(1, 3, 4));
  });

  it('skips the last message of a file cut inside its headers', async () => {
    const h = await truncatedMbox(dir);
    const got = await read(h.file);
    expectAsPromised(h, got);
    expect(got.details).toEqual(['message 4: truncated: the file ends inside its headers']);
  });

  it('keeps what came before the end of a gzip file cut short, and says the file ends early', async () => {
    const h = await truncatedGzip(dir);
    const got = await read(h.file);
    expectAsPromised(h, got);
    expect(got.items.map((i) => i.messageId)).toEqual(ids(1, 2, 3, 4));
    expect(got.details[0]).toMatch(/^gzip data ends early or is damaged \(.+\): the messages after it are lost$/);
  });

  it('reads headers holding bytes that are not UTF-8', async () => {
    const h = await invalidUtf8Mbox(dir);
    const got = await read(h.file);
    expectAsPromised(h, got);
    for (const item of got.items) {
      expect(item.from).toMatch(/^c\d@contacts\.example$/);
      expect(item.to).toEqual([HOSTILE_ME]);
      expect(item.subjectHash).toMatch(/\S/);
    }
  });
});

describe('MboxSplitter', () => {
  /** Every part the splitter gives for `bytes` fed in chunks of `size`. */
  function split(bytes: Buffer, size: number): MboxPart[] {
    const parts: MboxPart[] = [];
    const splitter = new MboxSplitter({ maxLineBytes: 64, maxHeaderBytes: 400 }, (p) => parts.push(p));
    for (let i = 0; i < bytes.length; i += size) splitter.push(bytes.subarray(i, i + size));
    splitter.end();
    return parts;
  }
  const plain = (parts: MboxPart[]) =>
    parts.map((p) => ('skipped' in p ? p : { ...p, message: { ...p.message, content: p.message.content.toString('latin1'), headers: [...p.message.headers] } }));

  it('gives the same parts whatever the chunk size', async () => {
    const takeout = await readFile(fileURLToPath(new URL('../../fixtures/files/takeout-sample.mbox', import.meta.url)));
    const tricky = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(goodMessage(1).replace(/\n/g, '\r\n')),
      Buffer.from('From x@y Mon Oct  5 10:00:00 2026\nSubject: no body, next separator right away\n'),
      Buffer.from(`${goodMessage(2)}From\nFrom:\n>From inside a body\nFro\n`),
      Buffer.from(goodMessage(3).replace('Subject:', `X-Long: ${'x'.repeat(100)}\nSubject:`)),
      Buffer.from(goodMessage(4).replace('Subject: message 4', 'Subject: message\n four\n\tfolded\n>From header')),
      Buffer.from(goodMessage(5).replace('Subject:', `X-Many: ${'y'.repeat(50)}\n`.repeat(8) + 'Subject:')),
      Buffer.from(goodMessage(6)),
    ]);
    for (const bytes of [takeout, tricky]) {
      const whole = plain(split(bytes, bytes.length));
      for (const size of [1, 2, 3, 5, 6, 7, 13, 64, 4096]) expect([size, plain(split(bytes, size))]).toEqual([size, whole]);
    }
    const parts = plain(split(tricky, tricky.length));
    expect(parts.map((p) => ('skipped' in p ? p.skipped : p.message.headers.find(([k]) => k === 'subject')?.[1][0]))).toEqual([
      'message 1', 'no body, next separator right away', 'message 2', 'header line over 64 bytes',
      'message four folded', 'headers over 400 bytes', 'message 6',
    ]);
  });

  it('unescapes >From header lines and keeps the raw header block', () => {
    const [part] = split(Buffer.from('From a Mon Oct  5 10:00:00 2026\r\nX-A: 1\r\n>From the archive\r\nSubject: s\r\n t\r\n\r\nbody\r\n'), 1000);
    expect('message' in part!).toBe(true);
    if (!('message' in part!)) return;
    expect(part.message.content.toString('latin1')).toBe('X-A: 1\nFrom the archive\nSubject: s\n t');
    expect([...part.message.headers]).toEqual([['x-a', ['1']], ['', ['From the archive']], ['subject', ['s t']]]);
    expect(part.message.returnPath).toBe('a');
    expect(part.message.time).toEqual(new Date('2026-10-05T10:00:00Z'));
  });
});

describe('readMbox keeps no body', () => {
  it('reads a message whose body is one 64 MiB line as fast as its headers', async () => {
    const file = join(dir, 'long-body.mbox');
    await writeFile(file, Buffer.concat([
      Buffer.from(goodMessage(1).replace(/body of[^]*$/, '')), Buffer.alloc(64 << 20, 'b'), Buffer.from(`\n\n${goodMessage(2)}`),
    ]));
    const got = await read(file);
    expect(got.items.map((i) => i.messageId)).toEqual(ids(1, 2));
    expect(got.skips).toEqual([]);
  });
});
