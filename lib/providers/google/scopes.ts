/**
 * What a Google grant covers, in scopes: what Sinew asks for and how a granted list is
 * read. No OAuth library here, so the provider registry (and the report worker through
 * it) can ask without loading one.
 */

export const GMAIL_METADATA_SCOPE = 'https://www.googleapis.com/auth/gmail.metadata';
export const CALENDAR_EVENTS_READONLY_SCOPE = 'https://www.googleapis.com/auth/calendar.events.readonly';

/**
 * Exactly what Sinew asks for (DESIGN section 1): Gmail metadata alone among Gmail scopes,
 * read-only calendar events, and `openid email` to learn which mailbox was connected.
 */
export const GOOGLE_CONNECT_SCOPES: readonly string[] = [GMAIL_METADATA_SCOPE, CALENDAR_EVENTS_READONLY_SCOPE, 'openid', 'email'];

// Any Gmail scope but metadata reaches bodies or changes the mailbox; with one present, the
// grant would no longer be metadata-only, whatever Sinew's code does with it.
const FULL_MAIL_SCOPE = 'https://mail.google.com/';
const GMAIL_SCOPE_PREFIX = 'https://www.googleapis.com/auth/gmail.';

/** Any Google scope that reads calendar events (Sinew asks for `calendar.events.readonly`). */
const CALENDAR_READ_SCOPE = /\/auth\/calendar(\.events)?(\.readonly)?$/;

/**
 * Why a set of granted scopes is not one Sinew may keep, or undefined when it is.
 * Calendar may be missing (users can untick it): the caller then skips calendar sync.
 */
export function scopeProblem(granted: readonly string[]): string | undefined {
  const broader = granted.filter((s) => s === FULL_MAIL_SCOPE || (s.startsWith(GMAIL_SCOPE_PREFIX) && s !== GMAIL_METADATA_SCOPE));
  if (broader.length > 0) {
    return (
      `Google granted Gmail access beyond metadata (${broader.join(', ')}); Sinew keeps metadata-only grants, ` +
      'so it revoked this one. Connect again and grant only "View your email message metadata".'
    );
  }
  if (!granted.includes(GMAIL_METADATA_SCOPE)) {
    return 'Gmail metadata access was not granted; connect again and leave "View your email message metadata" ticked.';
  }
  return undefined;
}

/** True when the grant covers the calendar source Sinew syncs (the scope it asks for). */
export function grantsCalendar(granted: readonly string[]): boolean {
  return granted.includes(CALENDAR_EVENTS_READONLY_SCOPE);
}

/**
 * True when any granted scope reads calendar events: the report's question (does this
 * person have a calendar at all), which accepts broader calendar scopes too.
 */
export function readsCalendar(granted: readonly string[]): boolean {
  return granted.some((s) => CALENDAR_READ_SCOPE.test(s));
}
