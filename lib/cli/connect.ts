import { randomBytes } from 'node:crypto';
import { loadConfig } from '#lib/config.ts';
import { runLoopbackConsent } from '#lib/connect/loopback.ts';
import { openInBrowser } from '#lib/connect/browser.ts';
import { LocalKeyVault, masterKeyPath, type TokenVault } from '#lib/connect/token-vault.ts';
import { providerForCli } from '#lib/providers/registry.ts';
import { providerConsentsFromConfig } from '#lib/providers/consents.ts';
import { recordConnectedAccount } from '#lib/connect/accounts.ts';
import { isTimeZone } from '#lib/time/zones.ts';
import { InputError } from '#lib/errors.ts';
import { openCliContext, type GlobalFlags } from './context.ts';

export interface ConnectFlags extends GlobalFlags {
  /** Commander's `--no-browser` sets this to false. */
  browser: boolean;
  timeZone?: string;
  timeoutSeconds?: number;
}

/**
 * The local vault: the master key lives under the data directory (mode 0600), or only in
 * memory with `--memory`.
 */
export async function localVault(flags: GlobalFlags): Promise<TokenVault> {
  return flags.memory ? LocalKeyVault.fromKey(randomBytes(32)) : LocalKeyVault.fromFile(masterKeyPath(flags.data));
}

/**
 * `sinew connect gmail|microsoft`: the OAuth loopback flow (PKCE, signed state) on 127.0.0.1; the
 * refresh token is sealed before it reaches the store.
 */
export async function runConnect(
  provider: string,
  flags: ConnectFlags,
  out: (line: string) => void,
  now: () => Date,
): Promise<void> {
  const chosen = providerForCli(provider);
  const timeZone = flags.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  if (!isTimeZone(timeZone)) throw new InputError(`--time-zone must be an IANA time zone such as Europe/Paris (got '${timeZone}')`);
  const config = loadConfig();
  const consent = await providerConsentsFromConfig(config)[chosen.id]();
  const grant = await runLoopbackConsent({
    provider: chosen.id,
    oauth: consent,
    ...(flags.browser ? { openUrl: openInBrowser } : {}),
    onUrl: (url) =>
      out(`${flags.browser ? 'If no browser opens, open' : 'Open'} this address to connect your ${chosen.label} account:\n${url}`),
    ...(flags.timeoutSeconds ? { timeoutMs: flags.timeoutSeconds * 1000 } : {}),
  });
  const ctx = await openCliContext(flags);
  try {
    const vault = await localVault(flags);
    const { user, account } = await recordConnectedAccount(ctx.store, vault, {
      provider: chosen.id,
      grant,
      now: now(),
      timeZone,
    });
    await ctx.setDefaultUser(user.userId);
    out(`connected ${account.address}; run \`sinew sync\` to fetch its mail and meeting metadata`);
  } finally {
    await ctx.close();
  }
}
