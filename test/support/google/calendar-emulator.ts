/**
 * A Google Calendar v3 emulator for `events.list`, speaking the wire format the real
 * `@googleapis/calendar` client reads: `singleEvents` expansion, paging with
 * `nextPageToken`, `nextSyncToken` on the last page only, incremental listings from a
 * `syncToken`, Google's 400 for parameters refused next to a sync token, 410
 * `fullSyncRequired` for an invalidated token, per-user quota (600 requests per minute)
 * answered with `rateLimitExceeded`, partial responses (`fields`) and queued faults.
 *
 * It is a handler for `startGoogleEmulator` (server.ts), which authenticates the bearer
 * token and logs requests; {@link startCalendarEmulator} wraps both for calendar tests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { calendar } from '@googleapis/calendar';
import type { calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { applyFields, parseFields } from './partial-response.ts';
import type { CalendarState, Row } from './calendar-state.ts';
import { QuotaLedger } from './quota.ts';
import { sendGoogleError, sendJson, startGoogleEmulator } from './server.ts';
import type { GoogleEmulator, RequestContext } from './server.ts';

/** Options of {@link calendarHandler}. */
export interface CalendarHandlerOptions {
  /**
   * Requests per user per window. Calendar's documented per-user limit is 600 per
   * minute. @default 600
   */
  quotaPerWindow?: number;
  /** @default 60_000 */
  quotaWindowMs?: number;
  /**
   * How an over-quota request is answered. Google's Calendar error guide documents both
   * `403 rateLimitExceeded` ("maximum request rate per calendar or per authenticated
   * user") and `429 rateLimitExceeded` ("too many requests in a given amount of time").
   * @default 403
   */
  quotaStatus?: 403 | 429;
  /** The most events one page holds, whatever `maxResults` asks (Google may return fewer). */
  maxPageSize?: number;
}

/** Parameters a sync token refuses (events.list reference, `syncToken`). */
const REFUSED_WITH_SYNC_TOKEN = ['iCalUID', 'orderBy', 'privateExtendedProperty', 'q', 'sharedExtendedProperty', 'timeMin', 'timeMax', 'updatedMin'];

const EVENTS_PATH = /^\/calendar\/v3\/calendars\/([^/]+)\/events\/?$/;

/** A handler with the state and quota ledger it serves, for assertions. */
export type CalendarHandler = ((req: IncomingMessage, res: ServerResponse, url: URL, ctx?: RequestContext) => Promise<boolean>) & {
  readonly quota: QuotaLedger;
};

/**
 * The Calendar handler: claims every path under `/calendar/v3/`, serves
 * `GET .../calendars/{primary|owner}/events` and answers 404 for the rest.
 */
export function calendarHandler(state: CalendarState, opts: CalendarHandlerOptions = {}): CalendarHandler {
  const quota = new QuotaLedger({ clock: state.clock, limit: opts.quotaPerWindow ?? 600, windowMs: opts.quotaWindowMs ?? 60_000 });
  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL, ctx?: RequestContext): Promise<boolean> => {
    if (!url.pathname.startsWith('/calendar/v3/')) return false;
    const fault = state.faults.shift();
    if (fault) {
      sendGoogleError(res, fault.status, fault.message, fault.reason, { domain: fault.domain });
      return true;
    }
    const user = ctx?.user ?? bearerOf(req) ?? 'anonymous';
    if (!quota.charge(user, 1)) {
      const status = opts.quotaStatus ?? 403;
      sendGoogleError(res, status, 'Rate Limit Exceeded', 'rateLimitExceeded', { domain: 'usageLimits' });
      return true;
    }
    const m = EVENTS_PATH.exec(url.pathname);
    const calendarId = m ? decodeURIComponent(m[1]!).toLowerCase() : null;
    if (!m || req.method !== 'GET' || (calendarId !== 'primary' && calendarId !== state.owner)) {
      sendGoogleError(res, 404, 'Not Found', 'notFound');
      return true;
    }
    listEvents(state, url.searchParams, res, opts);
    return true;
  };
  return Object.assign(handle, { quota });
}

function bearerOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null;
}

/** Google's 400 for a bad parameter (`locationType: parameter`). */
function badRequest(res: ServerResponse, message: string, reason = 'invalid'): void {
  sendGoogleError(res, 400, message, reason);
}

interface PageToken {
  /** Sort key of the last row served. */
  k: string;
  /** Sequence the listing started at: the sync token the last page hands out. */
  s: number;
  /** The query the token belongs to. */
  f: string;
}

