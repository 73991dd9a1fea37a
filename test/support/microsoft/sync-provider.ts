import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { recordConnectedAccount } from '#lib/connect/accounts.ts';
import { providerClients, type ProviderEndpoints } from '#lib/providers/account-sources.ts';
import { grantsCalendar } from '#lib/providers/microsoft/oauth.ts';
import { microsoftSources } from '#lib/providers/microsoft/sources.ts';
import { startTestDynamo } from '#test/support/dynalite.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { AS_OF, sharedRunParts, type ProviderRun, type SyncProvider } from '#test/support/sync-provider.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { GraphCalendar } from './graph-calendar.ts';
import { graphMailboxFromGmail } from './graph-mail-fixture.ts';
import type { GraphMailbox } from './graph-mailbox.ts';
import { accountSession, consentInMsBrowser, startMicrosoftWorld, type MicrosoftWorld } from './world.ts';

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

/** A Microsoft run: the shared view, and the Microsoft world for Microsoft's own checks. */
export interface MicrosoftRun extends ProviderRun {
  world: MicrosoftWorld;
  mailbox: GraphMailbox;
}

/**
 * Microsoft 365 for the sync suites every provider runs: the identity, Graph mail and
 * calendar emulators on a virtual clock, the account connected through the real MSAL
 * (PKCE, signed state, loopback redirect), synced through microsoftSources with the sealed
 * MSAL cache opened from the account and rotated back into it.
 */
export const microsoftSync = {
  name: 'Microsoft',
  // Two pages of 1,000 in the inbox, so the crash lands in the middle of the backfill.
  backfillMessages: 2_400,
  syncedCursors: { 'graph-mail': /deltatoken/i, 'graph:calendar': /"phase":"incremental"/ },
  connectedRun: connectedMicrosoftRun,
} satisfies SyncProvider;

/**
 * A fresh world (same mailbox for the same size and seed: the Gmail fixture's, converted), a
 * fresh store, and a connected account. The calendar is a weekly series with c1 and a lunch
 * with c7 unless `calendar` is given.
 */
export async function connectedMicrosoftRun({ messages = 600, seed = 5, calendar = calendarFixture() }: {
  messages?: number;
  seed?: number;
  calendar?: GraphCalendar;
} = {}): Promise<MicrosoftRun> {
  const clock = new VirtualClock(AS_OF);
  const mailbox = graphMailboxFromGmail(buildMailbox({ messages, seed, asOf: AS_OF }));
  const world = await startMicrosoftWorld({ mailbox, calendar, clock });
  const db = await startTestDynamo();
  const store = db.store();
  const vault = LocalKeyVault.fromKey(randomBytes(32));
  const grant = await runLoopbackConsent({ provider: 'microsoft', oauth: world.oauth, onUrl: (url) => void consentInMsBrowser(world, url) });
  const { account } = await recordConnectedAccount(store, vault, { provider: 'microsoft', grant, now: new Date(AS_OF), timeZone: 'Europe/Paris' });
  const e = world.emulator;
  const oauthClient = { clientId: world.identity.clientId, clientSecret: 'test-secret' };
  const endpoints: ProviderEndpoints = {
    googleTokenUrl: 'https://oauth2.googleapis.com/token', googleApiRoot: 'https://www.googleapis.com/',
    msAuthority: `${e.url}/common`, graphBaseUrl: e.graphUrl, msCa: e.ca,
  };
  const run: MicrosoftRun = {
    world, mailbox, clock, db, store, vault, account, oauthClient, endpoints,
    providers: providerClients(async () => oauthClient, endpoints),
    ...sharedRunParts(() => run, async () => {
      // `run` holds the account syncAccount is handed: a cache rotated mid-sync is kept on it.
      const session = accountSession(world, store, vault, run);
      return microsoftSources({
        graphBaseUrl: e.graphUrl, ca: e.ca, accountId: run.account.accountId, clock,
        getAccessToken: (o) => session.getAccessToken(o), calendar: grantsCalendar(run.account.grantedScopes ?? []),
      });
    }),
    addFreshMessage() {
      const at = new Date(AS_OF - 3 * 86_400_000).toISOString();
      return mailbox.addMessage({
        folder: 'inbox', subject: 'hello', from: { emailAddress: { name: 'New Person', address: 'new.person@fresh.example' } },
        toRecipients: [{ emailAddress: { name: ME, address: ME } }], sentDateTime: at, receivedDateTime: at,
        internetMessageId: '<fresh-1@fresh.example>', conversationId: 'conv-fresh', inferenceClassification: 'focused',
        internetMessageHeaders: [{ name: 'From', value: 'New Person <new.person@fresh.example>' }, { name: 'To', value: ME }],
      }).immutableId;
    },
    // Graph answers @removed for a hard delete.
    deleteMessage: (id) => mailbox.deleteMessage(id),
    expireCursors: () => mailbox.expireDeltaTokens(),
    revoke: () => world.identity.revoke(ME, 'consent'),
    requestCount: () => e.requests.length,
    lastTokenGrant: () => world.identity.tokenRequests.at(-1)?.grantType,
    injectBackfillFaults() {
      e.fault({ path: '/messages/delta', status: 429, retryAfter: 7, times: 3 });
      e.fault({ path: '/calendarView/delta', status: 503, retryAfter: 3, times: 1 });
      e.fault({ path: '/messages/delta', status: 504, times: 2 });
      e.fault({ path: '/mailFolders', reset: true, times: 1 });
    },
    expectFaultsMet() {
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
    },
    expectMidBackfill() {
      // A checkpoint was stored before the crash: the resume starts mid-pass (which folders
      // are mid-page at that moment depends on how the 4 folders in flight interleave).
      expect(run.account.cursors['graph-mail']).toMatch(/"folders"/);
      const folders = JSON.parse(run.account.cursors['graph-mail']!).folders as { linkKind?: string }[];
      expect(folders.every((f) => f.linkKind === 'delta')).toBe(false); // the backfill was not finished
    },
    async close() {
      await world.close();
      await db.close();
    },
  };
  return run;
}
