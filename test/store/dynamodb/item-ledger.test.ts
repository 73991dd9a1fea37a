import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Item } from '#lib/items/types.ts';
import { ItemLedger } from '#lib/store/item-ledger.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { mail, mails, meeting } from './items.ts';

/**
 * putItems with an ItemLedger (a first import): items the run has not written yet are
 * written without BatchGetItem, and every count is what the read would have given.
 */
let db: TestDynamo;
let store: DynamoStore;
/** Keys asked of BatchGetItem since the last reset: what the ledger saves. */
let keysRead = 0;

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  db.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchGetItemCommand') {
        const input = args.input as { RequestItems: Record<string, { Keys: unknown[] }> };
        for (const table of Object.values(input.RequestItems)) keysRead += table.Keys.length;
      }
      return next(args);
    },
    { step: 'initialize', name: 'countKeysRead' },
  );
});
afterAll(async () => db.close());
beforeEach(() => {
  keysRead = 0;
});

async function count(userId: string): Promise<number> {
  let n = 0;
  for await (const _ of store.queryItems(userId)) n += 1;
  return n;
}

describe('putItems with a ledger', () => {
  it('writes a fresh account without reading, and counts a key met again in a later batch as the read would', async () => {
    const ledger = new ItemLedger('acc1');
    expect(await store.putItems('u-fresh', mails(250), { ledger })).toEqual({ written: 250, unchanged: 0, skipped: [] });
    expect(keysRead).toBe(0);

    // Same content again (a message in two folders of one archive): unchanged, read once.
    const again = mails(3);
    expect(await store.putItems('u-fresh', [...again, ...mails(2).map((m, i) => ({ ...m, providerId: `new-${i}` }))], { ledger }))
      .toEqual({ written: 2, unchanged: 3, skipped: [] });
    expect(keysRead).toBe(3);

    // Changed content under a key already written: written, as without a ledger.
    const changed = { ...mails(1)[0]!, labels: ['TRASH'] } as Item;
    expect(await store.putItems('u-fresh', [changed], { ledger })).toEqual({ written: 1, unchanged: 0, skipped: [] });
    expect(await count('u-fresh')).toBe(252);
  });

  it('reads and compares everything for an account that already holds items', async () => {
    await store.putItems('u-held', mails(40));
    keysRead = 0;
    const ledger = new ItemLedger('acc1');
    expect(await store.putItems('u-held', mails(60), { ledger })).toEqual({ written: 20, unchanged: 40, skipped: [] });
    expect(keysRead).toBe(60);
  });

  it('sees an account whose only item has a hashed key (an id too long for a key) as holding items', async () => {
    const long = mail({ providerId: `x${'y'.repeat(1100)}` });
    await store.putItems('u-hashed', [long]);
    keysRead = 0;
    const ledger = new ItemLedger('acc1');
    expect(await store.putItems('u-hashed', [long, mail({ providerId: 'short' })], { ledger })).toEqual({ written: 1, unchanged: 1, skipped: [] });
    expect(keysRead).toBe(2);
  });

  it('vouches only for its own account: another account in the same call is read', async () => {
    const ledger = new ItemLedger('acc1');
    const other = meeting({ accountId: 'acc2' });
    await store.putItems('u-mixed', [other]);
    keysRead = 0;
    expect(await store.putItems('u-mixed', [...mails(5), other], { ledger })).toEqual({ written: 5, unchanged: 1, skipped: [] });
    expect(keysRead).toBe(1);
  });

  it('stops vouching past its bound, and the counts stay exact', async () => {
    const ledger = new ItemLedger('acc1', 10);
    expect(await store.putItems('u-bound', mails(10), { ledger })).toEqual({ written: 10, unchanged: 0, skipped: [] });
    expect(keysRead).toBe(0);
    // The eleventh key fills the ledger: from here on every item is read and compared.
    expect(await store.putItems('u-bound', mails(30), { ledger })).toEqual({ written: 20, unchanged: 10, skipped: [] });
    expect(await store.putItems('u-bound', mails(30), { ledger })).toEqual({ written: 0, unchanged: 30, skipped: [] });
    expect(keysRead).toBe(60);
  });
});
