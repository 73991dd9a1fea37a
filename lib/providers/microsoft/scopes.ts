/**
 * What a Microsoft grant covers, in Graph permissions: what Sinew asks for and how a
 * granted list is read. No MSAL here, so the provider registry (and the report worker
 * through it) can ask without loading it.
 */

/** The delegated Graph permissions Sinew asks for (DESIGN section 1): metadata only. */
export const MS_GRAPH_SCOPES: readonly string[] = ['Mail.ReadBasic', 'Calendars.ReadBasic', 'User.Read'];
/** What the consent asks: the Graph scopes and `offline_access` for a refresh token (MSAL adds openid, profile). */
export const MS_CONNECT_SCOPES: readonly string[] = [...MS_GRAPH_SCOPES, 'offline_access'];

/** Graph permissions that read calendars (Sinew asks for `Calendars.ReadBasic`), short or as a URL. */
const CALENDAR_READ_SCOPE = /(^|\/)calendars\.read(basic)?$/i;

/**
 * Why a set of granted scopes is not one Sinew may keep, or undefined when it is. Microsoft
 * folds every scope the app was ever consented into each token, so a grant can come back
 * broader than asked. Calendar may be missing: the caller then skips calendar sync.
 */
export function scopeProblem(granted: readonly string[]): string | undefined {
  const lower = granted.map((s) => shortScope(s).toLowerCase());
  const broader = granted.filter((_, i) => /^mail\./.test(lower[i]!) && !/^mail\.readbasic(\.shared)?$/.test(lower[i]!));
  if (broader.length > 0) {
    return (
      `Microsoft granted mail access beyond metadata (${broader.join(', ')}); Sinew keeps metadata-only grants and dropped this one. ` +
      'Remove the app\'s permissions (https://myapps.microsoft.com or https://account.live.com/consent/Manage), ' +
      'or ask your administrator to grant only Mail.ReadBasic, then connect again.'
    );
  }
  if (!lower.includes('mail.readbasic')) {
    return 'Mail.ReadBasic ("Read user basic mail") was not granted; connect again and accept it.';
  }
  return undefined;
}

/** True when the grant covers the calendar source Sinew syncs. */
export function grantsCalendar(granted: readonly string[]): boolean {
  return granted.some((s) => /^calendars\.read(basic)?$/i.test(shortScope(s)));
}

/**
 * True when any granted permission reads calendars: the report's question (does this
 * person have a calendar at all), as the stored grant spells it.
 */
export function readsCalendar(granted: readonly string[]): boolean {
  return granted.some((s) => CALENDAR_READ_SCOPE.test(s));
}

/** A scope without its resource prefix (`https://graph.microsoft.com/Mail.ReadBasic` → `Mail.ReadBasic`). */
export function shortScope(scope: string): string {
  const slash = scope.lastIndexOf('/');
  return (slash >= 0 && /^https?:/.test(scope) ? scope.slice(slash + 1) : scope).trim();
}
