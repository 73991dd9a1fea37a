import type { ConnectedAccount } from '#lib/connect/accounts.ts';
import { releaseGrant, type DisconnectDeps, type DisconnectOutcome } from './disconnect.ts';

/**
 * Detach (the undo of a join, DESIGN section 1 "Who is who"): one mailbox leaves the
 * reports of the person it joined. Its grant is revoked where the provider lets Sinew
 * (Google), its account and sealed token are deleted, and so is every item synced from
 * it; its addresses stop being the person's own. The person and their other mailboxes
 * stay as they are.
 */

export interface DetachOutcome {
  changed: boolean;
  /** The detached mailbox and what happened to its grant; absent when it was already gone. */
  mailbox?: DisconnectOutcome['accounts'][number];
  /** Where the person's reports go (absent when the person is gone too). */
  reportAddress?: string;
  /** Items of the mailbox deleted. */
  deletedItems: number;
}

/**
 * Detaches account `accountId` from person `userId`. The grant goes first: deleting the
 * token first would lose the only way to revoke it, so a provider that is unavailable
 * stops the detach before anything is deleted (ProviderUnavailableError) and the person
 * retries. Then the account record (a running sync finds it gone and stops, sweeping what
 * it wrote in the race), then its items, so that applying the link again after a partial
 * failure finishes the job; after success it finds nothing and changes nothing.
 */
export async function detachAccount(userId: string, accountId: string, deps: DisconnectDeps): Promise<DetachOutcome> {
  const account: ConnectedAccount | undefined = await deps.store.getAccount(userId, accountId);
  const mailbox = account ? await releaseGrant(account, deps) : undefined;
  const removed = await deps.store.deleteAccount(userId, accountId);
  const deletedItems = await deps.store.deleteAccountItems(userId, accountId);
  const user = await deps.store.getUser(userId);
  if (user && account) {
    // Addresses still reached through the report address or another mailbox stay the person's.
    const kept = new Set([user.email]);
    for (const other of await deps.store.listAccounts(userId)) for (const a of [other.address, ...other.aliases]) kept.add(a);
    const leaving = new Set([account.address, ...account.aliases].filter((a) => !kept.has(a)));
    const me = user.me.filter((a) => !leaving.has(a));
    if (me.length !== user.me.length) await deps.store.updateUser(userId, { set: { me } });
  }
  return {
    changed: removed || deletedItems > 0,
    ...(mailbox ? { mailbox } : {}),
    ...(user ? { reportAddress: user.email } : {}),
    deletedItems,
  };
}
