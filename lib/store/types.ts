import type { Item } from '#lib/items/types.ts';
import type { Feedback } from '#lib/items/feedback.ts';
import type { ItemLedger } from './item-ledger.ts';

/**
 * The one store interface (DESIGN section 2). Every key starts with the owning user; no
 * call crosses users. Idempotency rests on deterministic keys and conditional writes:
 * the local DynamoDB has no transactions.
 */

export type Provider = 'google' | 'microsoft' | 'files';
export type AccountStatus = 'active' | 'needs-reconnect' | 'syncing';

export interface User {
  userId: string;
  /** The address reports go to: the first mailbox connected. */
  email: string;
  /** IANA time zone, e.g. `Europe/Paris`. */
  timeZone: string;
  /** The user's own addresses configured by hand (`--me`), normalized. */
  me: string[];
  /** Organization domains configured by hand. */
  internalDomains: string[];
  reportsPaused: boolean;
  /**
   * Why reports stopped, when Sinew stopped them itself: the address bounced for good or
   * its owner marked a report as spam (SES events). Absent when the user paused.
   */
  reportsPausedReason?: 'bounce' | 'complaint';
  /** When the person unsubscribed by a signed link (ISO); resume clears it. */
  unsubscribedAt?: string;
  /**
   * The person turned the meeting brief off by its signed link (DESIGN section 9); absent or
   * false: briefs on. Pause and unsubscribe stop briefs too, whatever this says.
   */
  briefsOff?: boolean;
  /**
   * The team view (DESIGN section 10), where the deployment turns it on: `stopped` when
   * the person stopped sharing by the signed link; absent or `sharing` means they share
   * (each is told so in their next email, lib/team/sharing.ts).
   */
  teamSharing?: 'sharing' | 'stopped';
  /** When `teamSharing` last changed (ISO). */
  teamSharingAt?: string;
  /** When the person was first told what the team view shares (ISO); absent until then. */
  teamToldAt?: string;
  createdAt: string;
}

/**
 * A change to some settings of an existing user, written as one conditional UpdateItem of
 * just these attributes: two changes made at once from the same old profile (an
 * unsubscribe and a time zone) both survive, and a deleted user is never recreated.
 */
export interface UserChange {
  set?: Partial<Pick<User, 'email' | 'timeZone' | 'me' | 'internalDomains' | 'reportsPaused' | 'reportsPausedReason' | 'unsubscribedAt' | 'briefsOff' | 'teamSharing' | 'teamSharingAt' | 'teamToldAt'>>;
  remove?: Array<'reportsPausedReason' | 'unsubscribedAt'>;
}

export interface Account {
  userId: string;
  accountId: string;
  provider: Provider;
  /** The connected (or imported) address, normalized. */
  address: string;
  /** Aliases learned from the provider (Graph proxyAddresses, Gmail SENT From). */
  aliases: string[];
  status: AccountStatus;
  errorCount: number;
  /** Scopes the user granted (a user may untick the calendar on the consent screen). */
  grantedScopes?: string[];
  /** Envelope-encrypted refresh token (base64 JSON); never logged. */
  encryptedToken?: string;
  /** One cursor per resource: Gmail historyId, Calendar syncToken, Graph deltaLink per folder. */
  cursors: Record<string, string>;
  /** When the last sync run ended without error (ISO). */
  lastSyncAt?: string;
  /**
   * When a sync run last showed life on this account (ISO): it began (the worker marked
   * the account `syncing`), or it checkpointed a page, or it ended without error. The
   * dispatcher reclaims a `syncing` account only when this is older than a lease: a long
   * backfill that keeps checkpointing is left to its own continuations.
   */
  progressAt?: string;
  /**
   * When the current run of failed syncs began (ISO): set by the first failure after a
   * success, cleared by the next success. A revoked grant is `needs-reconnect`, not this.
   */
  failingSince?: string;
  /**
   * Items of this account that could not be stored even after bounding (over DynamoDB's
   * item limit, or without a valid time): counted once each however often they are met
   * again, kept up to date by `putItems`; absent when none. The report can show it.
   */
  skippedItems?: number;
}

/**
 * A change to an existing account (a sync's checkpoint, a status, a rotated token),
 * written as one conditional UpdateItem: it never recreates an account that was deleted
 * (disconnect), and never touches the attributes it does not name.
 */
export interface AccountChange {
  set?: Partial<Pick<Account, 'status' | 'errorCount' | 'cursors' | 'aliases' | 'lastSyncAt' | 'progressAt' | 'failingSince' | 'encryptedToken'>>;
  remove?: Array<'failingSince'>;
  /**
   * Apply only if the stored cursors are still exactly these (the writer's last
   * checkpoint). A disconnect followed by a fresh connect starts over from no cursor: an
   * old sync still running must not hand the new account the cursors of pages whose
   * items the disconnect deleted.
   */
  expectCursors?: Record<string, string>;
}

