import { loadConfig, type Config } from '../config.ts';
import { msOAuthFromConfig } from '../providers/microsoft/oauth.ts';
import { googleOAuthFromConfig } from '../providers/google/oauth.ts';
import { accountSources, once, type ProviderClients } from '../service/account-sources.ts';
import { syncAccount } from '../sync/engine.ts';
import { systemClock, type Clock } from '../sync/clock.ts';
import { InputError, ReconnectRequiredError } from '../errors.ts';
import { openCliContext, type GlobalFlags } from './context.ts';
import { localVault } from './connect.ts';
import { countProgress } from './progress.ts';

/** The providers' clients from the environment (lib/config.ts), built on first use. */
function providersFromConfig(config: Config): ProviderClients {
  return {
    google: once(async () => ({ oauth: googleOAuthFromConfig(config), apiRoot: config.SINEW_GOOGLE_API_ROOT })),
    microsoft: once(async () => ({ oauth: await msOAuthFromConfig(config), graphBaseUrl: config.SINEW_GRAPH_BASE_URL })),
  };
}

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
    const accounts = (await ctx.store.listAccounts(userId)).filter((a) => a.provider !== 'files');
    if (accounts.length === 0) throw new InputError('nothing to sync: no connected mailbox (run `sinew connect gmail|microsoft`)');
    const vault = await localVault(flags);
    const providers = providersFromConfig(config);
    // Every account is synced; those that lost their grant are named once more at the
    // end, and the run fails, so a scheduled `sinew sync` is noticed (DESIGN 6: non-zero on failure).
    const lost: string[] = [];
    for (const account of accounts) {
      if (!account.encryptedToken) {
        out(`${account.address}: no token stored; run \`sinew connect\` again`);
        continue;
      }
      const sources = await accountSources(account, { providers, vault, clock, store: ctx.store });
      const bar = countProgress(`${account.address}`);
      const outcome = await syncAccount({
        store: ctx.store,
        account,
        sources,
        clock,
        budgetMs: (flags.budgetMinutes ?? 24 * 60) * 60_000,
        onPage: (_resource, stats) => bar.update(stats.read),
      });
      bar.stop();
      const s = outcome.stats;
      const what = `${s.read} items (${s.written} new or changed, ${s.unchanged} unchanged) in ${s.pages} pages`;
      if (outcome.state === 'needs-reconnect') {
        lost.push(account.address);
        out(`${account.address}: access was revoked or expired; run \`sinew connect ${account.provider === 'google' ? 'gmail' : 'microsoft'}\` to reconnect (${what})`);
      } else if (outcome.state === 'budget') {
        out(`${account.address}: ${what}; stopped at the time budget, run \`sinew sync\` again to resume`);
      } else {
        out(`${account.address}: up to date, ${what}`);
      }
    }
    if (lost.length > 0) {
      throw new ReconnectRequiredError(`${lost.length} of ${accounts.length} mailboxes need reconnecting (${lost.join(', ')}); what was synced before is kept`);
    }
  } finally {
    await ctx.close();
  }
}
