import type { ChangeSource } from '#lib/providers/types.ts';
import type { Item } from '#lib/items/types.ts';
import type { Account, AccountChange, Store } from '#lib/store/types.ts';
import { ReconnectRequiredError } from '#lib/errors.ts';
import type { Clock } from '#lib/time/clock.ts';

export interface SyncAccountOptions {
  store: Store;
  /**
   * The account to sync, as stored: its cursors are the ones the first checkpoint expects
   * to find. The engine never writes the token (MSAL rotates refresh tokens and its token
   * session saves them), so a rotation is never overwritten and a deleted token never
   * comes back.
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
  /** Items that could not be stored even bounded: skipped, the cursor moved past them. */
  skipped: number;
}

export interface SyncOutcome {
  /**
   * `complete`: every source reached its incremental cursor; `budget`: stopped to resume;
   * `gone`: the account was disconnected (or connected afresh) while this run went on:
   * the run stopped and took back what it had written since.
   */
  state: 'complete' | 'budget' | 'needs-reconnect' | 'gone';
  stats: SyncStats;
  account: Account;
}

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

/**
 * Syncs one account: for each source, pulls pages from the stored cursor, stores each
 * page's items, then checkpoints the page's cursor. Items before cursor, always: a crash
 * between the two replays the page (items are keyed deterministically, so nothing is
 * counted twice) and never skips one. An item the store cannot keep is skipped and
 * counted, and the cursor moves past it: one message never blocks a mailbox.
 *
 * A revoked grant marks the account `needs-reconnect` instead of failing forever; other
 * errors count against the account (`errorCount`, and `failingSince` from the first
 * failure after a success, which `syncFreshness` turns stale after a day) and propagate
 * so the caller (queue, CLI) can retry. `lastSyncAt` is set only by a run that ends
 * without error, complete or stopped at its budget with every page checkpointed.
 * `progressAt` is set by every page's checkpoint and by that last one (not by a failure's):
 * the dispatcher leaves a `syncing` account alone while it moves (lib/sync/dispatch.ts).
 *
 * Deletion wins (issue 10, item 2): every checkpoint is a conditional update of the
 * account as this run last saw it, never a put. When the account is gone (disconnected),
 * or its cursors are not the ones this run wrote (disconnected and connected afresh), the
 * run stops and deletes the items it wrote since its last checkpoint, and, when the
 * account is gone, every item of the account left behind (a run that died between a page
 * and its checkpoint). The account itself, its token and cursors are never written back.
 */
export async function syncAccount(opts: SyncAccountOptions): Promise<SyncOutcome> {
  const { store, clock } = opts;
  const account: Account = { ...opts.account, cursors: { ...opts.account.cursors }, aliases: [...opts.account.aliases] };
  const { userId, accountId } = account;
  const deadline = clock.now() + opts.budgetMs;
  const stats: SyncStats = { pages: 0, read: 0, written: 0, unchanged: 0, removed: 0, skipped: 0 };
  /** The cursors as stored by the last checkpoint of this run (or as the run found them). */
  let saved = { ...account.cursors };
  /** Ids written since the last checkpoint: what a lost account takes back. */
  let unsaved: string[] = [];

  const checkpoint = async (change: AccountChange): Promise<boolean> => {
    const result = await store.updateAccount(userId, accountId, { ...change, expectCursors: saved });
    if (result === 'updated') {
      saved = { ...account.cursors };
      unsaved = [];
      return true;
    }
    await store.deleteItems(userId, accountId, unsaved);
    if (result === 'gone') await store.deleteAccountItems(userId, accountId);
    return false;
  };
  const gone = (): SyncOutcome => ({ state: 'gone', stats, account });

  let state: SyncOutcome['state'] = 'complete';
  try {
    for (const source of opts.sources) {
      if (clock.now() >= deadline) {
        state = 'budget';
        break;
      }
      for await (const page of source.pages(account.cursors[source.resource])) {
        const cancelled = await cancelRemovedMeetings(store, account, page.removed);
        const batch = [...page.items, ...cancelled];
        unsaved.push(...batch.map((item) => item.providerId));
        const r = await store.putItems(userId, batch);
        stats.pages += 1;
        stats.read += page.items.length;
        stats.written += r.written;
        stats.unchanged += r.unchanged;
        stats.removed += page.removed.length;
        stats.skipped += r.skipped?.length ?? 0;
        account.cursors[source.resource] = page.cursor;
        if (page.aliases?.length) {
          account.aliases = [...new Set([...account.aliases, ...page.aliases])].sort();
        }
        account.progressAt = new Date(clock.now()).toISOString();
        if (!(await checkpoint({ set: { cursors: account.cursors, aliases: account.aliases, progressAt: account.progressAt } }))) return gone();
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
      if (!(await checkpoint({ set: { status: 'needs-reconnect' } }))) return gone();
      return { state: 'needs-reconnect', stats, account };
    }
    account.errorCount += 1;
    account.failingSince ??= new Date(clock.now()).toISOString();
    if (!(await checkpoint({ set: { errorCount: account.errorCount, failingSince: account.failingSince } }))) return gone();
    throw err;
  }
  account.status = 'active';
  account.errorCount = 0;
  account.lastSyncAt = new Date(clock.now()).toISOString();
  account.progressAt = account.lastSyncAt;
  delete account.failingSince;
  const done = await checkpoint({ set: { status: 'active', errorCount: 0, lastSyncAt: account.lastSyncAt, progressAt: account.progressAt }, remove: ['failingSince'] });
  if (!done) return gone();
  return { state, stats, account };
}
