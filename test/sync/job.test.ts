import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProviderUnavailableError } from '#lib/errors.ts';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import type { SyncJob } from '#lib/queue/jobs.ts';
import { providerEndpointsFromEnv } from '#lib/providers/account-sources.ts';
import { continuationSlot, runSyncJob, type SyncJobDeps } from '#lib/sync/job.ts';
import type { Clock } from '#lib/time/clock.ts';
import { startSyncWorld, steppingClock, type SyncWorld } from '#test/support/sync-world.ts';

/**
 * runSyncJob against the Google emulators and dynalite: what each kind of account and
 * failure does to the account record, the queue and the owner's notice. The continuation
 * chain and duplicate deliveries are proven end to end in test/functions/sync-worker.test.ts;
 * what every provider does with a revoked grant is in job-providers.test.ts.
 */
describe('runSyncJob', () => {
  let w: SyncWorld;
  beforeAll(async () => {
    w = await startSyncWorld(80);
  });
  afterAll(async () => w.close());

  const job = (over: Partial<SyncJob> = {}): SyncJob => ({
    v: 1, userId: w.account.userId, accountId: w.account.accountId, reason: 'scheduled', slot: '2026-11-23T07:00:00.000Z', ...over,
  });
  function deps(over: Partial<SyncJobDeps> = {}): SyncJobDeps & { queue: MemoryQueue<SyncJob> } {
    return { store: w.store, vault: w.vault, queue: new MemoryQueue<SyncJob>(), providers: w.providers, clock: w.clock, budgetMs: 600_000, ...over } as SyncJobDeps & { queue: MemoryQueue<SyncJob> };
  }

  it('refuses a budget too small for one page, leaving the account untouched', async () => {
    const before = await w.stored();
    await expect(runSyncJob(job(), deps({ budgetMs: 1_000 }))).rejects.toThrow(/only 1000 ms left/);
    expect(await w.stored()).toEqual(before);
    expect(w.google.emulator.count('/gmail/')).toBe(0);
  });

  it('a 5xx storm throws for redelivery, counts the error and leaves the account syncing; the redelivery completes', async () => {
    // Eight 503s: every attempt the pacer makes at the first listing.
    w.google.emulator.fault({ path: '/messages', status: 503, times: 8 });
    await expect(runSyncJob(job(), deps())).rejects.toBeInstanceOf(ProviderUnavailableError);
    const failed = (await w.stored())!;
    expect(failed).toMatchObject({ status: 'syncing', errorCount: 1 });
    expect(failed.lastSyncAt).toBeUndefined();

    expect(w.google.emulator.requests.filter((r) => r.status === 503)).toHaveLength(8);
    const d = deps();
    const done = await runSyncJob(job(), d);
    expect(done.outcome).toBe('complete');
    expect(d.queue.sent).toEqual([]);
    expect(await w.stored()).toMatchObject({ status: 'active', errorCount: 0, lastSyncAt: new Date(w.clock.now()).toISOString() });
    expect(await w.itemCount()).toBeGreaterThan(60);
  });

  it('a continuation that could not move a cursor is handed back instead of enqueuing its own dedup id', async () => {
    const cursors = (await w.stored())!.cursors;
    // Each clock reading takes longer than the whole budget: no source gets to start.
    const slow: Clock = steppingClock(w.clock, 10_000);
    const d = deps({ clock: slow, budgetMs: 5_000 });
    await expect(runSyncJob(job({ reason: 'continuation', slot: continuationSlot(cursors) }), d)).rejects.toThrow(/without moving a cursor/);
    expect(d.queue.sent).toEqual([]);
    // A scheduled job in the same spot (of a tick after the last sync) does enqueue: its continuation's dedup id is new.
    const s = deps({ clock: slow, budgetMs: 5_000 });
    const tick = new Date(Date.parse((await w.stored())!.lastSyncAt!) + 1).toISOString();
    expect((await runSyncJob(job({ slot: tick }), s)).outcome).toBe('continued');
    expect(s.queue.sent).toEqual([job({ reason: 'continuation', slot: continuationSlot(cursors) })]);
  });

  it('skips a scheduled job whose account synced after its tick (a continuation ran ahead of it): no request, nothing queued, no second chain', async () => {
    const lastSyncAt = (await w.stored())!.lastSyncAt!;
    const before = w.google.emulator.requests.length;
    for (const slot of [lastSyncAt, new Date(Date.parse(lastSyncAt) - 30 * 60_000).toISOString()]) {
      const d = deps();
      expect(await runSyncJob(job({ slot }), d)).toEqual({ outcome: 'skipped', why: 'synced-since-tick' });
      expect(d.queue.sent).toEqual([]);
    }
    expect(w.google.emulator.requests.length).toBe(before);
    expect((await w.stored())!.lastSyncAt).toBe(lastSyncAt);
    // A continuation is never skipped so: it carries the chain.
    const c = deps();
    expect((await runSyncJob(job({ reason: 'continuation', slot: 'any' }), c)).outcome).toBe('complete');
  });

  it('a gone account is acknowledged and nothing is done', async () => {
    const d = deps();
    const before = w.google.emulator.requests.length;
    expect(await runSyncJob(job({ accountId: 'google-disconnected' }), d)).toEqual({ outcome: 'skipped', why: 'gone' });
    expect(w.google.emulator.requests.length).toBe(before);
    expect(d.queue.sent).toEqual([]);
  });

  it('a failure before the first page (a token that cannot be opened) counts as a failed sync, stale after a day', async () => {
    const broken = { ...w.account, accountId: 'google-broken', encryptedToken: 'not-a-sealed-token', cursors: {} };
    await w.store.putAccount(broken);
    const seen: string[] = [];
    const onSyncFailed = (_: unknown, freshness: { state: string }) => void seen.push(freshness.state);
    const brokenJob = job({ accountId: 'google-broken' });
    await expect(runSyncJob(brokenJob, deps({ onSyncFailed }))).rejects.toThrow();
    const failed = await w.store.getAccount(w.account.userId, 'google-broken');
    expect(failed).toMatchObject({ errorCount: 1, failingSince: new Date(w.clock.now()).toISOString() });
    const start = w.clock.now();
    w.clock.advance(25 * 3_600_000);
    await expect(runSyncJob(brokenJob, deps({ onSyncFailed }))).rejects.toThrow();
    expect(await w.store.getAccount(w.account.userId, 'google-broken')).toMatchObject({ errorCount: 2, failingSince: new Date(start).toISOString() });
    expect(seen).toEqual(['fresh', 'stale']);
  });

  it('an account without a token turns needs-reconnect and its owner is told once', async () => {
    const noToken = { ...w.account, accountId: 'google-notoken', encryptedToken: undefined, cursors: {} };
    await w.store.putAccount(noToken);
    const onNeedsReconnect = vi.fn(async () => true);
    expect((await runSyncJob(job({ accountId: 'google-notoken' }), deps({ onNeedsReconnect }))).outcome).toBe('needs-reconnect');
    expect((await runSyncJob(job({ accountId: 'google-notoken' }), deps({ onNeedsReconnect }))).outcome).toBe('skipped');
    expect(onNeedsReconnect.mock.calls).toEqual([[w.account.userId, 'google-notoken']]);
    expect((await w.store.getAccount(w.account.userId, 'google-notoken'))?.status).toBe('needs-reconnect');
  });
});

