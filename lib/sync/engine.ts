import type { ChangeSource, Item } from '../providers/types.ts';
import type { Account, Store } from '../store/types.ts';
import { ReconnectRequiredError } from '../errors.ts';
import type { Clock } from './clock.ts';

export interface SyncAccountOptions {
  store: Store;
  /**
   * The account to sync. Its `encryptedToken` may be rotated while the sync runs (MSAL
   * rotates refresh tokens and saves its cache through the caller): the engine takes the
   * token from this object at every checkpoint, so a rotation is never overwritten.
   */
  account: Account;
  sources: ChangeSource[];
  clock: Clock;
  /**
   * Wall time this run may take. The engine checks it between pages: past the budget it
   * stops, with every finished page stored and its cursor checkpointed, so the next run
   * (a queue continuation in AWS, the next `sinew sync` locally) resumes exactly there.
   */
  budgetMs: number;
  /** Called after each stored page, e.g. for a progress bar. */
  onPage?: (resource: string, stats: SyncStats) => void;
}

export interface SyncStats {
  pages: number;
  read: number;
  written: number;
  unchanged: number;
  removed: number;
}

export interface SyncOutcome {
  /** `complete`: every source reached its incremental cursor; `budget`: stopped to resume. */
  state: 'complete' | 'budget' | 'needs-reconnect';
  stats: SyncStats;
  account: Account;
}

/**
 * Syncs one account: for each source, pulls pages from the stored cursor, stores each
 * page's items, then checkpoints the page's cursor. Items before cursor, always: a crash
 * between the two replays the page (items are keyed deterministically, so nothing is
 * counted twice) and never skips one. A revoked grant marks the account
 * `needs-reconnect` instead of failing forever; other errors count against the account
 * and propagate so the caller (queue, CLI) can retry.
 */
/**
 * Deleted mail keeps counting (DESIGN section 3), but a meeting deleted from the calendar
 * did not happen: where a provider reports a removal by id alone (Google's minimal
 * deletions, Graph's `@removed`), the stored occurrence is rewritten as cancelled.
 */
async function cancelRemovedMeetings(store: Store, account: Account, removed: string[]): Promise<Item[]> {
  const out: Item[] = [];
  for (const providerId of removed) {
    const item = await store.getItem(account.userId, account.accountId, providerId);
    if (item?.kind === 'meeting' && item.status !== 'cancelled') out.push({ ...item, status: 'cancelled' });
  }
  return out;
}

export async function syncAccount(opts: SyncAccountOptions): Promise<SyncOutcome> {
  const { store, clock } = opts;
  const account: Account = { ...opts.account, cursors: { ...opts.account.cursors }, aliases: [...opts.account.aliases] };
  const deadline = clock.now() + opts.budgetMs;
  const save = async (): Promise<void> => {
    if (opts.account.encryptedToken !== undefined) account.encryptedToken = opts.account.encryptedToken;
    await store.putAccount(account);
  };
  const stats: SyncStats = { pages: 0, read: 0, written: 0, unchanged: 0, removed: 0 };
  let state: SyncOutcome['state'] = 'complete';
  try {
    for (const source of opts.sources) {
      if (clock.now() >= deadline) {
        state = 'budget';
        break;
      }
      for await (const page of source.pages(account.cursors[source.resource])) {
        const cancelled = await cancelRemovedMeetings(store, account, page.removed);
        const r = await store.putItems(account.userId, [...page.items, ...cancelled]);
        stats.pages += 1;
        stats.read += page.items.length;
        stats.written += r.written;
        stats.unchanged += r.unchanged;
        stats.removed += page.removed.length;
        account.cursors[source.resource] = page.cursor;
        if (page.aliases?.length) {
          account.aliases = [...new Set([...account.aliases, ...page.aliases])].sort();
        }
        await save();
        opts.onPage?.(source.resource, stats);
        if (!page.done && clock.now() >= deadline) {
          state = 'budget';
          break;
        }
      }
      if (state === 'budget') break;
    }
  } catch (err) {
    if (err instanceof ReconnectRequiredError) {
      account.status = 'needs-reconnect';
      await save();
      return { state: 'needs-reconnect', stats, account };
    }
    account.errorCount += 1;
    await save();
    throw err;
  }
  account.status = 'active';
  account.errorCount = 0;
  account.lastSyncAt = new Date(clock.now()).toISOString();
  await save();
  return { state, stats, account };
}
