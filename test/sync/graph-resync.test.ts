import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '#lib/store/types.ts';
import { syncAccount } from '#lib/sync/engine.ts';
import { countWrites, startTestDynamo, type TestDynamo, type WriteCounter } from '#test/support/dynalite.ts';
import { fourFolders, harness, type Harness } from '#test/providers/microsoft/mail-harness.ts';

/**
 * Issue 14, Graph: a mail folder whose delta token expired (410) is listed again in full
 * (Graph has no cheaper way to learn what a folder holds), but nothing already stored
 * unchanged is written again: `putItems` reads each record's content hash first
 * (BatchGetItem) and writes only new or changed items. So the resync costs the folder's
 * requests and no item write.
 */

let db: TestDynamo;
let writes: WriteCounter;
let h: Harness | undefined;

beforeAll(async () => {
  db = await startTestDynamo();
  writes = countWrites(db.client);
});
afterAll(async () => db.close());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('Graph resync after an expired delta token', () => {
  it('lists the folder again but writes no item already stored unchanged; a changed one is written', async () => {
    const box = fourFolders(40);
    h = await harness(box);
    const source = h.source({ pageSize: 25 });
    const account: Account = { userId: 'graph-resync', accountId: 'acct', provider: 'microsoft', address: 'me@example.com', aliases: [], status: 'active', errorCount: 0, cursors: {} };
    const store = db.store();
    await store.putAccount(account);
    const first = await syncAccount({ store, account, sources: [source], clock: h.clock, budgetMs: 3_600_000 });
    expect(first.state).toBe('complete');
    expect(first.stats.written).toBe(160);

    box.expireDeltaTokens('sentitems');
    writes.reset();
    h.emulator.requests.length = 0;
    const second = await syncAccount({ store, account: first.account, sources: [source], clock: h.clock, budgetMs: 3_600_000 });
    expect(second.state).toBe('complete');
    expect(h.emulator.requests.some((r) => r.status === 410)).toBe(true);
    // The whole folder came back, and none of it was written.
    expect(second.stats.read).toBe(40);
    expect(second.stats.unchanged).toBe(40);
    expect(second.stats.written).toBe(0);
    expect(writes.counts.BatchWriteItemCommand ?? 0).toBe(0);
    expect(writes.counts.PutItemCommand ?? 0).toBe(0);

    // A message changed while the token was lost is the one item written.
    const moved = [...box.inFolder(box.folder('sentitems')!.id)][0]!.immutableId;
    box.expireDeltaTokens('sentitems');
    box.move(moved, 'archive');
    writes.reset();
    const third = await syncAccount({ store, account: second.account, sources: [source], clock: h.clock, budgetMs: 3_600_000 });
    expect(third.stats.written).toBe(1);
    expect(writes.counts.BatchWriteItemCommand).toBe(1);
    expect(((await store.getItem('graph-resync', 'acct', moved)) as { labels: string[] }).labels).toEqual(['folder:archive']);
  });
});
