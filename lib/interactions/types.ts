/**
 * Interactions are derived from stored items when a report is made (DESIGN section 3).
 * One interaction is one exchange between Me and one contact.
 */

export type InteractionKind = 'sent' | 'received' | 'meeting';

export interface Interaction {
  /** Normalized contact address. */
  contact: string;
  kind: InteractionKind;
  /** Epoch milliseconds (UTC): send time, or meeting start. */
  at: number;
  /** Stable key of the item this came from (account + provider id). */
  itemKey: string;
  /** Thread id for mail (provider thread or subject hash); null for meetings. */
  threadId: string | null;
  /** RFC 822 Message-ID for mail; null otherwise. */
  messageId: string | null;
  /** Message-IDs this message names in In-Reply-To / References. */
  replyTo: string[];
  /** Received mail only: Me was in To (not only Cc or Bcc). Owed replies need it. */
  toMe: boolean;
  /** Received mail only: the message sits in Trash / Deleted Items (never an owed reply). */
  trashed: boolean;
  /** Meetings only: duration in minutes. */
  minutes: number;
}

/** A meeting with a contact that starts after `asOf`: it suppresses "fading". */
export interface UpcomingMeeting {
  contact: string;
  at: number;
}

/** Messages (and meeting occurrences) left out, over the held history. */
export interface Excluded {
  automated: number;
  broadcast: number;
  internal: number;
  duplicates: number;
}

/** Everything the health stage needs, derived from one user's items. */
export interface Extraction {
  /** Sorted by `at`, then contact, then kind, then itemKey (deterministic). */
  interactions: Interaction[];
  upcoming: UpcomingMeeting[];
  /** Most recent non-empty display name per contact. */
  names: Map<string, string>;
  /** The user's own addresses, normalized (connected, aliases, SENT From, --me). */
  me: Set<string>;
  /** Organization domains in force (derived + configured), sorted. */
  internalDomains: string[];
  excluded: Excluded;
}
