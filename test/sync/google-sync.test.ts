import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { recordConnectedAccount, tokenContext } from '#lib/connect/accounts.ts';
import { googleSources } from '#lib/providers/google/sources.ts';
import { syncAccount, type SyncOutcome } from '#lib/sync/engine.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import type { Account } from '#lib/store/types.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { calendarFixture, WEEKLY_WITH_C1 } from '#test/support/google/calendar-fixture.ts';
import { consentInBrowser, startGoogleWorld, type GoogleWorld } from '#test/support/google/world.ts';
import { crashingStore, reportText } from '#test/support/sync-run.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';

/**
 * Issue 3 end to end: connect a Google account through the OAuth emulator (PKCE, signed
 * state), back it up through the real Gmail and Calendar clients, and report. Whatever
 * happens on the way (throttling, a crash mid-backfill, an expired history id), the
 * final report JSON must equal a clean run's, byte for byte.
 */
const AS_OF = Date.UTC(2026, 10, 23, 7);
const MEETINGS = [WEEKLY_WITH_C1, { id: 'lunch', daysAgo: 10, hour: 12, contact: 'c7@partner7.example' }];

interface Run {
  world: GoogleWorld;
  db: TestDynamo;
  clock: VirtualClock;
  vault: LocalKeyVault;
  account: Account;
  mailbox: ReturnType<typeof buildMailbox>;
  /** Syncs; `crashAtCheckpoint` makes the N-th cursor write throw, like a process dying. */
  sync(budgetMs?: number, crashAtCheckpoint?: number): Promise<SyncOutcome>;
  report(): Promise<string>;
  close(): Promise<void>;
}

/** A fresh world (same mailbox for the same seed), a fresh store, and a connected account. */
async function connectedRun(messages = 600): Promise<Run> {
  const clock = new VirtualClock(AS_OF);
  const mailbox = buildMailbox({ messages, seed: 5, asOf: AS_OF });
  const world = await startGoogleWorld({ mailbox, calendar: calendarFixture(clock, AS_OF, MEETINGS), clock });
  const db = await startTestDynamo();
  const store = db.store();
  const vault = LocalKeyVault.fromKey(randomBytes(32));
  const grant = await runLoopbackConsent({ provider: 'google', oauth: world.oauth, onUrl: (url) => void consentInBrowser(url) });
  let { account } = await recordConnectedAccount(store, vault, {
    provider: 'google', grant, now: new Date(AS_OF), timeZone: 'Europe/Paris',
  });
  const run: Run = {
    world, db, clock, vault, account, mailbox,
    async sync(budgetMs = 24 * 3_600_000, crashAtCheckpoint?: number) {
      // The account as the caller last read it (a test may reload it from the store).
      account = run.account;
      const refreshToken = await vault.open(account.encryptedToken!, tokenContext(account));
      const sources = googleSources({
        auth: world.oauth.clientFor(refreshToken), accountId: account.accountId, rootUrl: world.emulator.url, clock,
      });
      const outcome = await syncAccount({ store: crashingStore(store, crashAtCheckpoint), account, sources, clock, budgetMs });
      account = outcome.account;
      run.account = account;
      return outcome;
    },
    report: () => reportText(store, account.userId, AS_OF),
    async close() {
      await world.close();
      await db.close();
    },
  };
  return run;
}

