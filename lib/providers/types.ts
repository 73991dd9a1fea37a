import type { Item } from '#lib/items/types.ts';

/**
 * The interface every provider implements (DESIGN section 1): a source yields pages of
 * provider-neutral items (lib/items/) with a cursor to resume from.
 */

/** A provider-neutral page of changes, as a source yields them. */
export interface ItemBatch {
  items: Item[];
  /** Provider ids removed since the last page (deleted mail keeps counting: informational). */
  removed?: string[];
}

/**
 * One page of changes from a provider resource (a mailbox, a calendar, a mail folder),
 * with the cursor to resume right after it. The sync engine stores the page's items
 * first and the cursor second, so a crash between the two replays the page (harmless:
 * items are keyed deterministically) and never skips one.
 */
export interface SourcePage {
  items: Item[];
  /** Provider ids removed since the last page (deleted mail keeps counting: informational). */
  removed: string[];
  /**
   * Opaque resume token (JSON is fine): where a full sync stands (page token, phase) or
   * the incremental cursor (Gmail historyId, Calendar syncToken, Graph deltaLink).
   */
  cursor: string;
  /** True on the last page of this pass: the cursor is now an incremental one. */
  done: boolean;
  /** Own addresses the provider revealed (Gmail SENT From, Graph proxyAddresses). */
  aliases?: string[];
}

/**
 * A provider resource that yields changes page by page: Gmail messages, Google Calendar
 * events, a Graph mail folder or calendar view. Providers live under lib/providers/<name>/
 * and the rest of the pipeline only sees this interface.
 */
export interface ChangeSource {
  /** Cursor key in the account record, e.g. `gmail`, `gcal:primary`, `graph:inbox`. */
  readonly resource: string;
  /**
   * Pages from `cursor` (undefined: a full sync from scratch). An expired incremental
   * cursor (Gmail 404, Calendar 410, Graph syncStateNotFound) restarts a full sync by
   * itself; deduplication makes that safe.
   */
  pages(cursor: string | undefined, signal?: AbortSignal): AsyncGenerator<SourcePage>;
}

/** Mail and calendar sources are both change sources; the names say which is which. */
export type MailSource = ChangeSource;
export type CalendarSource = ChangeSource;
