import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { recordConnectedAccount, tokenContext } from '#lib/connect/accounts.ts';
import { providerClients, type ProviderEndpoints } from '#lib/providers/account-sources.ts';
import { googleSources } from '#lib/providers/google/sources.ts';
import { startTestDynamo } from '#test/support/dynalite.ts';
import { AS_OF, sharedRunParts, type ProviderRun, type SyncProvider } from '#test/support/sync-provider.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { calendarFixture, WEEKLY_WITH_C1 } from './calendar-fixture.ts';
import type { CalendarState } from './calendar-state.ts';
import { buildMailbox } from './gmail-fixture.ts';
import { consentInBrowser, startGoogleWorld, TEST_CLIENT, type GoogleWorld } from './world.ts';

const MEETINGS = [WEEKLY_WITH_C1, { id: 'lunch', daysAgo: 10, hour: 12, contact: 'c7@partner7.example' }];

/** A Google run: the shared view, and the Google world for Google's own checks. */
export interface GoogleRun extends ProviderRun {
  world: GoogleWorld;
  mailbox: ReturnType<typeof buildMailbox>;
}

/**
 * Google for the sync suites every provider runs: Gmail and Calendar emulators on a
 * virtual clock, the account connected through the OAuth emulator (PKCE, signed state),
 * synced through googleSources with the refresh token opened from the vault.
 */
export const googleSync = {
  name: 'Google',
  // Many list pages (GMAIL_PAGE_SIZE a page), so the crash lands in the middle of the backfill.
  backfillMessages: 1_500,
  syncedCursors: { gmail: /incremental/, 'gcal:primary': /incremental/ },
  connectedRun: connectedGoogleRun,
} satisfies SyncProvider;

/**
 * A fresh world (same mailbox for the same size and seed), a fresh store, and a connected
 * account. The calendar is a weekly series with c1 and a lunch with c7 unless `calendar`
 * builds another on the world's clock.
 */
export async function connectedGoogleRun({ messages = 600, seed = 5, calendar = (clock) => calendarFixture(clock, AS_OF, MEETINGS) }: {
  messages?: number;
  seed?: number;
  calendar?: (clock: VirtualClock) => CalendarState;
} = {}): Promise<GoogleRun> {
  const clock = new VirtualClock(AS_OF);
  const mailbox = buildMailbox({ messages, seed, asOf: AS_OF });
  const world = await startGoogleWorld({ mailbox, calendar: calendar(clock), clock });
  const db = await startTestDynamo();
  const store = db.store();
  const vault = LocalKeyVault.fromKey(randomBytes(32));
  const grant = await runLoopbackConsent({ provider: 'google', oauth: world.oauth, onUrl: (url) => void consentInBrowser(url) });
  const { account } = await recordConnectedAccount(store, vault, { provider: 'google', grant, now: new Date(AS_OF), timeZone: 'Europe/Paris' });
  const e = world.emulator;
  const endpoints: ProviderEndpoints = {
    googleTokenUrl: `${e.url}token`, googleApiRoot: e.url,
    msAuthority: 'https://login.microsoftonline.com/common', graphBaseUrl: 'https://graph.microsoft.com/v1.0',
  };
  const run: GoogleRun = {
    world, mailbox, clock, db, store, vault, account, endpoints, oauthClient: TEST_CLIENT,
    providers: providerClients(async () => TEST_CLIENT, endpoints),
    ...sharedRunParts(() => run, async () => {
      const refreshToken = await vault.open(run.account.encryptedToken!, tokenContext(run.account));
      return googleSources({ auth: world.oauth.clientFor(refreshToken), accountId: run.account.accountId, rootUrl: e.url, clock });
    }),
    addFreshMessage: () =>
      mailbox.addMessage({
        threadId: 'fresh-thread', labelIds: ['INBOX'], internalDate: AS_OF - 3 * 86_400_000,
        headers: [
          { name: 'From', value: 'New Person <new.person@fresh.example>' },
          { name: 'To', value: 'me@example.com' },
          { name: 'Date', value: new Date(AS_OF - 3 * 86_400_000).toUTCString() },
          { name: 'Message-ID', value: '<fresh-1@fresh.example>' },
          { name: 'Subject', value: 'hello' },
        ],
      }).id,
    deleteMessage: (id) => mailbox.deleteMessage(id),
    expireCursors: () => mailbox.expireHistory(),
    revoke() {
      world.oauthEmulator.revokeAllGrants();
      world.oauthEmulator.expireAccessTokens();
    },
    requestCount: () => e.requests.length,
    lastTokenGrant: () => world.oauthEmulator.tokenRequests.at(-1)?.grantType,
    injectBackfillFaults() {
      e.fault({ path: '/messages/', status: 429, headers: { 'retry-after': '2' }, body: { error: { code: 429, message: 'User-rate limit exceeded.', errors: [{ message: 'User-rate limit exceeded.', domain: 'usageLimits', reason: 'rateLimitExceeded' }], status: 'RESOURCE_EXHAUSTED' } }, times: 3 });
      e.fault({ path: '/threads/', status: 403, body: { error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ message: 'Rate Limit Exceeded', domain: 'usageLimits', reason: 'userRateLimitExceeded' }] } }, times: 2 });
      e.fault({ path: '/messages', reset: true, times: 2 });
      e.fault({ path: '/events', status: 503, times: 2 });
      e.fault({ path: /\/(messages|threads)\//, status: 503, times: 12 });
    },
    expectFaultsMet() {
      const refused = e.requests.filter((r) => [0, 403, 429, 503].includes(r.status)).length;
      // Every injected fault was met and retried (a quota 429 may come on top of them).
      expect(refused).toBeGreaterThanOrEqual(3 + 2 + 2 + 2 + 12);
    },
    expectMidBackfill() {
      expect(run.account.cursors.gmail).toMatch(/"phase":"full".*"pageToken"/);
    },
    async close() {
      await world.close();
      await db.close();
    },
  };
  return run;
}
