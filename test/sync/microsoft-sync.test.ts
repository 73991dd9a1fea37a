import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { recordConnectedAccount } from '#lib/connect/accounts.ts';
import { grantsCalendar } from '#lib/providers/microsoft/oauth.ts';
import { microsoftSources } from '#lib/providers/microsoft/sources.ts';
import type { Account } from '#lib/store/types.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { syncAccount, type SyncOutcome } from '#lib/sync/engine.ts';
import { crashingStore, reportText } from '#test/support/sync-run.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { GraphCalendar } from '#test/support/microsoft/graph-calendar.ts';
import { graphMailboxFromGmail } from '#test/support/microsoft/graph-mail-fixture.ts';
import type { GraphMailbox } from '#test/support/microsoft/graph-mailbox.ts';
import { accountSession, consentInMsBrowser, startMicrosoftWorld, type MicrosoftWorld } from '#test/support/microsoft/world.ts';

/**
 * Issue 4 end to end: connect a Microsoft 365 mailbox through the identity emulator (the
 * real MSAL, PKCE, signed state, loopback redirect), back it up through the real Graph
 * client, and report. Whatever happens on the way (throttling, a crash mid-backfill, an
 * expired delta token), the final report JSON must equal a clean run's, byte for byte.
 */
const AS_OF = Date.UTC(2026, 10, 23, 7);
const ME = 'me@example.com';

function calendarFixture(): GraphCalendar {
  const cal = new GraphCalendar();
  const at = (days: number, hour: number) => new Date(AS_OF - days * 86_400_000 + hour * 3_600_000).toISOString();
  cal.add({
    uid: 'weekly1@example.com', start: at(120, 9), end: at(120, 10), organizer: ME, isOrganizer: true,
    recurrence: { everyDays: 7, count: 20 },
    attendees: [{ address: ME, response: 'organizer' }, { address: 'c1@partner1.example', response: 'accepted' }],
  });
  cal.add({
    uid: 'lunch@example.com', start: at(10, 12), end: at(10, 13), organizer: ME, isOrganizer: true,
    attendees: [{ address: ME, response: 'organizer' }, { address: 'c7@partner7.example', response: 'accepted' }],
  });
  return cal;
}

interface Run {
  world: MicrosoftWorld;
  db: TestDynamo;
  clock: VirtualClock;
  holder: { account: Account };
  mailbox: GraphMailbox;
  /** Syncs; `crashAtCheckpoint` makes the N-th account write throw, like a process dying. */
  sync(budgetMs?: number, crashAtCheckpoint?: number): Promise<SyncOutcome>;
  report(): Promise<string>;
  close(): Promise<void>;
}

/** A fresh world (same mailbox for the same size), a fresh store, and a connected account. */
async function connectedRun(messages = 600): Promise<Run> {
  const clock = new VirtualClock(AS_OF);
  const mailbox = graphMailboxFromGmail(buildMailbox({ messages, seed: 5, asOf: AS_OF }));
  const world = await startMicrosoftWorld({ mailbox, calendar: calendarFixture(), clock });
  const db = await startTestDynamo();
  const store = db.store();
  const vault = LocalKeyVault.fromKey(randomBytes(32));
  const grant = await runLoopbackConsent({ provider: 'microsoft', oauth: world.oauth, onUrl: (url) => void consentInMsBrowser(world, url) });
  const { account } = await recordConnectedAccount(store, vault, { provider: 'microsoft', grant, now: new Date(AS_OF), timeZone: 'Europe/Paris' });
  const holder = { account };
  const run: Run = {
    world, db, clock, holder, mailbox,
    async sync(budgetMs = 24 * 3_600_000, crashAtCheckpoint?: number) {
      const session = accountSession(world, store, vault, holder);
      const sources = microsoftSources({
        graphBaseUrl: world.emulator.graphUrl, ca: world.emulator.ca, accountId: holder.account.accountId, clock,
        getAccessToken: (o) => session.getAccessToken(o), calendar: grantsCalendar(holder.account.grantedScopes ?? []),
      });
      const outcome = await syncAccount({ store: crashingStore(store, crashAtCheckpoint), account: holder.account, sources, clock, budgetMs });
      holder.account = outcome.account;
      return outcome;
    },
    report: () => reportText(store, holder.account.userId, AS_OF),
    async close() {
      await world.close();
      await db.close();
    },
  };
  return run;
}

