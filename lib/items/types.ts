/**
 * What sync stores: one item per message or meeting occurrence, provider-neutral. The
 * model every stage shares (providers make items, the store keeps them, interactions read
 * them), so it imports nothing from any of them.
 * Interactions, exclusions and health are derived from these items when a report is
 * made (DESIGN section 1), so a changed setting applies to all history without a resync.
 * Subjects and bodies are never stored: only a hash of the normalized subject.
 */

/** Where an item came from. */
export type SourceKind = 'gmail' | 'gcal' | 'graph-mail' | 'graph-calendar' | 'mbox' | 'ics';

/** A mail message's metadata, normalized. */
export interface MailItem {
  kind: 'mail';
  /** Which connected account (or imported archive) the item belongs to. */
  accountId: string;
  source: SourceKind;
  /**
   * Provider id (Gmail message id, Graph id). For files: the Message-ID, or a hash of the
   * raw header block where there is none. Deterministic: importing twice gives the same id.
   */
  providerId: string;
  /** RFC 822 Message-ID, lower-cased, without angle brackets; null when absent. */
  messageId: string | null;
  /** Provider thread (Gmail threadId, Graph conversationId, X-GM-THRID); else the subject hash. */
  threadId: string | null;
  /** Send time, ISO 8601 UTC. */
  at: string;
  /** Normalized sender address (see interactions/normalize); null when unparseable. */
  from: string | null;
  to: string[];
  cc: string[];
  bcc: string[];
  /** Display names seen on this message, keyed by normalized address (non-empty only). */
  names: Record<string, string>;
  /** Message-IDs named by In-Reply-To and References, normalized like messageId. */
  replyTo: string[];
  /** Hash of the subject with Re:/Fwd: prefixes removed and whitespace folded; null if none. */
  subjectHash: string | null;
  /**
   * Archives only: the hash (as {@link subjectHash}) of the Subject header's first
   * physical line, present only when the header was folded onto more lines and that first
   * line hashes differently. One export of a mailbox may fold a notice into a Subject that
   * the other export of the same message lacks (Enron's Outlook copies add a privilege
   * notice on a second line); the archive duplicate rule compares this head.
   */
  subjectHeadHash?: string;
  /**
   * Gmail labels as the provider names them (`SENT`, `TRASH`, `CATEGORY_PROMOTIONS`, ...);
   * for Graph the well-known folder name (`sentitems`, `deleteditems`, `junkemail`,
   * `drafts`, `inbox`, `archive`) prefixed `folder:`; Focused Inbox `other` as
   * `inference:other`. Empty for files without labels.
   */
  labels: string[];
  /**
   * Header signals of automated or bulk mail, read at ingest because headers are not
   * stored: `list-id`, `list-unsubscribe`, `precedence:bulk|list|junk`,
   * `auto-submitted:<value>`. Empty when none.
   */
  bulkSignals: string[];
  /**
   * Present only when the store cut a recipient list to its first 1,000 distinct
   * addresses (lib/store/dynamodb/item-bounds.ts): the exact number of distinct To and Cc
   * addresses (`toCc`) and of To, Cc and Bcc (`all`), as the broadcast rule counts them.
   */
  recipientCounts?: { toCc: number; all: number };
}

/** Attendee response, provider-neutral. */
export type Response = 'accepted' | 'tentative' | 'declined' | 'needsAction' | 'none';

export interface Attendee {
  address: string;
  name?: string;
  response: Response;
}

/** One occurrence of a calendar event (recurring events are expanded per occurrence). */
export interface MeetingItem {
  kind: 'meeting';
  accountId: string;
  source: SourceKind;
  /** Provider id of this occurrence (event id plus occurrence start for expanded series). */
  providerId: string;
  /** iCalendar UID (shared across providers and copies) plus occurrence start; for dedupe. */
  occurrenceKey: string | null;
  /** Start and end, ISO 8601 UTC. All-day events start at 00:00 UTC of their date. */
  start: string;
  end: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  /** Normalized organizer address; null when unknown. */
  organizer: string | null;
  attendees: Attendee[];
  /**
   * Present only when the store cut the attendees to their first 1,000: the exact number
   * of distinct attendees and organizer, as the meeting size rule counts them.
   */
  attendeeCount?: number;
}

export type Item = MailItem | MeetingItem;