function listEvents(state: CalendarState, q: URLSearchParams, res: ServerResponse, opts: CalendarHandlerOptions): void {
  const syncToken = q.get('syncToken');
  const singleEvents = q.get('singleEvents') === 'true';
  const showDeleted = q.get('showDeleted') === 'true';
  const orderBy = q.get('orderBy');
  let since: number | null = null;
  if (syncToken !== null) {
    const refused = REFUSED_WITH_SYNC_TOKEN.find((p) => q.has(p));
    if (refused) return badRequest(res, `The parameter ${refused} cannot be used together with syncToken.`);
    if (q.get('showDeleted') === 'false') return badRequest(res, 'showDeleted cannot be false together with syncToken.');
    const read = state.readSyncToken(syncToken);
    if (read === 'invalid') return badRequest(res, 'Invalid sync token value.');
    if (read === 'expired') {
      // Google's 410 body (Calendar error guide, "410: Gone").
      const message = 'Sync token is no longer valid, a full sync is required.';
      sendJson(res, 410, {
        error: {
          errors: [{ domain: 'calendar', reason: 'fullSyncRequired', message, locationType: 'parameter', location: 'syncToken' }],
          code: 410,
          message,
        },
      });
      return;
    }
    since = read;
  }
  if (orderBy !== null && orderBy !== 'startTime' && orderBy !== 'updated') return badRequest(res, `Invalid value for orderBy: ${orderBy}`);
  if (orderBy === 'startTime' && !singleEvents) {
    return badRequest(res, 'The requested ordering is not available for the particular query.');
  }
  const timeMin = readTime(q.get('timeMin'));
  const timeMax = readTime(q.get('timeMax'));
  const updatedMin = readTime(q.get('updatedMin'));
  if (timeMin === 'bad' || timeMax === 'bad' || updatedMin === 'bad') return badRequest(res, 'Bad Request');
  if (timeMin !== null && timeMax !== null && timeMax <= timeMin) return badRequest(res, 'The specified time range is empty.', 'timeRangeEmpty');
  const maxResults = Math.min(2500, Number(q.get('maxResults') ?? 250));
  if (!Number.isInteger(maxResults) || maxResults < 1) return badRequest(res, 'Invalid value for maxResults');
  const size = Math.min(maxResults, opts.maxPageSize ?? 2500);
  let mask: ReturnType<typeof parseFields> | null;
  try {
    mask = q.has('fields') ? parseFields(q.get('fields')!) : null;
  } catch (err) {
    return badRequest(res, `Invalid field selection: ${(err as Error).message}`, 'invalidParameter');
  }

  const fingerprint = [...q.entries()].filter(([k]) => k !== 'pageToken' && k !== 'maxResults' && k !== 'fields').sort().join('&');
  let snapshot = state.seq;
  let after: string | null = null;
  const pageToken = q.get('pageToken');
  if (pageToken !== null) {
    let token: PageToken;
    try {
      token = JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8')) as PageToken;
    } catch {
      return badRequest(res, 'Invalid page token value.');
    }
    if (token.f !== fingerprint) return badRequest(res, 'Invalid page token value: the query changed.');
    snapshot = token.s;
    after = token.k;
  }

  const search = q.get('q')?.toLowerCase();
  const iCalUID = q.get('iCalUID');
  const sortKey = (r: Row): string => (orderBy === 'startTime' ? `${String(r.startMs).padStart(15, '0')}|${r.id}` : r.id);
  const rows = state
    .rows(singleEvents)
    .filter((r) => {
      // A sync token lists every change since it, deletions included, in no window.
      if (since !== null) return r.seq > since;
      // With updatedMin, deletions since then are listed whatever showDeleted says.
      if (r.cancelled && !showDeleted && updatedMin === null) return false;
      if (timeMin !== null && r.endMs <= timeMin) return false;
      if (timeMax !== null && r.startMs >= timeMax) return false;
      if (updatedMin !== null && r.updatedMs < updatedMin) return false;
      if (iCalUID !== null && r.iCalUID !== iCalUID) return false;
      return !search || r.text.toLowerCase().includes(search);
    })
    .map((r) => ({ key: sortKey(r), row: r }))
    .filter((r) => after === null || r.key > after)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const page = rows.slice(0, size);
  const body: Record<string, unknown> = {
    kind: 'calendar#events',
    etag: `"p${state.seq}"`,
    summary: state.owner,
    description: '',
    updated: new Date(state.clock.now()).toISOString(),
    timeZone: 'UTC',
    accessRole: 'owner',
    defaultReminders: [],
  };
  if (rows.length > size) {
    const next: PageToken = { k: page[page.length - 1]!.key, s: snapshot, f: fingerprint };
    body.nextPageToken = Buffer.from(JSON.stringify(next)).toString('base64url');
  } else if (orderBy === null) {
    // Only the last page carries a sync token, and none with orderBy (Google omits it).
    body.nextSyncToken = state.syncTokenAt(snapshot);
  }
  body.items = page.map((r) => r.row.body);
  sendJson(res, 200, mask ? applyFields(body, mask) : body);
}

function readTime(value: string | null): number | null | 'bad' {
  if (value === null) return null;
  // RFC 3339 with a mandatory offset.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return 'bad';
  return Date.parse(value);
}

/** A running Calendar emulator. */
export interface CalendarEmulator {
  /** The `rootUrl` for `calendar({ version: 'v3', auth, rootUrl })`. */
  readonly rootUrl: string;
  readonly server: GoogleEmulator;
  readonly handler: CalendarHandler;
  /** Requests made to the events collection so far. */
  eventListRequests(): URLSearchParams[];
  close(): Promise<void>;
}

/** Starts a loopback server serving `state` (see {@link calendarHandler}). */
export async function startCalendarEmulator(state: CalendarState, opts: CalendarHandlerOptions = {}): Promise<CalendarEmulator> {
  const handler = calendarHandler(state, opts);
  const server = await startGoogleEmulator({ handlers: [handler], clock: state.clock });
  return {
    rootUrl: server.url,
    server,
    handler,
    eventListRequests: () => server.requests.filter((r) => EVENTS_PATH.test(r.path)).map((r) => r.query),
    close: () => server.close(),
  };
}

/**
 * The real `@googleapis/calendar` client pointed at an emulator, with an access token
 * that never expires, so the client never tries to refresh it.
 */
export function calendarClient(rootUrl: string, accessToken = 'test-access-token'): calendar_v3.Calendar {
  const auth = new OAuth2Client({ clientId: 'test-client' });
  auth.setCredentials({ access_token: accessToken, expiry_date: Date.UTC(2100, 0, 1) });
  return calendar({ version: 'v3', auth, rootUrl });
}
