import type { Account } from '#lib/store/types.ts';

/** A mailbox whose syncs keep failing is stale to its owner after this long (issue 10, item 9). */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * How current one mailbox's data is, for the weekly email, the brief and `sinew sync`:
 * - `needs-reconnect`: the grant was revoked or expired; only the person can fix it;
 * - `stale`: syncs have kept failing (not a revoked grant) for longer than
 *   {@link STALE_AFTER_MS}, or the mailbox has never synced and has failed that long;
 * - `fresh`: otherwise (including a first failure still within the day: retries may fix it).
 * `lastSyncAt` is the last successful sync, absent when there never was one.
 */
export interface SyncFreshness {
  state: 'fresh' | 'stale' | 'needs-reconnect';
  lastSyncAt?: string;
  failingSince?: string;
}

export function syncFreshness(account: Pick<Account, 'status' | 'lastSyncAt' | 'failingSince'>, now: Date): SyncFreshness {
  const base = {
    ...(account.lastSyncAt ? { lastSyncAt: account.lastSyncAt } : {}),
    ...(account.failingSince ? { failingSince: account.failingSince } : {}),
  };
  if (account.status === 'needs-reconnect') return { state: 'needs-reconnect', ...base };
  if (account.failingSince && now.getTime() - Date.parse(account.failingSince) > STALE_AFTER_MS) {
    return { state: 'stale', ...base };
  }
  return { state: 'fresh', ...base };
}
