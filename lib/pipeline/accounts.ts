import type { ConnectedGrant } from '../connect/consent.ts';
import type { TokenVault } from '../connect/token-vault.ts';
import type { Account, Provider, Store, User } from '../store/types.ts';
import { accountIdFor, requireAddress, userIdFor } from './identity.ts';

/** The context a refresh token is sealed under: it cannot be opened for another account. */
export function tokenContext(account: Pick<Account, 'userId' | 'accountId'>): Record<string, string> {
  return { userId: account.userId, accountId: account.accountId };
}

/**
 * Records a freshly connected mailbox: the person (identified by the address of their
 * first mailbox, or the user a signed "connect another mailbox" link names), and the
 * account with its refresh token sealed by the vault. Reconnecting the same mailbox
 * replaces the token, keeps the cursors and clears `needs-reconnect`.
 */
export async function recordConnectedAccount(
  store: Store,
  vault: TokenVault,
  input: { provider: Exclude<Provider, 'files'>; grant: ConnectedGrant; now: Date; timeZone: string; joinUserId?: string },
): Promise<{ user: User; account: Account }> {
  const address = requireAddress(input.grant.email, 'the connected account');
  const userId = input.joinUserId ?? userIdFor(address);
  const existing = await store.getUser(userId);
  const user: User = existing ?? {
    userId,
    email: address,
    timeZone: input.timeZone,
    me: [address],
    internalDomains: [],
    reportsPaused: false,
    createdAt: input.now.toISOString(),
  };
  if (existing && !existing.me.includes(address)) user.me = [...existing.me, address].sort();
  await store.putUser(user);
  const accountId = accountIdFor(input.provider, address);
  const previous = await store.getAccount(userId, accountId);
  const account: Account = {
    userId,
    accountId,
    provider: input.provider,
    address,
    aliases: previous?.aliases ?? [],
    status: 'active',
    errorCount: 0,
    cursors: previous?.cursors ?? {},
    grantedScopes: [...input.grant.grantedScopes].sort(),
    ...(previous?.lastSyncAt ? { lastSyncAt: previous.lastSyncAt } : {}),
  };
  account.encryptedToken = await vault.seal(input.grant.refreshToken, tokenContext(account));
  await store.putAccount(account);
  return { user, account };
}
