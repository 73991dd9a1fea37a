import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { ChangeSource, SourcePage } from '#lib/providers/types.ts';
import type { MailItem } from '#lib/items/types.ts';
import type { Account, Store } from '#lib/store/types.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { recordConnectedAccount } from '#lib/connect/accounts.ts';
import { disconnectUser } from '#lib/links/disconnect.ts';
import { syncAccount } from '#lib/sync/engine.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { dispatchSyncs } from '#lib/sync/dispatch.ts';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import type { SyncJob } from '#lib/queue/jobs.ts';
import { runSyncJob, type SyncJobDeps } from '#lib/sync/job.ts';
import type { ProviderClients } from '#lib/providers/account-sources.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';

/**
 * Issue 10, item 2: a disconnect during a running sync. Whatever the interleaving (a page
 * written after the delete, a checkpoint after the delete, a job or continuation delivered
 * after it), deletion wins: nothing of the user is left in the raw table, no later
 * dispatch syncs the account, and the same person can connect afresh.
 */
const AS_OF = Date.UTC(2026, 10, 23, 7);
let db: TestDynamo;
let store: DynamoStore;
const vault = LocalKeyVault.fromKey(randomBytes(32));

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());

const mail = (n: number): MailItem => ({
  kind: 'mail', accountId: 'google-me@example.com', source: 'gmail', providerId: `m${n}`, messageId: `${n}@x`, threadId: `t${n}`,
  at: new Date(AS_OF - 86_400_000 + n * 60_000).toISOString(), from: 'ann@acme.com', to: ['me@example.com'],
  cc: [], bcc: [], names: {}, replyTo: [], subjectHash: null, labels: ['INBOX'], bulkSignals: [],
});

/** Every record of a user in the raw table (a Scan: this is the test looking, not the product). */
async function rawRecords(userId: string): Promise<string[]> {
  const doc = DynamoDBDocumentClient.from(db.client);
  const out = await doc.send(new ScanCommand({ TableName: db.tableName, ConsistentRead: true }));
  return (out.Items ?? []).filter((r) => r.pk === `USER#${userId}`).map((r) => r.sk as string).sort();
}

/** A connected Gmail account, recorded as the connect callback records it (sealed token). */
async function connect(address: string): Promise<Account> {
  const grant = { refreshToken: `refresh-${address}`, accessToken: 'a', expiresAt: undefined, email: address, grantedScopes: ['https://www.googleapis.com/auth/gmail.metadata'] };
  const { account } = await recordConnectedAccount(store, vault, { provider: 'google', grant, now: new Date(AS_OF), timeZone: 'Europe/Paris' });
  return account;
}

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** Pages of 10 items each; before page `pauseBefore` it says so and waits for the test. */
function gatedSource(accountId: string, pages: number, pauseBefore: number, reached: { open(): void }, resume: Promise<void>): ChangeSource {
  return {
    resource: 'gmail',
    async *pages(cursor): AsyncGenerator<SourcePage> {
      for (let p = cursor ? Number(cursor) : 0; p < pages; p += 1) {
        if (p === pauseBefore) {
          reached.open();
          await resume;
        }
        const items = Array.from({ length: 10 }, (_, i) => ({ ...mail(p * 10 + i), accountId }));
        yield { items, removed: [], cursor: String(p + 1), done: p + 1 === pages };
      }
    },
  };
}

async function dueJobs(): Promise<SyncJob[]> {
  const queue = new MemoryQueue<SyncJob>();
  await dispatchSyncs({ store, queue, now: new Date(AS_OF + 7 * 86_400_000) });
  return queue.sent;
}

const noProviders: ProviderClients = {
  google: async () => {
    throw new Error('a gone account must not reach its provider');
  },
  microsoft: async () => {
    throw new Error('a gone account must not reach its provider');
  },
};
const jobDeps = (over: Partial<SyncJobDeps> = {}): SyncJobDeps => ({
  store, vault, queue: new MemoryQueue<SyncJob>(), providers: noProviders, clock: new VirtualClock(AS_OF), budgetMs: 600_000, ...over,
});

