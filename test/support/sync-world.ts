import type { LocalKeyVault } from '#lib/connect/token-vault.ts';
import type { ProviderClients, ProviderEndpoints } from '#lib/providers/account-sources.ts';
import type { Clock } from '#lib/time/clock.ts';
import type { Account } from '#lib/store/types.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { calendarFixture, WEEKLY_WITH_C1 } from '#test/support/google/calendar-fixture.ts';
import { connectedGoogleRun } from '#test/support/google/sync-provider.ts';
import type { GoogleWorld } from '#test/support/google/world.ts';
import type { TestDynamo } from './dynalite.ts';
import { AS_OF } from './sync-provider.ts';
import type { VirtualClock } from './virtual-clock.ts';

export { AS_OF };

/**
 * One connected Gmail account for the sync worker's tests: the Google emulators on a
 * virtual clock, dynalite, a local key vault, and the account recorded as the connect
 * callback records it (the Google sync adapter's run, with a weekly series as calendar).
 * The same seed gives the same mailbox, so two worlds can be compared report for report.
 */
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
  const run = await connectedGoogleRun({ messages, seed: 11, calendar: (clock) => calendarFixture(clock, AS_OF, [WEEKLY_WITH_C1]) });
  const { clock, world: google, db, store, vault, account, endpoints, providers } = run;
  return {
    clock, google, db, store, vault, account, endpoints, providers,
    report: () => run.report(),
    itemCount: async () => (await run.itemIds()).length,
    stored: () => store.getAccount(account.userId, account.accountId),
    close: () => run.close(),
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
