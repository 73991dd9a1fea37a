import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { googleSync } from '#test/support/google/sync-provider.ts';
import { microsoftSync } from '#test/support/microsoft/sync-provider.ts';
import type { ProviderRun } from '#test/support/sync-provider.ts';

/**
 * Issues 3 and 4 end to end, one suite for every provider: connect through the provider's
 * OAuth emulator (PKCE, signed state), back the account up through its real clients and
 * sources, and report. Whatever happens on the way (throttling, a crash mid-backfill, an
 * expired cursor, a revoked grant), the final report JSON must equal a clean run's, byte
 * for byte. What only one provider shows (its consent, the requests of an idle sync) is in
 * google-sync.test.ts and microsoft-sync.test.ts.
 */
const ME = 'me@example.com';

describe.each([googleSync, microsoftSync].map((p) => [p.name, p] as const))('%s: connect, sync, report', (_, provider) => {
  let clean: ProviderRun;
  let cleanReport: string;
  beforeEach(async () => {
    clean = await provider.connectedRun();
    const outcome = await clean.sync();
    expect(outcome.state).toBe('complete');
    cleanReport = await clean.report();
  }, 60_000);
  afterEach(async () => clean.close());

  it('backfills mail and meetings into a report with every contact', async () => {
    const json = JSON.parse(cleanReport);
    expect(json.user).toBe(ME);
    expect(json.contacts.length).toBeGreaterThan(5);
    expect(json.contacts.find((c: { address: string }) => c.address === 'c1@partner1.example')?.meetings).toBeGreaterThan(0);
    for (const [resource, synced] of Object.entries(provider.syncedCursors)) expect(clean.account.cursors[resource], resource).toMatch(synced);
    expect(clean.account.aliases).toContain(ME);
  });

  it('picks up new and deleted mail incrementally; an expired cursor resyncs to the same result', async () => {
    const fresh = clean.addFreshMessage();
    const inc = await clean.sync();
    expect(inc.stats.written).toBe(1);
    const afterNew = await clean.report();
    expect(JSON.parse(afterNew).contacts.some((c: { address: string }) => c.address === 'new.person@fresh.example')).toBe(true);

    // A hard delete removes nothing (deleted mail keeps counting).
    clean.deleteMessage(fresh);
    const del = await clean.sync();
    expect(del.stats.removed).toBe(1);
    expect(await clean.report()).toBe(afterNew);

    clean.expireCursors();
    const full = await clean.sync();
    expect(full.state).toBe('complete');
    expect(full.stats.read).toBeGreaterThan(100);
    expect(full.stats.written).toBe(0); // everything re-read was already held
    expect(await clean.report()).toBe(afterNew);
  });

  it('meets throttling as the provider asks, and a crash mid-backfill then a resume gives the clean report', async () => {
    const reference = await provider.connectedRun({ messages: provider.backfillMessages });
    const run = await provider.connectedRun({ messages: provider.backfillMessages });
    try {
      expect((await reference.sync()).state).toBe('complete');
      const referenceReport = await reference.report();
      run.injectBackfillFaults();
      // Then the process dies mid-backfill, after storing a page's items but before its
      // cursor: the worst moment.
      await expect(run.sync(undefined, 2)).rejects.toThrow(/crash/);
      await run.reload();
      run.expectMidBackfill();
      // A time-budgeted continuation, then another, as the queue would deliver them.
      let outcome = await run.sync(5_000);
      for (let i = 0; outcome.state === 'budget' && i < 50; i++) outcome = await run.sync(5_000);
      expect(outcome.state).toBe('complete');
      run.expectFaultsMet();
      expect(await run.report()).toBe(referenceReport);
      const items = await run.itemIds();
      expect(new Set(items).size).toBe(items.length);
    } finally {
      await run.close();
      await reference.close();
    }
  }, 60_000);

  it('a revoked grant marks the account needs-reconnect instead of failing forever', async () => {
    clean.revoke();
    const outcome = await clean.sync();
    expect(outcome.state).toBe('needs-reconnect');
    const stored = await clean.reload();
    expect(stored.status).toBe('needs-reconnect');
    // The refusal came when the access token was refreshed.
    expect(clean.lastTokenGrant()).toBe('refresh_token');
    expect(await clean.report()).toBe(cleanReport); // what was synced still reports
  });
});