describe('continuationSlot', () => {
  it('depends on the cursors, not on their key order', () => {
    const a = continuationSlot({ gmail: 'h1', 'gcal:primary': 's1' });
    expect(continuationSlot({ 'gcal:primary': 's1', gmail: 'h1' })).toBe(a);
    expect(continuationSlot({ gmail: 'h2', 'gcal:primary': 's1' })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('providerEndpointsFromEnv', () => {
  it('defaults to the real providers, takes overrides, and ignores unrelated variables', () => {
    expect(providerEndpointsFromEnv({ SINEW_TABLE_NAME: '!', SINEW_BASE_URL: 'not a url' })).toEqual({
      googleTokenUrl: 'https://oauth2.googleapis.com/token',
      googleApiRoot: 'https://www.googleapis.com/',
      msAuthority: 'https://login.microsoftonline.com/common',
      graphBaseUrl: 'https://graph.microsoft.com/v1.0',
    });
    expect(providerEndpointsFromEnv({ SINEW_GOOGLE_API_ROOT: 'http://127.0.0.1:9/' }).googleApiRoot).toBe('http://127.0.0.1:9/');
    expect(() => providerEndpointsFromEnv({ SINEW_GRAPH_BASE_URL: 'graph' })).toThrow(/SINEW_GRAPH_BASE_URL/);
  });
});