describe('Google: connect, sync, report', () => {
  let clean: Run;
  let cleanReport: string;
  beforeEach(async () => {
    clean = await connectedRun();
    const outcome = await clean.sync();
    expect(outcome.state).toBe('complete');
    cleanReport = await clean.report();
  }, 60_000);
  afterEach(async () => clean.close());

  it('connects with PKCE and stores the refresh token sealed, never in clear', async () => {
    const auth = clean.world.oauthEmulator.authorizations[0]!;
    expect(auth.params.code_challenge_method).toBe('S256');
    expect(auth.params.scope?.split(' ')).toContain('https://www.googleapis.com/auth/gmail.metadata');
    const stored = (await clean.db.store().getAccount(clean.account.userId, clean.account.accountId))!;
    const issued = clean.world.oauthEmulator.issuedRefreshTokens[0]!;
    expect(stored.encryptedToken).toBeTruthy();
    expect(stored.encryptedToken).not.toContain(issued);
    expect(JSON.stringify(stored)).not.toContain(issued);
  });

  it('backfills mail and meetings into a report with every contact', async () => {
    const json = JSON.parse(cleanReport);
    expect(json.user).toBe('me@example.com');
    expect(json.contacts.length).toBeGreaterThan(5);
    expect(json.contacts.find((c: { address: string }) => c.address === 'c1@partner1.example')?.meetings).toBeGreaterThan(0);
    expect(clean.account.cursors.gmail).toMatch(/incremental/);
    expect(clean.account.cursors['gcal:primary']).toMatch(/incremental/);
    expect(clean.account.aliases).toContain('me@example.com');
  });

  it('an idle incremental sync costs one request per resource', async () => {
    const before = clean.world.emulator.requests.length;
    const outcome = await clean.sync();
    const made = clean.world.emulator.requests.slice(before).map((r) => r.path);
    expect(outcome.stats.read).toBe(0);
    expect(made.filter((p) => p.includes('/gmail/'))).toEqual([expect.stringMatching(/\/history$/)]);
    expect(made.filter((p) => p.includes('/calendar/'))).toHaveLength(1);
    expect(await clean.report()).toBe(cleanReport);
  });

  it('picks up new mail incrementally, and an expired history id falls back to a full sync with the same result', async () => {
    clean.mailbox.addMessage({
      threadId: 'fresh-thread', labelIds: ['INBOX'], internalDate: AS_OF - 3 * 86_400_000,
      headers: [
        { name: 'From', value: 'New Person <new.person@fresh.example>' },
        { name: 'To', value: 'me@example.com' },
        { name: 'Date', value: new Date(AS_OF - 3 * 86_400_000).toUTCString() },
        { name: 'Message-ID', value: '<fresh-1@fresh.example>' },
        { name: 'Subject', value: 'hello' },
      ],
    });
    const inc = await clean.sync();
    expect(inc.stats.written).toBe(1);
    const afterNew = await clean.report();
    expect(JSON.parse(afterNew).contacts.some((c: { address: string }) => c.address === 'new.person@fresh.example')).toBe(true);

    clean.mailbox.expireHistory();
    const full = await clean.sync();
    expect(full.state).toBe('complete');
    expect(full.stats.written).toBe(0); // everything re-read was already held
    expect(await clean.report()).toBe(afterNew);
  });

  it('a throttling storm and a crash mid-backfill, then a resume, give the clean report', async () => {
    // Three list pages of 500, so the crash lands in the middle of the backfill.
    const reference = await connectedRun(1_500);
    const run = await connectedRun(1_500);
    try {
      expect((await reference.sync()).state).toBe('complete');
      const referenceReport = await reference.report();
      const e = run.world.emulator;
      e.fault({ path: '/messages/', status: 429, headers: { 'retry-after': '2' }, body: { error: { code: 429, message: 'User-rate limit exceeded.', errors: [{ message: 'User-rate limit exceeded.', domain: 'usageLimits', reason: 'rateLimitExceeded' }], status: 'RESOURCE_EXHAUSTED' } }, times: 3 });
      e.fault({ path: '/threads/', status: 403, body: { error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ message: 'Rate Limit Exceeded', domain: 'usageLimits', reason: 'userRateLimitExceeded' }] } }, times: 2 });
      e.fault({ path: '/messages', reset: true, times: 2 });
      e.fault({ path: '/events', status: 503, times: 2 });
      e.fault({ path: /\/(messages|threads)\//, status: 503, times: 12 });
      // Then the process dies mid-backfill, after storing a page's items but before its
      // cursor: the worst moment.
      await expect(run.sync(undefined, 2)).rejects.toThrow(/crash/);
      run.account = (await run.db.store().getAccount(run.account.userId, run.account.accountId))!;
      expect(run.account.cursors.gmail).toMatch(/"phase":"full".*"pageToken"/);
      // A time-budgeted continuation, then another, as the queue would deliver them.
      let outcome = await run.sync(5_000);
      for (let i = 0; outcome.state === 'budget' && i < 50; i++) outcome = await run.sync(5_000);
      expect(outcome.state).toBe('complete');
      const refused = e.requests.filter((r) => [0, 403, 429, 503].includes(r.status)).length;
      // Every injected fault was met and retried (a quota 429 may come on top of them).
      expect(refused).toBeGreaterThanOrEqual(3 + 2 + 2 + 2 + 12);
      expect(await run.report()).toBe(referenceReport);
      const items = [];
      for await (const item of run.db.store().queryItems(run.account.userId)) items.push(item.providerId);
      expect(new Set(items).size).toBe(items.length);
    } finally {
      await run.close();
      await reference.close();
    }
  }, 60_000);

  it('a revoked grant marks the account needs-reconnect instead of failing forever', async () => {
    clean.world.oauthEmulator.revokeAllGrants();
    clean.world.oauthEmulator.expireAccessTokens();
    const outcome = await clean.sync();
    expect(outcome.state).toBe('needs-reconnect');
    const stored = (await clean.db.store().getAccount(clean.account.userId, clean.account.accountId))!;
    expect(stored.status).toBe('needs-reconnect');
    expect(await clean.report()).toBe(cleanReport); // what was synced still reports
  });
});
