import { InputError } from '#lib/errors.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';
import type { Store, User } from '#lib/store/types.ts';

/**
 * What each person controls of the team view (DESIGN section 10): whether they share at
 * all, and which contacts they keep private. Each call is idempotent and removes at once
 * what it takes back: nothing waits for the next weekly report.
 */

/** Whether a person shares: everyone does until they stop (they are told so in their next email). */
export function isSharing(user: Pick<User, 'teamSharing'>): boolean {
  return user.teamSharing !== 'stopped';
}

interface SharingChange {
  changed: boolean;
  /** Index entries removed by this call. */
  removed: number;
}

/**
 * What the team view shares, in one sentence for the email that tells each person (and
 * for the page behind the stop-sharing link).
 */
export const WHAT_IS_SHARED =
  'For each external contact you are in touch with, colleagues who also share see the contact\'s address, name and ' +
  'organization, how strong your tie is (strong, ok or weak), the day you were last in touch and last met, and whether ' +
  'the relationship is active. Never message counts, times of day, subjects, flags or notes; never muted, private or internal contacts.';

/** Whether the person's next email must tell them what the team view shares (once, until told). */
export function teamNoticeDue(user: Pick<User, 'teamToldAt'>): boolean {
  return user.teamToldAt === undefined;
}

/** Records that the person was told (after the email that told them went out). */
export async function markTeamTold(store: Store, userId: string, now: Date): Promise<void> {
  await store.updateUser(userId, { set: { teamToldAt: now.toISOString() } });
}

/**
 * Stops sharing (the signed "stop sharing" link): marks the profile, then removes every
 * entry the person published, in the same request. A report job of theirs running at the
 * same time checks the mark after writing and removes its entries again
 * (lib/team/publish.ts), so none survives. Also removes leftovers for a person already
 * stopped or gone.
 */
export async function stopSharing(store: Store, userId: string, now: Date): Promise<SharingChange> {
  const user = await store.getUser(userId);
  const changed = user !== undefined && user.teamSharing !== 'stopped';
  if (changed) await store.updateUser(userId, { set: { teamSharing: 'stopped', teamSharingAt: now.toISOString() } });
  return { changed, removed: await removeFromTeam(store, userId) };
}

/**
 * Shares again (the "share again" link): the next weekly report publishes the person's
 * entries. Resolves whether anything changed; a person no longer known changes nothing.
 */
export async function shareAgain(store: Store, userId: string, now: Date): Promise<{ changed: boolean }> {
  const user = await store.getUser(userId);
  if (user === undefined || isSharing(user)) return { changed: false };
  await store.updateUser(userId, { set: { teamSharing: 'sharing', teamSharingAt: now.toISOString() } });
  return { changed: true };
}

/**
 * Removes every index entry the person published: stop sharing, and disconnect (after the
 * partition is deleted, so a racing report job finds no profile and cleans up after itself).
 */
export async function removeFromTeam(store: Store, userId: string): Promise<number> {
  return store.teamIndex.remove(userId);
}

/**
 * "Keep private" for one contact: a sharing answer (never a flag change) recorded in the
 * person's feedback, and the contact's entry removed from the index at once.
 */
export async function keepPrivate(store: Store, userId: string, contact: string, now: Date): Promise<{ contact: string; removed: number }> {
  const address = contactAddress(contact);
  await store.putFeedback(userId, { contact: address, action: 'private', at: now.toISOString() });
  return { contact: address, removed: await store.teamIndex.remove(userId, [address]) };
}

/** Undoes "keep private": the contact is shared again from the next weekly report. */
export async function undoKeepPrivate(store: Store, userId: string, contact: string, now: Date): Promise<{ contact: string }> {
  const address = contactAddress(contact);
  await store.putFeedback(userId, { contact: address, action: 'undo', scope: 'sharing', at: now.toISOString() });
  return { contact: address };
}

function contactAddress(raw: string): string {
  const address = normalizeAddress(raw);
  if (!address) throw new InputError(`keep private needs a contact address (got ${JSON.stringify(raw)})`);
  return address;
}
