import { isSharingAnswer, type Feedback } from '#lib/items/feedback.ts';
import { DEFAULT_SNOOZE_DAYS } from '#lib/health/feedback.ts';
import { InputError } from '#lib/errors.ts';
import { normalizeAddress } from '#lib/items/normalize.ts';
import type { Store, User, UserChange } from '#lib/store/types.ts';
import type { TokenVault } from '#lib/connect/token-vault.ts';
import { checkTimeZone } from '#lib/time/zones.ts';
import { detachAccount, type DetachOutcome } from './detach.ts';
import { disconnectUser, type DisconnectDeps, type DisconnectOutcome } from './disconnect.ts';
import type { LinkAction, LinkClaims } from './token.ts';
import { applyTeamLink, undoTeamPrivate, type TeamLinkOutcome } from './team-actions.ts';

/**
 * What each signed link does once its owner confirms it (DESIGN section 4, the answers to
 * flags; section 1, "Who is who"). Every action is idempotent: applying the same link
 * again finds the state it asks for already in place and changes nothing.
 */

const DAY_MS = 86_400_000;

/** The profile as the links read it (`User.unsubscribedAt` is the unsubscribe mark; resume clears it). */
export type LinkedUser = User;

export interface LinkActionDeps {
  store: Store;
  /** The clock: answers are stamped with it and snoozes end relative to it. */
  now: () => Date;
  /** Opens sealed refresh tokens (disconnect and detach only). */
  vault?: TokenVault;
  /** Revocation at providers whose grants Sinew revokes (disconnect and detach only), built on demand. */
  revoker?: DisconnectDeps['revoker'];
}

/** What the form of the confirmation page adds to the signed claims. */
export interface LinkActionInput {
  /** The `timezone` action's answer: an IANA zone name. */
  timeZone?: string;
}

/** What an applied link did, for the result page. */
export type LinkOutcome =
  | { action: 'fine' | 'mute' | 'undo'; changed: boolean; contact: string }
  | { action: 'snooze'; changed: boolean; contact: string; until: string }
  | { action: 'pause' | 'resume' | 'unsubscribe'; changed: boolean }
  | { action: 'briefs-off' | 'briefs-on'; changed: boolean }
  | { action: 'timezone'; changed: boolean; timeZone: string }
  | ({ action: 'disconnect'; changed: boolean } & DisconnectOutcome)
  | ({ action: 'detach' } & DetachOutcome)
  | TeamLinkOutcome;

/** The actions the links app applies itself (join and reconnect belong to the connect page). */
export type AppliedAction = Exclude<LinkAction, 'join' | 'reconnect' | 'notes' | 'who-knows'>;

/** The person a link names is no longer known: they disconnected, or never connected. */
export class UserGoneError extends InputError {
  override name = 'UserGoneError';
}

/**
 * Applies a verified link. `claims` must come from `verifyLink` (the signature and expiry
 * are the caller's check); `input` carries the confirmation form's fields.
 *
 * @throws UserGoneError when the user no longer exists (except for disconnect, which then
 *   reports nothing changed), InputError for a bad form value or a link the connect page
 *   handles, and whatever the store or the provider throws.
 */
export async function applyLinkAction(claims: LinkClaims, deps: LinkActionDeps, input: LinkActionInput = {}): Promise<LinkOutcome> {
  const action = claims.action;
  switch (action) {
    case 'undo':
      if (claims.scope === 'sharing') {
        await requireUser(deps.store, claims.userId);
        return undoTeamPrivate(claims, deps);
      }
      return answerFlag(action, claims, deps);
    case 'fine':
    case 'mute':
    case 'snooze':
      return answerFlag(action, claims, deps);
    case 'stop-sharing':
    case 'share-again':
    case 'private':
      await requireUser(deps.store, claims.userId);
      return applyTeamLink(action, claims, deps);
    case 'pause':
    case 'resume':
    case 'unsubscribe':
      return setReports(action, claims, deps);
    case 'briefs-off':
    case 'briefs-on':
      return setBriefs(action, claims, deps);
    case 'timezone':
      return setTimeZone(claims, deps, input.timeZone);
    case 'disconnect': {
      const outcome = await disconnectUser(claims.userId, deps);
      return { action, ...outcome };
    }
    case 'detach': {
      if (!claims.accountId) throw new InputError('a detach link must name the mailbox to detach');
      await requireUser(deps.store, claims.userId);
      return { action, ...(await detachAccount(claims.userId, claims.accountId, deps)) };
    }
    case 'join':
    case 'reconnect':
      throw new InputError(`a ${action} link is opened by the connect page, not applied here`);
    case 'notes':
      throw new InputError('a notes link opens the notes page (lib/web/notes-app.ts), not applied here');
    case 'who-knows':
      throw new InputError('a who-knows link opens the who-knows page (lib/web/who-knows-app.ts), not applied here');
  }
}

/**
 * Stores the user's answer about one contact. The store keeps one answer per contact (the
 * latest wins), so an undo is an explicit `undo` record that health reads as "no answer".
 */
