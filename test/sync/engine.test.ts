import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeSource, SourcePage } from '#lib/providers/types.ts';
import type { MailItem, MeetingItem } from '#lib/items/types.ts';
import type { Account } from '#lib/store/types.ts';
import { syncAccount } from '#lib/sync/engine.ts';
import { syncFreshness } from '#lib/sync/freshness.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { ProviderUnavailableError, ReconnectRequiredError } from '#lib/errors.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';

const mail = (n: number): MailItem => ({
  kind: 'mail', accountId: 'acc', source: 'gmail', providerId: `m${n}`, messageId: `${n}@x`, threadId: `t${n}`,
  at: new Date(Date.UTC(2026, 9, 1) + n * 60_000).toISOString(), from: 'ann@acme.com', to: ['me@example.com'],
  cc: [], bcc: [], names: {}, replyTo: [], subjectHash: null, labels: ['INBOX'], bulkSignals: [],
});

/**
 * A change source over a fixed list of items, 10 per page, with a numeric cursor; it can
 * throw at a chosen page (a crash, a revoked grant) and advances the clock per page.
 */
class ListSource implements ChangeSource {
  readonly resource = 'list';
  calls: (string | undefined)[] = [];
  constructor(
    private readonly items: MailItem[],
    private readonly clock: VirtualClock,
    private readonly failAt?: { page: number; error: Error },
  ) {}
  async *pages(cursor: string | undefined): AsyncGenerator<SourcePage> {
    this.calls.push(cursor);
    let next = cursor ? Number(cursor) : 0;
    while (next < this.items.length) {
      const page = next / 10;
      if (this.failAt && this.failAt.page === page) throw this.failAt.error;
      this.clock.advance(1_000);
      const items = this.items.slice(next, next + 10);
      next = Math.min(next + 10, this.items.length);
      yield { items, removed: [], cursor: String(next), done: next >= this.items.length, aliases: ['me@example.com'] };
    }
  }
}

