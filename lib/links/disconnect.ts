import { ProviderUnavailableError } from '#lib/errors.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { tokenContext } from '#lib/connect/accounts.ts';
import { connectedProvider, type ConnectedProvider, type TokenRevoker } from '#lib/providers/registry.ts';
import type { Account, Provider, Store } from '#lib/store/types.ts';
import { removeFromTeam } from '#lib/team/sharing.ts';

/**
 * Disconnect (DESIGN section 4): revoke the provider grant where the provider lets an app
 * do so, then delete every item of the user: profile, accounts and their sealed tokens,
 * synced items, feedback and stored reports (the whole partition), and whatever the person
 * published to the team index (DESIGN section 10).
 */

export type { TokenRevoker } from '#lib/providers/registry.ts';

/**
 * What happened to one account's grant:
 * - `revoked`: the provider confirmed (or the grant was already gone);
 * - `discarded`: the provider offers no revocation to us; the token was deleted, and the
 *   user removes the consent where the provider's `grant.settingsUrl` says
 *   (lib/providers/registry.ts);
 * - `not-revoked`: revocation failed for a reason retrying will not fix (the token could
 *   not be opened, the OAuth client was refused); deleted anyway, the user removes access by hand;
 * - `none`: nothing to revoke (an imported archive, an account without a token).
 */
export type GrantOutcome = 'revoked' | 'discarded' | 'not-revoked' | 'none';

export interface DisconnectOutcome {
  changed: boolean;
  accounts: Array<{ provider: Provider; address: string; grant: GrantOutcome; settingsUrl?: string; personalSettingsUrl?: string }>;
  /** Items deleted from the store. */
  deletedItems: number;
}

export interface DisconnectDeps {
  store: Store;
  vault?: TokenVault;
  /** Revocation at a provider whose grant Sinew revokes (Google), built on demand. */
  revoker?: (provider: ConnectedProvider) => Promise<TokenRevoker>;
}

/**
 * Revokes every account's grant, then deletes the user's partition. A provider that is
 * unavailable stops the disconnect before anything is deleted (ProviderUnavailableError):
 * deleting first would lose the token and with it the only way to revoke the grant, so
 * the user retries instead. Applying it again after success finds nothing and changes nothing.
 *
 * A link naming one account still disconnects the whole user: the store deletes by user,
 * and the promise is that a disconnect leaves no item of the person behind.
 */
export async function disconnectUser(userId: string, deps: DisconnectDeps): Promise<DisconnectOutcome> {
  const accounts = await deps.store.listAccounts(userId);
  const results: DisconnectOutcome['accounts'] = [];
  for (const account of accounts) results.push(await releaseGrant(account, deps));
  const deletedItems = await deps.store.deleteUser(userId);
  // After the partition: a report job racing the disconnect finds no profile and removes
  // what it wrote (lib/team/publish.ts); this removes what was there before.
  const teamEntries = await removeFromTeam(deps.store, userId);
  return { changed: deletedItems > 0 || teamEntries > 0, accounts: results, deletedItems };
}

/**
 * Revokes one account's grant where the provider lets Sinew (Google), or says where the
 * person removes it; throws ProviderUnavailableError before anything is deleted. Also
 * what detaching one mailbox does (detach.ts).
 */
export async function releaseGrant(account: Account, deps: DisconnectDeps): Promise<DisconnectOutcome['accounts'][number]> {
  const base = { provider: account.provider, address: account.address };
  const provider = connectedProvider(account.provider);
  if (!provider || account.encryptedToken === undefined) return { ...base, grant: 'none' };
  const { grant } = provider;
  if (!grant.revocable) {
    return { ...base, grant: 'discarded', settingsUrl: grant.settingsUrl, ...(grant.personalSettingsUrl ? { personalSettingsUrl: grant.personalSettingsUrl } : {}) };
  }
  const notRevoked = { ...base, grant: 'not-revoked' as const, settingsUrl: grant.settingsUrl };
  if (!deps.vault || !deps.revoker) return notRevoked;
  let refreshToken: string;
  try {
    refreshToken = await deps.vault.open(account.encryptedToken, tokenContext(account));
  } catch {
    return notRevoked;
  }
  try {
    await (await deps.revoker(provider.id)).revoke(refreshToken);
    return { ...base, grant: 'revoked' };
  } catch (err) {
    if (err instanceof ProviderUnavailableError) throw err;
    return notRevoked;
  }
}