async function answerFlag(
  action: 'fine' | 'mute' | 'snooze' | 'undo',
  claims: LinkClaims,
  deps: LinkActionDeps,
): Promise<LinkOutcome> {
  const contact = contactOf(claims);
  await requireUser(deps.store, claims.userId);
  const now = deps.now();
  const current = latestAnswer(await deps.store.listFeedback(claims.userId), contact);
  const inForce = current !== undefined && current.action !== 'undo' && !snoozeOver(current, now);
  if (action === 'undo') {
    // Nothing in force to cancel: a second undo (or an undo of an ended snooze) is a no-op.
    if (!inForce) return { action, changed: false, contact };
    await deps.store.putFeedback(claims.userId, { contact, action: 'undo', at: now.toISOString() });
    return { action, changed: true, contact };
  }
  if (action === 'snooze') {
    // A snooze in force is left alone: the same link applied again must not push it further.
    if (inForce && current.action === 'snooze') return { action, changed: false, contact, until: snoozeEnd(current) };
    const until = new Date(now.getTime() + (claims.days ?? DEFAULT_SNOOZE_DAYS) * DAY_MS).toISOString();
    await deps.store.putFeedback(claims.userId, { contact, action, at: now.toISOString(), until });
    return { action, changed: true, contact, until };
  }
  if (inForce && current.action === action) return { action, changed: false, contact };
  await deps.store.putFeedback(claims.userId, { contact, action, at: now.toISOString() });
  return { action, changed: true, contact };
}

/**
 * Pause, resume, unsubscribe: the profile's `reportsPaused` (and the unsubscribe mark).
 * Each writes only the attributes it changes, conditioned on the person still existing
 * (`Store.updateUser`): a time-zone change or an SES pause made at the same moment from
 * the same old profile survives, and a disconnect made meanwhile stays a disconnect.
 */
async function setReports(action: 'pause' | 'resume' | 'unsubscribe', claims: LinkClaims, deps: LinkActionDeps): Promise<LinkOutcome> {
  const user: LinkedUser = await requireUser(deps.store, claims.userId);
  let change: UserChange;
  let changed: boolean;
  if (action === 'resume') {
    // The owner asking for reports again overrides why they stopped (their unsubscribe, or
    // a complaint SES reported); a new bounce or complaint pauses them again.
    change = { set: { reportsPaused: false }, remove: ['unsubscribedAt', 'reportsPausedReason'] };
    changed = user.reportsPaused || user.unsubscribedAt !== undefined || user.reportsPausedReason !== undefined;
  } else if (action === 'pause') {
    change = { set: { reportsPaused: true } };
    changed = !user.reportsPaused;
  } else {
    change = { set: { reportsPaused: true, ...(user.unsubscribedAt === undefined ? { unsubscribedAt: deps.now().toISOString() } : {}) } };
    changed = !user.reportsPaused || user.unsubscribedAt === undefined;
  }
  if (changed) await updateExisting(deps.store, claims.userId, change);
  return { action, changed };
}

/**
 * The meeting brief's own switch (DESIGN section 9): `briefsOff` on the profile, written
 * alone and conditioned on the person still existing. The weekly report is untouched;
 * pause and unsubscribe stop briefs by themselves, so turning briefs on does not resume a
 * paused person.
 */
async function setBriefs(action: 'briefs-off' | 'briefs-on', claims: LinkClaims, deps: LinkActionDeps): Promise<LinkOutcome> {
  const user = await requireUser(deps.store, claims.userId);
  const off = action === 'briefs-off';
  const changed = (user.briefsOff === true) !== off;
  if (changed) await updateExisting(deps.store, claims.userId, { set: { briefsOff: off } });
  return { action, changed };
}

async function setTimeZone(claims: LinkClaims, deps: LinkActionDeps, given: string | undefined): Promise<LinkOutcome> {
  const timeZone = checkTimeZone(given);
  const user = await requireUser(deps.store, claims.userId);
  if (user.timeZone === timeZone) return { action: 'timezone', changed: false, timeZone };
  await updateExisting(deps.store, claims.userId, { set: { timeZone } });
  return { action: 'timezone', changed: true, timeZone };
}

/** Applies a change to a person who must still exist, or {@link UserGoneError}. */
async function updateExisting(store: Store, userId: string, change: UserChange): Promise<void> {
  if (!(await store.updateUser(userId, change))) throw goneError();
}

/** The profile, or {@link UserGoneError}: a link must never recreate a deleted person's items. */
export async function requireUser(store: Store, userId: string): Promise<LinkedUser> {
  const user = await store.getUser(userId);
  if (!user) throw goneError();
  return user;
}

function goneError(): UserGoneError {
  return new UserGoneError('this Sinew account no longer exists: it was disconnected, and its data deleted');
}

function contactOf(claims: LinkClaims): string {
  const raw = claims.contact;
  const contact = raw === undefined ? undefined : normalizeAddress(raw);
  if (!contact) throw new InputError(`a ${claims.action} link must name a contact address (got ${JSON.stringify(raw ?? null)})`);
  return contact;
}

/** The latest stored flag answer about `contact` (the store keeps one per contact and kind; be safe with more). */
function latestAnswer(all: readonly Feedback[], contact: string): Feedback | undefined {
  let latest: Feedback | undefined;
  for (const f of all) {
    if (isSharingAnswer(f) || (normalizeAddress(f.contact) ?? f.contact) !== contact) continue;
    if (latest === undefined || Date.parse(f.at) >= Date.parse(latest.at)) latest = f;
  }
  return latest;
}

function snoozeEnd(f: Feedback): string {
  return f.until ?? new Date(Date.parse(f.at) + DEFAULT_SNOOZE_DAYS * DAY_MS).toISOString();
}

function snoozeOver(f: Feedback, now: Date): boolean {
  return f.action === 'snooze' && Date.parse(snoozeEnd(f)) <= now.getTime();
}
