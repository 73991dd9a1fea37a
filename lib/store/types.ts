import type { Item } from '../providers/types.ts';
import type { Feedback } from '../health/types.ts';

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
  createdAt: string;
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
   * When the current run of failed syncs began (ISO): set by the first failure after a
   * success, cleared by the next success. A revoked grant is `needs-reconnect`, not this.
   */
  failingSince?: string;
}

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

/**
 * What a claim on a one-time email found: `claimed` (the caller holds the lease and must
 * send, then `markSent` or `releaseSend`), `sent` (already delivered: do nothing), `busy`
 * (another worker holds a live lease: try again after it runs out).
 */
export type SendClaim = 'claimed' | 'sent' | 'busy';

export interface Store {
  putUser(user: User): Promise<void>;
  getUser(userId: string): Promise<User | undefined>;
  putAccount(account: Account): Promise<void>;
  getAccount(userId: string, accountId: string): Promise<Account | undefined>;
  listAccounts(userId: string): Promise<Account[]>;
  /** Idempotent: storing the same item twice changes nothing. */
  putItems(userId: string, items: Item[]): Promise<PutItemsResult>;
  /** One stored item by its deterministic key, or undefined. */
  getItem(userId: string, accountId: string, providerId: string): Promise<Item | undefined>;
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
}
