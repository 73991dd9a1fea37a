import { loadConfig } from '#lib/config.ts';
import { connectedProvider } from '#lib/providers/registry.ts';
import { accountSources, providerClientsFromConfig } from '#lib/providers/account-sources.ts';
import { syncAccount } from '#lib/sync/engine.ts';
import { systemClock, type Clock } from '#lib/time/clock.ts';
import { InputError, ReconnectRequiredError, SinewError } from '#lib/errors.ts';
import { syncFreshness } from '#lib/sync/freshness.ts';
import type { Account } from '#lib/store/types.ts';
import { openCliContext, type GlobalFlags } from './context.ts';
import { localVault } from './connect.ts';
import { countProgress } from './progress.ts';

export interface SyncFlags extends GlobalFlags {
  budgetMinutes?: number;
}

/**
 * `sinew sync`: incremental sync of every connected account (Gmail, Microsoft 365) of the current user (a full
 * backfill the first time), resuming from the stored cursors.
 */
export async function runSync(flags: SyncFlags, out: (line: string) => void, clock: Clock = systemClock): Promise<void> {
  const config = loadConfig();
  const ctx = await openCliContext(flags);
  try {
    const userId = await ctx.defaultUser();
    if (!userId) throw new InputError('nothing to sync: run `sinew connect gmail` first');
    const accounts = (await ctx.store.listAccounts(userId)).filter((a) => connectedProvider(a.provider) !== undefined);
    if (accounts.length === 0) throw new InputError('nothing to sync: no connected mailbox (run `sinew connect gmail|microsoft`)');
    const vault = await localVault(flags);
    const providers = providerClientsFromConfig(config);
    // Every account is synced; those that lost their grant, or whose sync failed, are
    // named once more at the end, and the run fails, so a scheduled `sinew sync` is
    // noticed (DESIGN 6: non-zero on failure). Each line says when the mailbox last synced.
    const lost: string[] = [];
    const failed: string[] = [];
    for (const account of accounts) {
      if (!account.encryptedToken) {
        out(`${account.address}: no token stored; run \`sinew connect\` again`);
        continue;
      }
      const bar = countProgress(`${account.address}`);
      let outcome;
      try {
        const sources = await accountSources(account, { providers, vault, clock, store: ctx.store });
        outcome = await syncAccount({
          store: ctx.store,
          account,
          sources,
          clock,
          budgetMs: (flags.budgetMinutes ?? 24 * 60) * 60_000,
          onPage: (_resource, stats) => bar.update(stats.read),
        });
      } catch (err) {
        bar.stop();
        if (!(err instanceof SinewError) || err instanceof InputError) throw err;
        failed.push(account.address);
        // The engine recorded the failure (failingSince) on the account.
        const now = await ctx.store.getAccount(account.userId, account.accountId);
        out(`${account.address}: sync failed (${err.message})${freshnessNote(now ?? account, clock)}`);
        continue;
      }
      bar.stop();
      const s = outcome.stats;
      const what =
        `${s.read} items (${s.written} new or changed, ${s.unchanged} unchanged` +
        `${s.skipped > 0 ? `, ${s.skipped} too large to store, skipped` : ''}) in ${s.pages} pages`;
      const note = freshnessNote(outcome.account, clock);
      if (outcome.state === 'gone') {
        out(`${account.address}: disconnected while syncing; nothing of it was kept`);
      } else if (outcome.state === 'needs-reconnect') {
        lost.push(account.address);
        out(`${account.address}: access was revoked or expired; run \`sinew connect ${connectedProvider(account.provider)!.cliName}\` to reconnect (${what})${note}`);
      } else if (outcome.state === 'budget') {
        out(`${account.address}: ${what}; stopped at the time budget, run \`sinew sync\` again to resume${note}`);
      } else {
        out(`${account.address}: up to date, ${what}${note}`);
      }
    }
    const problems = [
      ...(lost.length > 0 ? [`${lost.length} of ${accounts.length} mailboxes need reconnecting (${lost.join(', ')})`] : []),
      ...(failed.length > 0 ? [`${failed.length} of ${accounts.length} mailboxes failed to sync (${failed.join(', ')})`] : []),
    ];
    if (failed.length > 0) {
      throw new SinewError(`${problems.join('; ')}; what was synced before is kept, and the next \`sinew sync\` tries again`);
    }
    if (lost.length > 0) throw new ReconnectRequiredError(`${problems.join('; ')}; what was synced before is kept`);
  } finally {
    await ctx.close();
  }
}

/**
 * `; last successful sync <when>`, and `; stale since <when>` once syncs have kept failing
 * for a day (lib/sync/freshness.ts), for the end of a mailbox's line.
 */
function freshnessNote(account: Account, clock: Clock): string {
  const f = syncFreshness(account, new Date(clock.now()));
  const last = `; last successful sync ${f.lastSyncAt ? utcMinute(f.lastSyncAt) : 'never'}`;
  return f.state === 'stale' && f.failingSince ? `${last}; stale since ${utcMinute(f.failingSince)} (every sync since has failed)` : last;
}

/** `2026-11-23 07:00 UTC`. */
function utcMinute(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}