/** `gone`: no such account (deleted); `superseded`: its cursors are not the ones expected. */
export type AccountChangeResult = 'updated' | 'gone' | 'superseded';

/** Result of writing a batch of items. */
export interface PutItemsResult {
  /** Items that were new or changed (a message moved to Trash, a meeting cancelled). */
  written: number;
  /** Items already stored under the same key (a retry or duplicate delivery). */
  unchanged: number;
  /**
   * Items that could not be stored even after bounding (DESIGN: never stop on one
   * message): skipped, counted, and reported to the caller, who tells the person.
   */
  skipped?: Array<{ providerId: string; reason: string }>;
}

/** Options of {@link Store.putItems}. */
export interface PutItemsOptions {
  /**
   * The run's record of what it wrote to its one account: when the account held no item
   * as the run began, items the run has not written yet are written without reading
   * first (see ItemLedger). The counts are the same either way.
   */
  ledger?: ItemLedger;
}

/**
 * What a claim on a one-time email found: `claimed` (the caller holds the lease and must
 * send, then `markSent` or `releaseSend`), `sent` (already delivered: do nothing), `busy`
 * (another worker holds a live lease: try again after it runs out).
 */
export type SendClaim = 'claimed' | 'sent' | 'busy';

/**
 * A personal note as the store holds it (DESIGN section 9): its text sealed by lib/notes
 * before it gets here, so the store only ever sees ciphertext. The contact stays plain:
 * it is the key the brief and the weekly email look notes up by (the sealed text binds it
 * too, so a note moved to another contact does not open).
 */
export interface StoredNote {
  /** Random (lib/notes), never derived from the text. */
  noteId: string;
  /** The normalized address the note is about. */
  contact: string;
  /** The last edit (ISO). */
  at: string;
  /** The sealed text (a TokenVault envelope). */
  sealed: string;
}

/** A person's notes, in their own partition (`NOTE#<noteId>`); disconnect deletes them with the rest. */
export interface NoteStore {
  /** Stores a new note; false when one with its id exists already (nothing written). */
  create(userId: string, note: StoredNote): Promise<boolean>;
  /** Replaces an existing note of the same contact; false when it is gone or about another contact (nothing written). */
  replace(userId: string, note: StoredNote): Promise<boolean>;
  get(userId: string, noteId: string): Promise<StoredNote | undefined>;
  /** Every note of the person, or of one contact (normalized address); in no particular order. */
  list(userId: string, contact?: string): Promise<StoredNote[]>;
  /** Deletes a note (only if it is about `contact`, when given); true when it existed and was deleted. */
  delete(userId: string, noteId: string, contact?: string): Promise<boolean>;
}

/** A colleague's tie to one external contact, from their health for it (DESIGN section 10). */
export type TeamTier = 'strong' | 'ok' | 'weak';

/**
 * One entry of the team index (DESIGN section 10): what one sharer publishes about one
 * external contact, exactly the fields the design lists and nothing else (no counts, no
 * times of day, no flags, no notes). `sharer` is the key's user id; `colleague` and
 * `colleagueName` say who that is to the colleagues reading it.
 */
export interface TeamEntry {
  /** The sharer's user id. */
  sharer: string;
  /** The sharer's report address, and display name when known. */
  colleague: string;
  colleagueName: string | null;
  /** The contact's normalized address and display name. */
  contact: string;
  name: string | null;
  /** The organization domain; for a public webmail address, the address itself. */
  domain: string;
  tier: TeamTier;
  /** UTC days (`YYYY-MM-DD`). */
  lastInteraction: string;
  lastMeeting: string | null;
  /** At least one sent and one received message, or a meeting, in the window. */
  active: boolean;
}

/**
 * One sharer's standing at one account, as coverage needs it (DESIGN section 10): their
 * strongest tier, number of active contacts there and last interaction with any of them.
 * Kept by the index beside the entries it sums up.
 */
export interface TeamSummary {
  sharer: string;
  colleague: string;
  colleagueName: string | null;
  domain: string;
  tier: TeamTier;
  activeContacts: number;
  lastInteraction: string;
}

/** What replacing one sharer's entries did. */
export interface TeamIndexWrite {
  /** Entries new or changed (written). */
  written: number;
  /** Entries already in the index as they are (not written again). */
  unchanged: number;
  /** The sharer's entries no longer present (deleted). */
  removed: number;
}

/**
 * The team index (DESIGN section 10): apart from every personal partition, holding only
 * what sharers publish. Written only for the sharer named in the call.
 */
