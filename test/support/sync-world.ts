import { randomBytes } from 'node:crypto';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { LocalKeyVault } from '#lib/connect/token-vault.ts';
import { recordConnectedAccount } from '#lib/connect/accounts.ts';
import { providerClients, type ProviderClients, type ProviderEndpoints } from '#lib/providers/account-sources.ts';
import { VirtualClock } from './virtual-clock.ts';
import type { Clock } from '#lib/time/clock.ts';
import type { Account } from '#lib/store/types.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { calendarFixture, WEEKLY_WITH_C1 } from '#test/support/google/calendar-fixture.ts';
import { consentInBrowser, startGoogleWorld, TEST_CLIENT, type GoogleWorld } from '#test/support/google/world.ts';
import { startTestDynamo, type TestDynamo } from './dynalite.ts';
import { reportText } from './sync-run.ts';

/**
 * One connected Gmail account for the sync worker's tests: the Google emulators on a
 * virtual clock, dynalite, a local key vault, and the account recorded as the connect
 * callback records it. The same seed gives the same mailbox, so two worlds can be
 * compared report for report.
 */
export const AS_OF = Date.UTC(2026, 10, 23, 7);

export interface SyncWorld {
  clock: VirtualClock;
  google: GoogleWorld;
  db: TestDynamo;
  store: DynamoStore;
  vault: LocalKeyVault;
  account: Account;
  endpoints: ProviderEndpoints;
  providers: ProviderClients;
  /** The report JSON as the CLI would write it for AS_OF. */
  report(): Promise<string>;
  itemCount(): Promise<number>;
  stored(): Promise<Account | undefined>;
  close(): Promise<void>;
}

export async function startSyncWorld(messages: number): Promise<SyncWorld> {
  const clock = new VirtualClock(AS_OF);
  const google = await startGoogleWorld({ mailbox: buildMailbox({ messages, seed: 11, asOf: AS_OF }), calendar: calendarFixture(clock, AS_OF, [WEEKLY_WITH_C1]), clock });
  const db = await startTestDynamo();
  const store = db.store();
  const vault = LocalKeyVault.fromKey(randomBytes(32));
  const grant = await runLoopbackConsent({ provider: 'google', oauth: google.oauth, onUrl: (url) => void consentInBrowser(url) });
  const { account } = await recordConnectedAccount(store, vault, { provider: 'google', grant, now: new Date(AS_OF), timeZone: 'Europe/Paris' });
  const endpoints: ProviderEndpoints = {
    googleTokenUrl: `${google.emulator.url}token`,
    googleApiRoot: google.emulator.url,
    msAuthority: 'https://login.microsoftonline.com/common',
    graphBaseUrl: 'https://graph.microsoft.com/v1.0',
  };
  return {
    clock, google, db, store, vault, account, endpoints,
    providers: providerClients(async () => TEST_CLIENT, endpoints),
    report: () => reportText(store, account.userId, AS_OF),
    async itemCount() {
      let n = 0;
      for await (const _ of store.queryItems(account.userId)) n += 1;
      return n;
    },
    stored: () => store.getAccount(account.userId, account.accountId),
    async close() {
      await google.close();
      await db.close();
    },
  };
}

/**
 * The worker's clock as work takes time: every reading moves the virtual clock on by
 * `stepMs`, so a time budget runs out after a predictable amount of work, with no sleeps.
 */
export function steppingClock(clock: VirtualClock, stepMs: number): Clock {
  return {
    now: () => {
      clock.advance(stepMs);
      return clock.now();
    },
    sleep: (ms) => clock.sleep(ms),
  };
}
