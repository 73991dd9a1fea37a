import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '#lib/errors.ts';
import type { SyncJob } from '#lib/queue/jobs.ts';
import type { ChangeSource } from '#lib/providers/types.ts';
import { newSyncTally, runSyncMessage, type SyncMessageDeps } from '#lib/sync/worker.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { aUser, anAccount } from '#test/links/fixtures.ts';

/**
 * The sync worker's part between a queue message and its job (lib/sync/worker.ts): what
 * it logs and counts for each outcome. The whole worker, SQS batches and continuations
 * included, is proven in test/functions/sync-worker.test.ts.
 */
const AS_OF = Date.UTC(2026, 10, 23, 7);
let db: TestDynamo;
beforeAll(async () => {
  db = await startTestDynamo();
});
afterAll(async () => db.close());

function world(sources: () => Promise<ChangeSource[]>) {
  const logs: Array<[string, string, Record<string, unknown>]> = [];
  const log = (level: string) => (message: string, attributes: Record<string, unknown>) => void logs.push([level, message, attributes]);
  const deps: SyncMessageDeps = {
    store: db.store(),
    vault: { seal: () => Promise.reject(new Error('unused')), open: () => Promise.reject(new Error('unused')) },
    queue: new MemoryQueue<SyncJob>(),
    providers: { google: () => Promise.reject(new Error('unused')), microsoft: () => Promise.reject(new Error('unused')) },
    clock: new VirtualClock(AS_OF),
    sources: async () => sources(),
    notifyReconnect: async () => true,
    onStale: () => undefined,
    log: { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') },
  };
  return { deps, logs };
}

async function connected(userId: string) {
  await db.store().putUser(aUser(userId));
  const account = anAccount(userId, 'google', 'pat@example.com', { encryptedToken: 'sealed' });
  await db.store().putAccount(account);
  const job: SyncJob = { v: 1, userId, accountId: account.accountId, reason: 'scheduled', slot: new Date(AS_OF).toISOString() };
  return { id: `m-${userId}`, body: JSON.stringify(job) };
}

describe('runSyncMessage', () => {
  it('counts a rate-limited job as throttled, logs it with its ids, and throws it for redelivery', async () => {
    const w = world(async () => {
      throw new ProviderUnavailableError('Gmail rate limit exceeded', 429);
    });
    const tally = newSyncTally();
    const message = await connected('u-throttled');
    await expect(runSyncMessage(message, 600_000, w.deps, tally)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(tally).toStrictEqual({ synced: 0, throttled: 1, continuations: 0 });
    expect(w.logs).toContainEqual(['warn', 'sync job failed; the queue will redeliver it', expect.objectContaining({ messageId: 'm-u-throttled', reason: 'scheduled', error: 'Gmail rate limit exceeded' })]);
    // Another failure of the provider is not a throttle.
    const down = world(async () => {
      throw new ProviderUnavailableError('Gmail is down', 503);
    });
    await expect(runSyncMessage(await connected('u-down'), 600_000, down.deps, tally)).rejects.toThrow('Gmail is down');
    expect(tally.throttled).toBe(1);
  });

  it('logs a malformed message as an error and throws it, counting nothing', async () => {
    const w = world(async () => []);
    const tally = newSyncTally();
    await expect(runSyncMessage({ id: 'm-bad', body: '{"v":1}' }, 600_000, w.deps, tally)).rejects.toThrow(/sync job m-bad/);
    expect(w.logs.map(([level, message, a]) => [level, message, a.messageId])).toStrictEqual([['error', 'malformed sync job', 'm-bad']]);
    expect(tally).toStrictEqual(newSyncTally());
  });

  it('logs a completed job with its stats and a skipped one with why, neither throttled nor continued', async () => {
    const page = { items: [], removed: [], cursor: 'c1', done: true };
    const source: ChangeSource = { resource: 'gmail', async *pages() { yield page; } };
    const w = world(async () => [source]);
    const tally = newSyncTally();
    await runSyncMessage(await connected('u-done'), 600_000, w.deps, tally);
    expect(w.logs.at(-1)).toEqual(['info', 'sync job done', expect.objectContaining({ outcome: 'complete', pages: 1, read: 0 })]);
    const gone = { id: 'm-gone', body: JSON.stringify({ v: 1, userId: 'u-nobody', accountId: 'google-nobody', reason: 'scheduled', slot: 'x' }) };
    await runSyncMessage(gone, 600_000, w.deps, tally);
    expect(w.logs.at(-1)).toEqual(['info', 'sync job skipped', expect.objectContaining({ messageId: 'm-gone', why: 'gone' })]);
    expect(tally).toStrictEqual({ synced: 0, throttled: 0, continuations: 0 });
  });
});