export interface TeamIndexStore {
  /**
   * Makes `entries` the whole of `userId`'s published entries: writes the new and changed
   * ones, deletes the sharer's others. Idempotent (deterministic keys), safe beside other
   * sharers' writes (no key is shared), and it reads only the sharer's own list of what
   * they wrote, never anyone's partition.
   */
  replace(userId: string, entries: readonly TeamEntry[]): Promise<TeamIndexWrite>;
  /**
   * Deletes every entry `userId` published, or only those about `contacts` (a contact
   * kept private); resolves how many.
   */
  remove(userId: string, contacts?: readonly string[]): Promise<number>;
  /**
   * Every sharer's active entries (active relationships: all that coverage, warm paths and
   * who-knows count) about contacts of these accounts (organization domains, or webmail
   * addresses): one Query of the index per account, several at once.
   */
  list(domains: readonly string[]): Promise<TeamEntry[]>;
  /**
   * Every sharer's summary at these accounts (only sharers active there have one): one
   * BatchGetItem per 100 accounts, what a report's coverage reads.
   */
  summaries(domains: readonly string[]): Promise<TeamSummary[]>;
}

export interface Store {
  putUser(user: User): Promise<void>;
  getUser(userId: string): Promise<User | undefined>;
  /**
   * Changes some settings of an existing user; never creates one.
   * @returns the profile after the change, or undefined when the user does not exist.
   */
  updateUser(userId: string, change: UserChange): Promise<User | undefined>;
  /**
   * Creates or replaces an account, token and cursors included: for the connect and
   * import paths only. Everything else changes an account with {@link Store.updateAccount}.
   */
  putAccount(account: Account): Promise<void>;
  /** Changes an existing account; never creates one. */
  updateAccount(userId: string, accountId: string, change: AccountChange): Promise<AccountChangeResult>;
  getAccount(userId: string, accountId: string): Promise<Account | undefined>;
  listAccounts(userId: string): Promise<Account[]>;
  /**
   * Idempotent: storing the same item twice changes nothing. Items are bounded before
   * they are stored (see lib/store/dynamodb/item-bounds.ts); one that still cannot be
   * stored is skipped and listed in `skipped`, never failing the others.
   */
  putItems(userId: string, items: Item[], options?: PutItemsOptions): Promise<PutItemsResult>;
  /**
   * Deletes the named items of one account (and their skip records): what a sync that
   * lost its account to a disconnect wrote in the race.
   */
  deleteItems(userId: string, accountId: string, providerIds: string[]): Promise<void>;
  /** Deletes every item (and skip record) of one account, returning how many; the account record stays as it is. */
  deleteAccountItems(userId: string, accountId: string): Promise<number>;
  /**
   * Deletes one account record, its sealed token with it (a mailbox detached from a
   * person); its items are {@link Store.deleteAccountItems}'s. Resolves true when it existed.
   */
  deleteAccount(userId: string, accountId: string): Promise<boolean>;
  /** One stored item by its deterministic key, or undefined. */
  getItem(userId: string, accountId: string, providerId: string): Promise<Item | undefined>;
  /**
   * The stored items among these provider ids of one account (BatchGetItem, 100 keys a
   * call, no write): what a resync asks before fetching, so it fetches only what it lacks.
   * Ids not held are left out; the order is not the ids'.
   */
  getItems(userId: string, accountId: string, providerIds: string[]): Promise<Item[]>;
  /** Every item of one user: one paginated Query of the user's partition, never a Scan. */
  queryItems(userId: string): AsyncIterable<Item>;
  putFeedback(userId: string, feedback: Feedback): Promise<void>;
  listFeedback(userId: string): Promise<Feedback[]>;
  /** Stored weekly reports (JSON text), keyed by ISO week `YYYY-Www`. */
  putReport(userId: string, week: string, json: string): Promise<void>;
  getReport(userId: string, week: string): Promise<string | undefined>;
  /**
   * Claims the one-time email `key` of a user (e.g. `report#2026-W48`,
   * `reconnect#<accountId>#<episode>`) for `owner` until `now + leaseMs`, with one
   * conditional write: of concurrent callers exactly one gets `claimed`. An expired lease
   * (its holder crashed) can be claimed again.
   */
  claimSend(userId: string, key: string, owner: string, now: Date, leaseMs: number): Promise<SendClaim>;
  /** Records that the email `key` went out: every later claim answers `sent`. */
  markSent(userId: string, key: string, messageId: string, now: Date): Promise<void>;
  /** Gives back `owner`'s unexpired claim after a failed send, so a retry need not wait out the lease. */
  releaseSend(userId: string, key: string, owner: string): Promise<void>;
  /** Delete every item of the user (disconnect). */
  deleteUser(userId: string): Promise<number>;
  /** Personal notes (DESIGN section 9), sealed by lib/notes. */
  readonly notes: NoteStore;
  /** The opt-in team index (DESIGN section 10). */
  readonly teamIndex: TeamIndexStore;
}
