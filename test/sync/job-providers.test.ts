import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SyncJob } from '#lib/queue/jobs.ts';
import { runSyncJob, type SyncJobDeps } from '#lib/sync/job.ts';
import { googleSync } from '#test/support/google/sync-provider.ts';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import { microsoftSync } from '#test/support/microsoft/sync-provider.ts';
import { AS_OF, type ProviderRun } from '#test/support/sync-provider.ts';

/**
 * The worker's job for every provider: the same runSyncJob, with the clients the sync
 * worker builds (Google's from the app's OAuth client, MSAL from the app's credentials and
 * the emulator's authority, its sealed token cache opened from the account and written
 * back when a refresh rotates it). Google's own failures are in job.test.ts.
 */
describe.each([googleSync, microsoftSync].map((p) => [p.name, p] as const))('runSyncJob on %s', (_, provider) => {
  let run: ProviderRun;
  let deps: SyncJobDeps;
  beforeAll(async () => {
    run = await provider.connectedRun({ messages: 120, seed: 3 });
    deps = { store: run.store, vault: run.vault, queue: new MemoryQueue<SyncJob>(), providers: run.providers, clock: run.clock, budgetMs: 600_000 };
  });
  afterAll(async () => run.close());
  const job = (): SyncJob => ({ v: 1, userId: run.account.userId, accountId: run.account.accountId, reason: 'connected', slot: AS_OF.toString() });

  it('syncs the mailbox to completion, then finds nothing new', async () => {
    const first = await runSyncJob(job(), deps);
    expect(first).toMatchObject({ outcome: 'complete', stats: { read: expect.any(Number) } });
    expect(first.outcome === 'complete' && first.stats.read).toBeGreaterThan(100);
    const stored = await run.reload();
    expect(stored.status).toBe('active');
    expect(Object.keys(stored.cursors).length).toBeGreaterThan(0);
    const again = await runSyncJob(job(), deps);
    expect(again).toMatchObject({ outcome: 'complete', stats: { written: 0 } });
  });

  it('a revoked grant turns the account needs-reconnect, tells its owner once across two deliveries, and keeps what was synced', async () => {
    const items = (await run.itemIds()).length;
    const report = await run.report();
    run.revoke();
    const onNeedsReconnect = vi.fn(async () => true);
    const first = await runSyncJob(job(), { ...deps, onNeedsReconnect });
    const requests = run.requestCount();
    const second = await runSyncJob(job(), { ...deps, onNeedsReconnect });
    expect(first.outcome).toBe('needs-reconnect');
    expect(second).toEqual({ outcome: 'skipped', why: 'needs-reconnect' });
    expect(second.outcome).toBe('skipped');
    expect(onNeedsReconnect).toHaveBeenCalledTimes(1);
    expect(onNeedsReconnect.mock.calls).toEqual([[run.account.userId, run.account.accountId]]);
    expect(run.requestCount()).toBe(requests); // the second delivery asked nothing of the provider
    expect((await run.reload()).status).toBe('needs-reconnect');
    expect((await run.itemIds()).length).toBe(items);
    expect(await run.report()).toBe(report);
  });
});
