import { isSharingAnswer, type Feedback } from '#lib/items/feedback.ts';
import { InputError } from '#lib/errors.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';
import type { Store } from '#lib/store/types.ts';
import { keepPrivate, shareAgain, stopSharing, undoKeepPrivate } from '#lib/team/sharing.ts';
import type { LinkClaims } from './token.ts';

/**
 * What the team view's signed links do (DESIGN section 10), once their owner confirms on
 * the page: stop sharing (the person's every index entry removed in the same request),
 * share again (from the next weekly report), keep one contact private (its entry removed
 * at once) and the undo of that. Each is idempotent: the same link applied again finds
 * its state in place and changes nothing.
 */

export type TeamLinkOutcome =
  | { action: 'stop-sharing'; changed: boolean; removed: number }
  | { action: 'share-again'; changed: boolean }
  | { action: 'private'; changed: boolean; contact: string; removed: number }
  | { action: 'undo'; scope: 'sharing'; changed: boolean; contact: string };

/** The team actions a confirmed link applies. */
export type TeamLinkAction = 'stop-sharing' | 'share-again' | 'private';

interface TeamLinkDeps {
  store: Store;
  now: () => Date;
}

/**
 * Applies a verified team link for a person known to exist (the caller checks).
 *
 * @throws InputError for a `private` link without a contact.
 */
export async function applyTeamLink(action: TeamLinkAction, claims: LinkClaims, deps: TeamLinkDeps): Promise<TeamLinkOutcome> {
  const now = deps.now();
  if (action === 'stop-sharing') {
    const { changed, removed } = await stopSharing(deps.store, claims.userId, now);
    return { action, changed: changed || removed > 0, removed };
  }
  if (action === 'share-again') return { action, ...(await shareAgain(deps.store, claims.userId, now)) };
  const contact = contactOf(claims);
  const current = latestSharingAnswer(await deps.store.listFeedback(claims.userId), contact);
  if (current?.action === 'private') {
    // Already private: nothing to record; an entry a racing report job wrote is still removed.
    const removed = await deps.store.teamIndex.remove(claims.userId, [contact]);
    return { action, changed: removed > 0, contact, removed };
  }
  const { removed } = await keepPrivate(deps.store, claims.userId, contact, now);
  return { action, changed: true, contact, removed };
}

/** The undo of "keep private": shared again from the next weekly report; nothing to undo is a no-op. */
export async function undoTeamPrivate(claims: LinkClaims, deps: TeamLinkDeps): Promise<TeamLinkOutcome> {
  const contact = contactOf(claims);
  const current = latestSharingAnswer(await deps.store.listFeedback(claims.userId), contact);
  if (current?.action !== 'private') return { action: 'undo', scope: 'sharing', changed: false, contact };
  await undoKeepPrivate(deps.store, claims.userId, contact, deps.now());
  return { action: 'undo', scope: 'sharing', changed: true, contact };
}

function contactOf(claims: LinkClaims): string {
  const contact = claims.contact === undefined ? undefined : normalizeAddress(claims.contact);
  if (!contact) throw new InputError(`a ${claims.action} link must name a contact address (got ${JSON.stringify(claims.contact ?? null)})`);
  return contact;
}

/** The latest sharing answer (private, or its undo) about `contact`. */
function latestSharingAnswer(all: readonly Feedback[], contact: string): Feedback | undefined {
  let latest: Feedback | undefined;
  for (const f of all) {
    if (!isSharingAnswer(f) || (normalizeAddress(f.contact) ?? f.contact) !== contact) continue;
    if (latest === undefined || Date.parse(f.at) >= Date.parse(latest.at)) latest = f;
  }
  return latest;
}