describe('Microsoft: connect, sync, report', () => {
  let clean: Run;
  let cleanReport: string;
  beforeEach(async () => {
    clean = await connectedRun();
    const outcome = await clean.sync();
    expect(outcome.state).toBe('complete');
    cleanReport = await clean.report();
  }, 60_000);
  afterEach(async () => clean.close());

  it('connects with PKCE and stores the MSAL cache sealed: no refresh token in clear', async () => {
    const stored = (await clean.db.store().getAccount(clean.holder.account.userId, clean.holder.account.accountId))!;
    expect(stored.provider).toBe('microsoft');
    expect(stored.grantedScopes).toEqual(expect.arrayContaining(['Mail.ReadBasic', 'Calendars.ReadBasic']));
    expect(stored.encryptedToken).toBeTruthy();
    expect(JSON.stringify(stored)).not.toMatch(/rt-[A-Za-z0-9_-]{20}/);
    expect(JSON.stringify(stored)).not.toContain('RefreshToken');
    const codeGrants = clean.world.identity.tokenRequests.filter((r) => r.grantType === 'authorization_code');
    expect(codeGrants).toHaveLength(1);
    const authorize = clean.world.emulator.requests.find((r) => r.path.endsWith('/oauth2/v2.0/authorize'))!;
    expect(authorize.query.get('code_challenge_method')).toBe('S256');
    expect(authorize.query.get('scope')?.split(' ')).toContain('Mail.ReadBasic');
  });

  it('backfills mail and meetings into a report with every contact', async () => {
    const json = JSON.parse(cleanReport);
    expect(json.user).toBe(ME);
    expect(json.contacts.length).toBeGreaterThan(5);
    expect(json.contacts.find((c: { address: string }) => c.address === 'c1@partner1.example')?.meetings).toBeGreaterThan(0);
    expect(clean.holder.account.cursors['graph-mail']).toMatch(/deltatoken/i);
    expect(clean.holder.account.cursors['graph:calendar']).toMatch(/"phase":"incremental"/);
    expect(clean.holder.account.aliases).toContain(ME);
  });

  it('an idle incremental sync costs one request per folder and one for the calendar', async () => {
    const before = clean.world.emulator.requests.length;
    const outcome = await clean.sync();
    const made = clean.world.emulator.requests.slice(before).filter((r) => r.path.startsWith('/v1.0/'));
    expect(outcome.stats.read).toBe(0);
    const mailDeltas = made.filter((r) => r.path.endsWith('/messages/delta'));
    expect(mailDeltas.length).toBe(made.filter((r) => r.path.includes('/mailFolders/')).length);
    expect(new Set(mailDeltas.map((r) => r.path)).size).toBe(mailDeltas.length);
    expect(made.filter((r) => r.path.includes('/calendarView/'))).toHaveLength(1);
    expect(made).toHaveLength(mailDeltas.length + 1);
    expect(await clean.report()).toBe(cleanReport);
  });

  it('picks up new and deleted mail incrementally; an expired delta token resyncs to the same result', async () => {
    const at = new Date(AS_OF - 3 * 86_400_000).toISOString();
    const fresh = clean.mailbox.addMessage({
      folder: 'inbox', subject: 'hello', from: { emailAddress: { name: 'New Person', address: 'new.person@fresh.example' } },
      toRecipients: [{ emailAddress: { name: ME, address: ME } }], sentDateTime: at, receivedDateTime: at,
      internetMessageId: '<fresh-1@fresh.example>', conversationId: 'conv-fresh', inferenceClassification: 'focused',
      internetMessageHeaders: [{ name: 'From', value: 'New Person <new.person@fresh.example>' }, { name: 'To', value: ME }],
    });
    const inc = await clean.sync();
    expect(inc.stats.written).toBe(1);
    const afterNew = await clean.report();
    expect(JSON.parse(afterNew).contacts.some((c: { address: string }) => c.address === 'new.person@fresh.example')).toBe(true);

    // A hard delete: Graph answers @removed, which removes nothing (deleted mail keeps counting).
    clean.mailbox.deleteMessage(fresh.immutableId);
    const del = await clean.sync();
    expect(del.stats.removed).toBe(1);
    expect(await clean.report()).toBe(afterNew);

    clean.mailbox.expireDeltaTokens();
    const full = await clean.sync();
    expect(full.state).toBe('complete');
    expect(full.stats.read).toBeGreaterThan(100);
    expect(full.stats.written).toBe(0); // everything re-read was already held
    expect(await clean.report()).toBe(afterNew);
  });

  it('honours Retry-After under throttling, and a crash mid-backfill then a resume gives the clean report', async () => {
    // Two pages of 1,000 in the inbox, so the crash lands in the middle of the backfill.
    const reference = await connectedRun(2_400);
    const run = await connectedRun(2_400);
    try {
      expect((await reference.sync()).state).toBe('complete');
      const referenceReport = await reference.report();
      const e = run.world.emulator;
      e.fault({ path: '/messages/delta', status: 429, retryAfter: 7, times: 3 });
      e.fault({ path: '/calendarView/delta', status: 503, retryAfter: 3, times: 1 });
      e.fault({ path: '/messages/delta', status: 504, times: 2 });
      e.fault({ path: '/mailFolders', reset: true, times: 1 });
      await expect(run.sync(undefined, 2)).rejects.toThrow(/crash/);
      run.holder.account = (await run.db.store().getAccount(run.holder.account.userId, run.holder.account.accountId))!;
      // A checkpoint was stored before the crash: the resume starts mid-pass (which folders
      // are mid-page at that moment depends on how the 4 folders in flight interleave).
      expect(run.holder.account.cursors['graph-mail']).toMatch(/"folders"/);
      const folders = JSON.parse(run.holder.account.cursors['graph-mail']!).folders as { linkKind?: string }[];
      expect(folders.every((f) => f.linkKind === 'delta')).toBe(false); // the backfill was not finished
      let outcome = await run.sync(5_000);
      for (let i = 0; outcome.state === 'budget' && i < 50; i++) outcome = await run.sync(5_000);
      expect(outcome.state).toBe('complete');

      // Each refusal with Retry-After is retried (same URL) no sooner than it asked.
      const throttled = e.requests.filter((r) => r.retryAfter !== undefined && r.status >= 429);
      expect(throttled.length).toBeGreaterThanOrEqual(4);
      for (const r of throttled) {
        const url = `${r.path}?${r.query.toString()}`;
        const retry = e.requests.slice(e.requests.indexOf(r) + 1).find((x) => `${x.path}?${x.query.toString()}` === url);
        expect(retry, `retry of ${url}`).toBeDefined();
        expect(retry!.at - r.at).toBeGreaterThanOrEqual(r.retryAfter! * 1000);
      }
      expect(e.requests.filter((r) => r.status === 504).length).toBe(2);
      expect(Math.max(...e.highWater.values())).toBeLessThanOrEqual(4);
      expect(await run.report()).toBe(referenceReport);
      const items = [];
      for await (const item of run.db.store().queryItems(run.holder.account.userId)) items.push(item.providerId);
      expect(new Set(items).size).toBe(items.length);
    } finally {
      await run.close();
      await reference.close();
    }
  }, 60_000);

  it('revoked consent marks the account needs-reconnect instead of failing forever', async () => {
    clean.world.identity.revoke(ME, 'consent');
    const outcome = await clean.sync();
    expect(outcome.state).toBe('needs-reconnect');
    const stored = (await clean.db.store().getAccount(clean.holder.account.userId, clean.holder.account.accountId))!;
    expect(stored.status).toBe('needs-reconnect');
    expect(clean.world.identity.tokenRequests.at(-1)?.grantType).toBe('refresh_token');
    expect(await clean.report()).toBe(cleanReport); // what was synced still reports
  });
});
