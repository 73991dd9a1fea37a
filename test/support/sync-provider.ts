import type { LocalKeyVault } from '#lib/connect/token-vault.ts';
import type { ProviderClients, ProviderEndpoints } from '#lib/providers/account-sources.ts';
import type { ChangeSource } from '#lib/providers/types.ts';
import type { Account } from '#lib/store/types.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { syncAccount, type SyncOutcome } from '#lib/sync/engine.ts';
import type { TestDynamo } from './dynalite.ts';
import { crashingStore, reportText } from './sync-run.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** The time the sync suites' mailboxes are built for and their reports are made at: Monday 23 Nov 2026, 07:00 UTC. */
export const AS_OF = Date.UTC(2026, 10, 23, 7);

/**
 * One provider seen the way the sync suites that hold for every provider see it
 * (test/sync/provider-sync.test.ts, job-providers.test.ts run `describe.each` over these):
 * a connected account on the provider's emulators, and the few things a test does to a
 * mailbox (new mail, a deletion, an expired cursor, a revoked grant, a throttling storm)
 * in that provider's own terms. Each provider's adapter lives beside its emulators
 * (google/sync-provider.ts, microsoft/sync-provider.ts), with the checks only it can make.
 */
export interface SyncProvider {
  /** The provider's name in test titles. */
  name: string;
  /** Messages whose backfill spans several pages, so a crash at the second checkpoint lands mid-backfill. */
  backfillMessages: number;
  /** What each cursor of a completed sync looks like, by resource. */
  syncedCursors: Record<string, RegExp>;
  /** A fresh world (the same mailbox for the same size and seed), a fresh store, and an account connected through the provider's consent. */
  connectedRun(opts?: { messages?: number; seed?: number }): Promise<ProviderRun>;
}

/** A connected account on one provider's emulators, with its own dynalite and vault. */
export interface ProviderRun {
  clock: VirtualClock;
  db: TestDynamo;
  store: DynamoStore;
  vault: LocalKeyVault;
  /** The account as the last sync left it (or as {@link reload} read it). */
  account: Account;
  /** The app's OAuth client as the provider's emulator knows it (what the OAuth secret holds). */
  oauthClient: { clientId: string; clientSecret: string };
  /** The endpoints the sync worker is given: the provider's emulator, the other provider's defaults. */
  endpoints: ProviderEndpoints;
  /** The clients the sync worker builds from these (runSyncJob's `providers`). */
  providers: ProviderClients;
  /** Syncs through the provider's real sources; `crashAtCheckpoint` makes the N-th cursor write throw, like a process dying. */
  sync(budgetMs?: number, crashAtCheckpoint?: number): Promise<SyncOutcome>;
  /** Reads the account back from the store into {@link account}. */
  reload(): Promise<Account>;
  /** The report JSON as the CLI would write it for AS_OF. */
  report(): Promise<string>;
  /** The provider ids of the account's stored items. */
  itemIds(): Promise<string[]>;
  /** Mail from new.person@fresh.example to me, three days before AS_OF; its provider id. */
  addFreshMessage(): string;
  /** Deletes a message for good. */
  deleteMessage(id: string): void;
  /** Makes every stored mail cursor expire (Gmail's history id, Graph's delta tokens). */
  expireCursors(): void;
  /** The user withdraws Sinew's access (and the access token in hand stops working). */
  revoke(): void;
  /** Requests the provider's emulators have answered so far, token requests included. */
  requestCount(): number;
  /** The grant type of the last token request the provider's identity service saw. */
  lastTokenGrant(): string | undefined;
  /** Queues a throttling storm and transient failures for the backfill to meet. */
  injectBackfillFaults(): void;
  /** After the backfill: every injected fault was met, and retried as the provider asks. */
  expectFaultsMet(): void;
  /** The stored cursor lies in the middle of the backfill (after a crash). */
  expectMidBackfill(): void;
  close(): Promise<void>;
}

/**
 * What every provider's run does the same way, given the provider's sources for the
 * account as it stands: sync (the account kept on the run), read the account back, the
 * report and the stored items. `self` gives the run these are part of.
 */
export function sharedRunParts(
  self: () => Pick<ProviderRun, 'store' | 'clock' | 'account'>,
  sources: () => Promise<ChangeSource[]>,
): Pick<ProviderRun, 'sync' | 'reload' | 'report' | 'itemIds'> {
  return {
    async sync(budgetMs = 24 * 3_600_000, crashAtCheckpoint?: number) {
      const run = self();
      const outcome = await syncAccount({ store: crashingStore(run.store, crashAtCheckpoint), account: run.account, sources: await sources(), clock: run.clock, budgetMs });
      run.account = outcome.account;
      return outcome;
    },
    async reload() {
      const run = self();
      run.account = (await run.store.getAccount(run.account.userId, run.account.accountId))!;
      return run.account;
    },
    report: () => reportText(self().store, self().account.userId, AS_OF),
    async itemIds() {
      const ids: string[] = [];
      for await (const item of self().store.queryItems(self().account.userId)) ids.push(item.providerId);
      return ids;
    },
  };
}
