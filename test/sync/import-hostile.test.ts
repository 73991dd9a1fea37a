/**
 * `importFiles` never stops on one message or event (issue 10, items 6 and 7): what the
 * readers or the store leave out is counted and named, and everything else is stored.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles, importWindow } from '#lib/sync/import-files.ts';
import type { Item, MailItem } from '#lib/items/types.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import {
  brokenDates, dailyInWindow, dailySeries, goodMessage, gzipBomb, HOSTILE_ME, HOSTILE_NOW, manyRecipients, oversizedHeaderLine,
} from '#test/providers/files/hostile-files.ts';

let db: TestDynamo;
let store: DynamoStore;
let dir: string;
beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  dir = await mkdtemp(join(tmpdir(), 'sinew-import-hostile-'));
});
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

async function storedItems(userId: string): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of store.queryItems(userId)) items.push(item);
  return items;
}

const base = { internalDomains: [], timeZone: 'UTC', now: HOSTILE_NOW };

describe('importFiles on hostile files', () => {
  it('stores all 2,000 messages of an mbox whose message #1000 has 100,000 recipients (or 1,999 and names the one skipped)', async () => {
    const h = await manyRecipients(dir, { messages: 2000, at: 1000, name: 'crowd.mbox' });
    const me = 'crowd-owner@hostile.example';
    const result = await importFiles(store, { ...base, mbox: [h.file], ics: [], me: [me] });
    expect(result.mail.read).toBe(2000);
    const stored = (await storedItems(result.userId)).filter((i): i is MailItem => i.kind === 'mail');
    const ids = new Set(stored.map((i) => i.messageId));
    // Never stops at #1000: the messages after it are all there.
    for (const n of [999, 1001, 1500, 2000]) expect(ids.has(`m${n}@hostile.example`)).toBe(true);
    expect(stored.length + result.mail.skipped).toBe(2000);
    expect(result.mail.skipped).toBeLessThanOrEqual(1);
    if (result.mail.skipped === 1) {
      expect(result.skips).toEqual([expect.objectContaining({ file: h.file, kind: 'message', count: 1 })]);
    } else {
      // Stored bounded: its recipient count is kept exact.
      const crowd = stored.find((i) => i.messageId === 'm1000@hostile.example')!;
      expect(crowd.recipientCounts?.toCc ?? crowd.to.length).toBe(100_001);
    }
  });

  it('goes on past a message the store cannot keep even bounded, and counts it', async () => {
    const file = join(dir, 'unstorable.mbox');
    // To and Cc of 1,100 long addresses each: bounded to 1,000 each, still over 400 KB.
    const list = (tag: string) => Array.from({ length: 1100 }, (_, r) => `${tag}${'x'.repeat(200)}${r}@crowd.example`).join(',\n ');
    await writeFile(file, [1, 2, 3, 4].map((i) => (i === 2 ? goodMessage(i, `Cc: ${list('c')}\n`).replace(`To: ${HOSTILE_ME}`, `To: ${list('t')}`) : goodMessage(i))).join(''));
    const result = await importFiles(store, { ...base, mbox: [file], ics: [], me: ['unstorable@hostile.example'] });
    expect(result.mail).toEqual({ read: 4, written: 3, unchanged: 0, skipped: 1 });
    expect(result.skips).toEqual([{ file, kind: 'message', reason: 'too big to store, even bounded', count: 1, ids: [] }]);
    const stored = (await storedItems(result.userId)).map((i) => (i as MailItem).messageId).sort();
    expect(stored).toEqual(['m1@hostile.example', 'm3@hostile.example', 'm4@hostile.example']);
  });

  it('imports the messages around an oversized header line and a gzip bomb, and counts each skip by file and reason', async () => {
    const big = await oversizedHeaderLine(dir);
    const bomb = await gzipBomb(dir, 16 << 20);
    const dates = await brokenDates(dir);
    const result = await importFiles(store, { ...base, mbox: [big.file, bomb.file], ics: [dates.file], me: ['skips@hostile.example'] });
    expect(result.mail.read).toBe(6);
    expect(result.meetings.read).toBe(6);
    expect(result.skipped).toBe(2 + 8 + 1);
    expect(result.skips).toEqual([
      { file: big.file, kind: 'message', reason: 'header line over 1 MB', count: 1, ids: [] },
      { file: bomb.file, kind: 'message', reason: 'header line over 1 MB', count: 1, ids: [] },
      { file: dates.file, kind: 'event', reason: 'bad dates', count: 8, ids: ['bad-dtstart', 'bad-dtstart-text', 'bad-dtend', 'bad-until', 'bad-exdate'] },
      { file: dates.file, kind: 'event', reason: 'unreadable', count: 1, ids: ['bad-freq'] },
    ]);
    // The two mboxes share messages 1 and 4 (same Message-ID): stored once.
    const stored = await storedItems(result.userId);
    expect(stored.filter((i) => i.kind === 'mail')).toHaveLength(4);
    expect(stored.filter((i) => i.kind === 'meeting')).toHaveLength(6);
  });

  it('imports 200 daily series begun in 2020 within the window only, without overflowing the stack', async () => {
    const h = await dailySeries(dir, 200, 'daily-window.ics');
    const asOf = HOSTILE_NOW;
    // A 20-day window keeps the store's part of the test short; the reader's part is the same.
    const window = { from: new Date(asOf.getTime() - 10 * 86_400_000), until: new Date(asOf.getTime() + 10 * 86_400_000) };
    const result = await importFiles(store, { ...base, mbox: [], ics: [h.file], me: [HOSTILE_ME], calendarWindow: window });
    let expected = 1; // the single meeting, kept wherever it is
    for (let i = 0; i < 200; i++) expected += dailyInWindow(Date.UTC(2020, 0, 6, 7 + (i % 12)), 30 * 60_000, window);
    expect(result.meetings.read).toBe(expected);
    expect(result.skips).toEqual([]);
    expect((await storedItems(result.userId)).filter((i) => i.kind === 'meeting')).toHaveLength(expected);
  });

  it('expands series from 400 days before the import to 90 days after by default', () => {
    const w = importWindow(HOSTILE_NOW);
    expect(w.from.toISOString()).toBe('2025-10-19T07:00:00.000Z');
    expect(w.until.toISOString()).toBe('2027-02-21T07:00:00.000Z');
  });
});