describe('syncAccount', () => {
  let db: TestDynamo;
  beforeAll(async () => {
    db = await startTestDynamo();
  });
  afterAll(async () => db.close());

  const account = (userId: string): Account => ({
    userId, accountId: 'acc', provider: 'google', address: 'me@example.com', aliases: [], status: 'active',
    errorCount: 0, cursors: {},
  });
  const stored = async (userId: string) => {
    const ids: string[] = [];
    for await (const item of db.store().queryItems(userId)) ids.push(item.providerId);
    return ids.sort();
  };

  it('stores every page and checkpoints the cursor, learning aliases', async () => {
    const store = db.store();
    const clock = new VirtualClock();
    const items = Array.from({ length: 35 }, (_, i) => mail(i));
    await store.putAccount(account('u1'));
    const out = await syncAccount({ store, account: account('u1'), sources: [new ListSource(items, clock)], clock, budgetMs: 60_000 });
    expect(out.state).toBe('complete');
    expect(out.stats).toMatchObject({ pages: 4, read: 35, written: 35 });
    expect((await store.getAccount('u1', 'acc'))?.cursors.list).toBe('35');
    expect((await store.getAccount('u1', 'acc'))?.aliases).toEqual(['me@example.com']);
    expect(await stored('u1')).toHaveLength(35);
  });

  it('stops at the time budget and resumes exactly at the checkpoint', async () => {
    const store = db.store();
    const clock = new VirtualClock();
    const items = Array.from({ length: 50 }, (_, i) => mail(i));
    await store.putAccount(account('u2'));
    const source = new ListSource(items, clock);
    const first = await syncAccount({ store, account: account('u2'), sources: [source], clock, budgetMs: 2_500 });
    expect(first.state).toBe('budget');
    expect(first.stats.pages).toBe(3);
    const saved = (await store.getAccount('u2', 'acc'))!;
    expect(saved.cursors.list).toBe('30');
    const second = await syncAccount({ store, account: saved, sources: [source], clock, budgetMs: 60_000 });
    expect(second.state).toBe('complete');
    expect(source.calls).toEqual([undefined, '30']);
    expect(second.stats.written).toBe(20);
    expect(await stored('u2')).toHaveLength(50);
  });

  it('after a crash mid-sync, a rerun leaves the same items as a clean run, none twice', async () => {
    const store = db.store();
    const clock = new VirtualClock();
    const items = Array.from({ length: 40 }, (_, i) => mail(i));
    await store.putAccount(account('u3'));
    const crashing = new ListSource(items, clock, { page: 2, error: new ProviderUnavailableError('503 after retries', 503) });
    await expect(syncAccount({ store, account: account('u3'), sources: [crashing], clock, budgetMs: 60_000 })).rejects.toThrow(/503/);
    const afterCrash = (await store.getAccount('u3', 'acc'))!;
    expect(afterCrash.errorCount).toBe(1);
    expect(afterCrash.cursors.list).toBe('20');
    // Simulate the worst case: the cursor of the last stored page was not saved.
    const rewound = { ...afterCrash, cursors: { list: '10' } };
    await store.putAccount(rewound);
    const rerun = await syncAccount({ store, account: rewound, sources: [new ListSource(items, clock)], clock, budgetMs: 60_000 });
    expect(rerun.state).toBe('complete');
    expect(rerun.stats.unchanged).toBe(10); // the replayed page changed nothing
    expect(rerun.account.errorCount).toBe(0);
    expect(await stored('u3')).toEqual(items.map((i) => i.providerId).sort());
  });

  it('a removal by id cancels a stored meeting but leaves deleted mail counting', async () => {
    const store = db.store();
    const clock = new VirtualClock();
    await store.putAccount(account('u5'));
    const meeting: MeetingItem = {
      kind: 'meeting', accountId: 'acc', source: 'gcal', providerId: 'ev1', occurrenceKey: 'uid#2026-10-01T09:00:00.000Z',
      start: '2026-10-01T09:00:00.000Z', end: '2026-10-01T10:00:00.000Z', status: 'confirmed', organizer: 'me@example.com',
      attendees: [{ address: 'ann@acme.com', response: 'accepted' }],
    };
    await store.putItems('u5', [meeting, mail(1)]);
    const removing: ChangeSource = {
      resource: 'removals',
      async *pages() {
        yield { items: [], removed: ['ev1', 'm1', 'unknown'], cursor: 'x', done: true };
      },
    };
    const out = await syncAccount({ store, account: account('u5'), sources: [removing], clock, budgetMs: 60_000 });
    expect(out.stats.removed).toBe(3);
    expect(await store.getItem('u5', 'acc', 'ev1')).toMatchObject({ status: 'cancelled' });
    expect(await store.getItem('u5', 'acc', 'm1')).toEqual(mail(1));
  });

  it('keeps a token rotated during the sync instead of writing the old one back', async () => {
    const store = db.store();
    const clock = new VirtualClock();
    const acc = { ...account('u6'), encryptedToken: 'sealed-old' };
    await store.putAccount(acc);
    const rotating: ChangeSource = {
      resource: 'rotating',
      async *pages() {
        yield { items: [mail(1)], removed: [], cursor: 'a', done: false };
        acc.encryptedToken = 'sealed-new'; // what a token session's save does
        await store.putAccount(acc);
        yield { items: [mail(2)], removed: [], cursor: 'b', done: true };
      },
    };
    await syncAccount({ store, account: acc, sources: [rotating], clock, budgetMs: 60_000 });
    expect((await store.getAccount('u6', 'acc'))?.encryptedToken).toBe('sealed-new');
  });

  it('a failing sync sets failingSince once, keeps lastSyncAt, and the next success clears it', async () => {
    const store = db.store();
    const clock = new VirtualClock(Date.UTC(2026, 10, 1));
    const items = Array.from({ length: 20 }, (_, i) => mail(i));
    await store.putAccount(account('u7'));
    const ok = await syncAccount({ store, account: account('u7'), sources: [new ListSource(items, clock)], clock, budgetMs: 60_000 });
    const lastSyncAt = ok.account.lastSyncAt;
    expect(lastSyncAt).toBe(new Date(clock.now()).toISOString());
    const failing = (): ChangeSource => ({
      resource: 'list',
      // eslint-disable-next-line require-yield
      async *pages() {
        throw new ProviderUnavailableError('503 after retries', 503);
      },
    });

    clock.advance(3_600_000);
    const firstFailure = new Date(clock.now()).toISOString();
    await expect(syncAccount({ store, account: (await store.getAccount('u7', 'acc'))!, sources: [failing()], clock, budgetMs: 60_000 })).rejects.toThrow(/503/);
    clock.advance(25 * 3_600_000);
    await expect(syncAccount({ store, account: (await store.getAccount('u7', 'acc'))!, sources: [failing()], clock, budgetMs: 60_000 })).rejects.toThrow(/503/);
    const failed = (await store.getAccount('u7', 'acc'))!;
    expect(failed).toMatchObject({ errorCount: 2, failingSince: firstFailure, lastSyncAt });
    expect(syncFreshness(failed, new Date(clock.now()))).toEqual({ state: 'stale', lastSyncAt, failingSince: firstFailure });

    const recovered = await syncAccount({ store, account: failed, sources: [new ListSource(items, clock)], clock, budgetMs: 60_000 });
    const stored = (await store.getAccount('u7', 'acc'))!;
    expect(stored).toMatchObject({ errorCount: 0, lastSyncAt: recovered.account.lastSyncAt, status: 'active' });
    expect(stored).not.toHaveProperty('failingSince');
    expect(syncFreshness(stored, new Date(clock.now())).state).toBe('fresh');
  });

  it('skips an item the store cannot keep, moves the cursor past it and counts it on the account', async () => {
    const store = db.store();
    const clock = new VirtualClock();
    const items = Array.from({ length: 30 }, (_, i) => mail(i));
    items[15] = { ...mail(15), messageId: `${'x'.repeat(500_000)}@x` };
    await store.putAccount(account('u8'));
    const out = await syncAccount({ store, account: account('u8'), sources: [new ListSource(items, clock)], clock, budgetMs: 60_000 });
    expect(out.state).toBe('complete');
    expect(out.stats).toMatchObject({ pages: 3, read: 30, written: 29, skipped: 1 });
    expect(await store.getAccount('u8', 'acc')).toMatchObject({ cursors: { list: '30' }, skippedItems: 1, errorCount: 0 });
    expect(await stored('u8')).toHaveLength(29);
  });

  it('marks the account needs-reconnect when the grant is revoked', async () => {
    const store = db.store();
    const clock = new VirtualClock();
    await store.putAccount(account('u4'));
    const revoked = new ListSource([mail(1)], clock, { page: 0, error: new ReconnectRequiredError('invalid_grant') });
    const out = await syncAccount({ store, account: account('u4'), sources: [revoked], clock, budgetMs: 60_000 });
    expect(out.state).toBe('needs-reconnect');
    expect((await store.getAccount('u4', 'acc'))?.status).toBe('needs-reconnect');
  });
});
