/**
 * A first import writes without reading back (ItemLedger); a crash part-way leaves items
 * behind, and the next import must then compare every item: the totals after a crash and
 * a re-import equal one clean import, and a third import writes nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '#lib/sync/import-files.ts';
import type { Item } from '#lib/items/types.ts';
import type { Store } from '#lib/store/types.ts';
import { itemSortKey } from '#lib/store/dynamodb/item-record.ts';
import { userIdFor } from '#lib/connect/identity.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { goodMessage, HOSTILE_ME, HOSTILE_NOW } from '#test/providers/files/hostile-files.ts';

let crashed: TestDynamo;
let clean: TestDynamo;
let dir: string;
let mbox: string;
let cleanRun: Awaited<ReturnType<typeof importFiles>>;
/** 1,200 messages (three store batches of 500), then message 5 again: 1,201 read, 1,200 distinct. */
const MESSAGES = 1200;

beforeAll(async () => {
  [crashed, clean] = await Promise.all([startTestDynamo(), startTestDynamo()]);
  dir = await mkdtemp(join(tmpdir(), 'sinew-import-resume-'));
  mbox = join(dir, 'archive.mbox');
  const parts = Array.from({ length: MESSAGES }, (_, i) => goodMessage(i + 1));
  await writeFile(mbox, parts.join('') + goodMessage(5));
  cleanRun = await importFiles(clean.store(), input());
});
afterAll(async () => {
  await Promise.all([crashed.close(), clean.close()]);
  await rm(dir, { recursive: true, force: true });
});

const input = () => ({ mbox: [mbox], ics: [], me: [HOSTILE_ME], internalDomains: [], timeZone: 'UTC', now: HOSTILE_NOW });

async function stored(store: Store, userId: string): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of store.queryItems(userId)) items.push(item);
  const key = (i: Item) => itemSortKey(i.accountId, i.providerId);
  return items.sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

describe('importFiles after a crash', () => {
  it('counts a clean first import exactly, the repeated message as unchanged', () => {
    expect(cleanRun.mail).toEqual({ read: MESSAGES + 1, written: MESSAGES, unchanged: 1, skipped: 0 });
  });

  it('resumes a first import that died after its first batch to the same items, then writes nothing', async () => {
    const store = crashed.store();
    let calls = 0;
    const dying: Store = Object.assign(Object.create(store) as Store, {
      putItems: async (...args: Parameters<Store['putItems']>) => {
        calls += 1;
        if (calls === 2) throw new Error('killed mid-import');
        return store.putItems(...args);
      },
    });
    await expect(importFiles(dying, input())).rejects.toThrow('killed mid-import');
    const userId = userIdFor(HOSTILE_ME);
    expect(await stored(store, userId)).toHaveLength(500);

    const resumed = await importFiles(store, input());
    expect(resumed.mail).toEqual({ read: MESSAGES + 1, written: MESSAGES - 500, unchanged: 501, skipped: 0 });
    expect(await stored(store, userId)).toStrictEqual(await stored(clean.store(), userId));

    const again = await importFiles(store, input());
    expect(again.mail).toEqual({ read: MESSAGES + 1, written: 0, unchanged: MESSAGES + 1, skipped: 0 });
  });
});
