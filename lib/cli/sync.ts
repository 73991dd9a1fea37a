import { loadConfig, type Config } from '../config.ts';
import type { ChangeSource } from '../providers/types.ts';
import type { Account, Store } from '../store/types.ts';
import type { TokenVault } from '../connect/token-vault.ts';
import { msOAuthFromConfig, grantsCalendar as msGrantsCalendar } from '../providers/microsoft/oauth.ts';
import { microsoftSources } from '../providers/microsoft/sources.ts';
import { googleOAuthFromConfig, grantsCalendar } from '../providers/google/oauth.ts';
import { googleSources } from '../providers/google/sources.ts';
import { syncAccount } from '../sync/engine.ts';
import { systemClock, type Clock } from '../sync/clock.ts';
import { tokenContext } from '../pipeline/accounts.ts';
import { InputError } from '../errors.ts';
import { openCliContext, type GlobalFlags } from './context.ts';
import { localVault } from './connect.ts';
import { countProgress } from './progress.ts';

/** The change sources of one connected account, with its token opened from the vault. */
async function sourcesFor(
  account: Account,
  deps: { config: Config; vault: TokenVault; clock: Clock; store: Store },
): Promise<ChangeSource[]> {
  const context = tokenContext(account);
  if (account.provider === 'google') {
    const refreshToken = await deps.vault.open(account.encryptedToken!, context);
    return googleSources({
      auth: googleOAuthFromConfig(deps.config).clientFor(refreshToken),
      accountId: account.accountId,
      rootUrl: deps.config.SINEW_GOOGLE_API_ROOT,
      clock: deps.clock,
      calendar: grantsCalendar(account.grantedScopes ?? []),
    });
  }
  // MSAL keeps its refresh token in a serialized cache, sealed on the account; a refresh
  // may rotate it, and the session writes it back (the engine keeps the rotation).
  const session = (await msOAuthFromConfig(deps.config)).session({
    vault: deps.vault,
    context,
    store: {
      load: async () => account.encryptedToken,
      save: async (sealed) => {
        account.encryptedToken = sealed;
        const stored = await deps.store.getAccount(account.userId, account.accountId);
        if (stored) await deps.store.putAccount({ ...stored, encryptedToken: sealed });
      },
    },
  });
  return microsoftSources({
    graphBaseUrl: deps.config.SINEW_GRAPH_BASE_URL,
    getAccessToken: (o) => session.accessToken(o),
    accountId: account.accountId,
    clock: deps.clock,
    calendar: msGrantsCalendar(account.grantedScopes ?? []),
  });
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
    for (const account of accounts) {
      if (!account.encryptedToken) {
        out(`${account.address}: no token stored; run \`sinew connect\` again`);
        continue;
      }
      const sources = await sourcesFor(account, { config, vault, clock, store: ctx.store });
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
        out(`${account.address}: access was revoked or expired; run \`sinew connect ${account.provider === 'google' ? 'gmail' : 'microsoft'}\` to reconnect (${what})`);
      } else if (outcome.state === 'budget') {
        out(`${account.address}: ${what}; stopped at the time budget, run \`sinew sync\` again to resume`);
      } else {
        out(`${account.address}: up to date, ${what}`);
      }
    }
  } finally {
    await ctx.close();
  }
}
