import type { ConnectedGrant } from './consent.ts';
import type { TokenVault } from './token-vault.ts';
import { InputError } from '#lib/errors.ts';
import type { Account, Provider, Store, User } from '#lib/store/types.ts';
import { accountIdFor, accountIdForSubject, requireAddress, userIdFor } from './identity.ts';

/** The context a refresh token is sealed under: it cannot be opened for another account. */
export function tokenContext(account: Pick<Account, 'userId' | 'accountId'>): Record<string, string> {
  return { userId: account.userId, accountId: account.accountId };
}

/**
 * An account as connect records it: `Account` plus the provider's immutable id of the
 * mailbox where Sinew keys on it (Microsoft's `tid/oid`). The store keeps every attribute
 * of an account, so the subject survives the sync's writes.
 */
export type ConnectedAccount = Account & { subject?: string };

/** Who signed in, as the provider vouches for it. */
export interface MailboxIdentity {
  provider: Exclude<Provider, 'files'>;
  /** Normalized address. */
  address: string;
  /** The provider's immutable id of the account (Microsoft `tid/oid`), when it has one. */
  subject?: string;
}

/** The identity a grant carries. */
export function identityOf(provider: Exclude<Provider, 'files'>, grant: ConnectedGrant): MailboxIdentity {
  const address = requireAddress(grant.email, 'the connected account');
  return { provider, address, ...(grant.subject ? { subject: grant.subject } : {}) };
}

/**
 * True when `identity` is the mailbox `account` holds: the same immutable subject where
 * both have one (the address may have changed: it is only an attribute there), else the
 * same address (Google, and Microsoft accounts recorded before Sinew kept the subject).
 */
export function isSameMailbox(account: ConnectedAccount, identity: MailboxIdentity): boolean {
  if (account.provider !== identity.provider) return false;
  if (account.subject !== undefined && identity.subject !== undefined) return account.subject === identity.subject;
  if (account.subject !== undefined) return false;
  return account.address === identity.address;
}

/** What {@link recordConnectedAccount} did. */
export interface RecordedAccount {
  user: User;
  account: ConnectedAccount;
  /** The person was created by this connect (their first mailbox). */
  createdUser: boolean;
  /** The mailbox is new to an existing person: it joined their reports. */
  joined: boolean;
}

/**
 * Records a freshly connected mailbox: the person (identified by the address of their
 * first mailbox, or the user a signed "connect another mailbox" link names), and the
 * account with its refresh token sealed by the vault. Reconnecting the same mailbox
 * replaces the token, keeps the cursors and clears `needs-reconnect`; `accountId` names
 * the account a reconnect is for (the caller checked the identity with {@link isSameMailbox}).
 *
 * A Microsoft account is keyed on its tenant and object ids: the same account whose
 * address changed stays one account (its new address recorded, and the report address
 * follows when it was this mailbox's), and an account recorded by address before the
 * subject was kept is found by its address once and keeps its id.
 */
export async function recordConnectedAccount(
  store: Store,
  vault: TokenVault,
  input: { provider: Exclude<Provider, 'files'>; grant: ConnectedGrant; now: Date; timeZone: string; joinUserId?: string; accountId?: string },
): Promise<RecordedAccount> {
  const identity = identityOf(input.provider, input.grant);
  const { address } = identity;
  const userId = input.joinUserId ?? userIdFor(address);
  const existing = await store.getUser(userId);
  const previous: ConnectedAccount | undefined = input.accountId
    ? await store.getAccount(userId, input.accountId)
    : await findMailbox(store, userId, identity);

  let user: User;
  if (!existing) {
    user = { userId, email: address, timeZone: input.timeZone, me: [address], internalDomains: [], reportsPaused: false, createdAt: input.now.toISOString() };
    await store.putUser(user);
  } else {
    // Only what changed, as a conditional update: a pause or unsubscribe written meanwhile
    // survives, and a person deleted meanwhile is not recreated.
    const set: { email?: string; me?: string[] } = {};
    if (previous && previous.address !== address && existing.email === previous.address) set.email = address;
    if (!existing.me.includes(address)) set.me = [...existing.me, address].sort();
    const updated = Object.keys(set).length > 0 ? await store.updateUser(userId, { set }) : existing;
    if (!updated) throw new InputError('the person this mailbox was connecting to is no longer in Sinew; nothing was stored');
    user = updated;
  }

  const accountId =
    previous?.accountId ?? (identity.subject ? accountIdForSubject(input.provider, identity.subject) : accountIdFor(input.provider, address));
  const account: ConnectedAccount = {
    userId,
    accountId,
    provider: input.provider,
    address,
    ...(identity.subject ? { subject: identity.subject } : {}),
    aliases: previous?.aliases ?? [],
    status: 'active',
    errorCount: 0,
    cursors: previous?.cursors ?? {},
    grantedScopes: [...input.grant.grantedScopes].sort(),
    ...(previous?.lastSyncAt ? { lastSyncAt: previous.lastSyncAt } : {}),
  };
  account.encryptedToken = await vault.seal(input.grant.refreshToken, tokenContext(account));
  await store.putAccount(account);
  return { user, account, createdUser: !existing, joined: existing !== undefined && previous === undefined };
}

/**
 * The person's account holding this mailbox: by its subject key, else (an account recorded
 * before subjects were kept, or one keyed by address) by its address.
 */
async function findMailbox(store: Store, userId: string, identity: MailboxIdentity): Promise<ConnectedAccount | undefined> {
  if (identity.subject) {
    const bySubject: ConnectedAccount | undefined = await store.getAccount(userId, accountIdForSubject(identity.provider, identity.subject));
    if (bySubject) return bySubject;
  }
  const byAddress: ConnectedAccount | undefined = await store.getAccount(userId, accountIdFor(identity.provider, identity.address));
  return byAddress && isSameMailbox(byAddress, identity) ? byAddress : undefined;
}