describe('a disconnect racing a sync', () => {
  it('a page written after the delete is taken back, and the account never returns; a fresh connect works', async () => {
    const account = await connect('me@example.com');
    const reached = gate();
    const resume = gate();
    const clock = new VirtualClock(AS_OF);
    const running = syncAccount({ store, account, sources: [gatedSource(account.accountId, 3, 1, reached, resume.wait)], clock, budgetMs: 600_000 });
    await reached.wait; // page 0 is stored and checkpointed
    expect(await rawRecords(account.userId)).toContain(`ACCOUNT#${account.accountId}`);
    const outcome = await disconnectUser(account.userId, { store });
    expect(outcome.changed).toBe(true);
    resume.open(); // page 1 is written after the delete
    expect((await running).state).toBe('gone');

    expect(await rawRecords(account.userId)).toEqual([]);
    expect((await dueJobs()).filter((j) => j.userId === account.userId)).toEqual([]);

    // The same person connects again: a fresh account, synced from the start.
    const fresh = await connect('me@example.com');
    expect(fresh.cursors).toEqual({});
    const again = await syncAccount({ store, account: fresh, sources: [gatedSource(fresh.accountId, 3, -1, gate(), Promise.resolve())], clock, budgetMs: 600_000 });
    expect(again.state).toBe('complete');
    expect(again.stats.written).toBe(30);
    expect((await store.getAccount(fresh.userId, fresh.accountId))?.cursors).toEqual({ gmail: '3' });
    await store.deleteUser(fresh.userId);
  });

  it('a checkpoint after the delete fails, and the page written before it is taken back', async () => {
    const account = await connect('two@example.com');
    const reached = gate();
    const resume = gate();
    let puts = 0;
    // The delete lands between the second page's items and its checkpoint.
    const pausing: Store = Object.assign(Object.create(store) as Store, {
      async putItems(userId: string, items: MailItem[]) {
        const result = await store.putItems(userId, items);
        puts += 1;
        if (puts === 2) {
          reached.open();
          await resume.wait;
        }
        return result;
      },
    });
    const running = syncAccount({ store: pausing, account, sources: [gatedSource(account.accountId, 3, -1, gate(), Promise.resolve())], clock: new VirtualClock(AS_OF), budgetMs: 600_000 });
    await reached.wait;
    await disconnectUser(account.userId, { store });
    expect(await rawRecords(account.userId)).toEqual([]);
    resume.open();
    expect((await running).state).toBe('gone');
    expect(await rawRecords(account.userId)).toEqual([]);
    expect((await dueJobs()).filter((j) => j.userId === account.userId)).toEqual([]);
  });

  it('a sync job that read the account just before the delete does not bring it back', async () => {
    const account = await connect('three@example.com');
    const reached = gate();
    const resume = gate();
    const pausing: Store = Object.assign(Object.create(store) as Store, {
      async getAccount(userId: string, accountId: string) {
        const found = await store.getAccount(userId, accountId);
        reached.open();
        await resume.wait;
        return found;
      },
    });
    const job: SyncJob = { v: 1, userId: account.userId, accountId: account.accountId, reason: 'scheduled', slot: 's' };
    const running = runSyncJob(job, jobDeps({ store: pausing }));
    await reached.wait;
    await disconnectUser(account.userId, { store });
    resume.open();
    expect(await running).toEqual({ outcome: 'skipped', why: 'gone' });
    expect(await rawRecords(account.userId)).toEqual([]);
    expect((await dueJobs()).filter((j) => j.userId === account.userId)).toEqual([]);
  });

  it('a continuation delivered after the delete syncs nothing and sweeps what a dead run left', async () => {
    const account = await connect('four@example.com');
    await disconnectUser(account.userId, { store });
    // A run that died between a page and its checkpoint, after the delete, left items.
    await store.putItems(account.userId, Array.from({ length: 5 }, (_, i) => ({ ...mail(i), accountId: account.accountId })));
    const continuation: SyncJob = { v: 1, userId: account.userId, accountId: account.accountId, reason: 'continuation', slot: 'c' };
    const deps = jobDeps();
    expect(await runSyncJob(continuation, deps)).toEqual({ outcome: 'skipped', why: 'gone' });
    expect((deps.queue as MemoryQueue<SyncJob>).sent).toEqual([]);
    expect(await rawRecords(account.userId)).toEqual([]);
    expect((await dueJobs()).filter((j) => j.userId === account.userId)).toEqual([]);
  });

  it('a run whose account was connected afresh meanwhile stops without handing it its old cursors', async () => {
    const account = await connect('five@example.com');
    const reached = gate();
    const resume = gate();
    const running = syncAccount({ store, account, sources: [gatedSource(account.accountId, 4, 2, reached, resume.wait)], clock: new VirtualClock(AS_OF), budgetMs: 600_000 });
    await reached.wait; // pages 0 and 1 stored, cursor at 2
    await disconnectUser(account.userId, { store });
    const fresh = await connect('five@example.com');
    resume.open();
    expect((await running).state).toBe('gone');
    // The fresh account starts over: no cursor of the old run, and no item it wrote after the delete.
    expect((await store.getAccount(fresh.userId, fresh.accountId))?.cursors).toEqual({});
    expect(await rawRecords(account.userId)).toEqual([`ACCOUNT#${fresh.accountId}`, 'PROFILE']);
  });
});
