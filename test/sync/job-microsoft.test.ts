import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { recordConnectedAccount } from '#lib/connect/accounts.ts';
import { providerClients } from '#lib/providers/account-sources.ts';
import { MemoryQueue } from '#test/support/memory-queue.ts';
import type { SyncJob } from '#lib/queue/jobs.ts';
import { runSyncJob, type SyncJobDeps } from '#lib/sync/job.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import type { Account } from '#lib/store/types.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { graphMailboxFromGmail } from '#test/support/microsoft/graph-mail-fixture.ts';
import { consentInMsBrowser, startMicrosoftWorld, type MicrosoftWorld } from '#test/support/microsoft/world.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { AS_OF } from '#test/support/sync-world.ts';

/**
 * The worker's job for a Microsoft 365 mailbox: the same runSyncJob, with MSAL built from
 * the app's credentials and the emulator's authority, the sealed token cache opened from
 * the account and written back when a refresh rotates it.
 */
describe('runSyncJob on Microsoft 365', () => {
  let world: MicrosoftWorld;
  let db: TestDynamo;
  let account: Account;
  let deps: SyncJobDeps;
  beforeAll(async () => {
    const clock = new VirtualClock(AS_OF);
    world = await startMicrosoftWorld({ mailbox: graphMailboxFromGmail(buildMailbox({ messages: 120, seed: 3, asOf: AS_OF })), clock });
    db = await startTestDynamo();
    const vault = LocalKeyVault.fromKey(randomBytes(32));
    const grant = await runLoopbackConsent({ provider: 'microsoft', oauth: world.oauth, onUrl: (url) => void consentInMsBrowser(world, url) });
    ({ account } = await recordConnectedAccount(db.store(), vault, { provider: 'microsoft', grant, now: new Date(AS_OF), timeZone: 'Europe/Paris' }));
    const providers = providerClients(async () => ({ clientId: world.identity.clientId, clientSecret: 'test-secret' }), {
      googleTokenUrl: 'https://oauth2.googleapis.com/token', googleApiRoot: 'https://www.googleapis.com/',
      msAuthority: `${world.emulator.url}/common`, graphBaseUrl: world.emulator.graphUrl, msCa: world.emulator.ca,
    });
    deps = { store: db.store(), vault, queue: new MemoryQueue<SyncJob>(), providers, clock, budgetMs: 600_000 };
  });
  afterAll(async () => {
    await world.close();
    await db.close();
  });
  const job = (): SyncJob => ({ v: 1, userId: account.userId, accountId: account.accountId, reason: 'connected', slot: AS_OF.toString() });

  it('syncs the mailbox to completion, then finds nothing new', async () => {
    const first = await runSyncJob(job(), deps);
    expect(first).toMatchObject({ outcome: 'complete', stats: { read: expect.any(Number) } });
    expect(first.outcome === 'complete' && first.stats.read).toBeGreaterThan(100);
    const stored = (await deps.store.getAccount(account.userId, account.accountId))!;
    expect(stored.status).toBe('active');
    expect(Object.keys(stored.cursors).length).toBeGreaterThan(0);
    const again = await runSyncJob(job(), deps);
    expect(again).toMatchObject({ outcome: 'complete', stats: { written: 0 } });
  });

  it('revoked consent turns the account needs-reconnect and tells its owner once', async () => {
    world.identity.revoke(account.address, 'consent');
    const onNeedsReconnect = vi.fn(async () => true);
    expect((await runSyncJob(job(), { ...deps, onNeedsReconnect })).outcome).toBe('needs-reconnect');
    expect((await runSyncJob(job(), { ...deps, onNeedsReconnect })).outcome).toBe('skipped');
    expect(onNeedsReconnect).toHaveBeenCalledTimes(1);
    expect((await deps.store.getAccount(account.userId, account.accountId))?.status).toBe('needs-reconnect');
  });
});
