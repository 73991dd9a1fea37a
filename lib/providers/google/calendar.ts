import type { calendar_v3 } from '@googleapis/calendar';
import * as z from 'zod';
import { ProviderUnavailableError } from '#lib/errors.ts';
import type { RequestPacer } from '#lib/providers/pacer.ts';
import type { CalendarSource, SourcePage } from '#lib/providers/types.ts';
import type { MeetingItem } from '#lib/items/types.ts';
import { EVENT_LIST_FIELDS, mapEvent } from './calendar-event.ts';

const DAY_MS = 86_400_000;

/** Options of {@link GoogleCalendarSource}. */
export interface GoogleCalendarSourceOptions {
  /** The real client from `@googleapis/calendar`, with its auth and `rootUrl`. */
  calendar: calendar_v3.Calendar;
  /** The connected account, stamped on every item. */
  accountId: string;
  /**
   * Every request goes through it at one unit: Calendar's quota counts requests (600 per
   * minute per user), not weighted units. It also retries throttling and 5xx.
   */
  pacer: RequestPacer;
  /** Now, for this sync run: the history and lookahead windows hang off it. */
  asOf: Date;
  /** History a full sync reads, in days before `asOf`. @default 400 */
  historyDays?: number;
  /**
   * Lookahead kept, in days after `asOf` of the last full sync. Occurrences starting later
   * are left out (an endless daily series would otherwise add years of rows); the pass is
   * re-baselined by a full sync once less than half of it is left. @default 90
   */
  aheadDays?: number;
  /** @default 'primary' (the one calendar `calendar.events.readonly` lets us find) */
  calendarId?: string;
  /** Events per page. @default 2500, the most Google serves */
  pageSize?: number;
  /** Called with the reason for each event left out (malformed, not a meeting). */
  onSkip?: (reason: string) => void;
}

/**
 * The resume cursor, stored as JSON. A full pass pins the `timeMin` its page tokens were
 * issued for (a page token is only valid with the same query); both phases carry the
 * lookahead `horizon` their items were filtered with.
 */
const cursorSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('full'), timeMin: z.iso.datetime(), horizon: z.iso.datetime(), pageToken: z.string().optional() }),
  z.object({ phase: z.literal('incremental'), syncToken: z.string().min(1), horizon: z.iso.datetime(), pageToken: z.string().optional() }),
]);
export type CalendarCursor = z.infer<typeof cursorSchema>;

/**
 * Google Calendar events of one calendar as a change source (DESIGN sections 7 and 8).
 *
 * Full sync: `events.list` with `singleEvents=true` (one row per occurrence),
 * `showDeleted=true`, `maxResults=2500`, `timeMin` = `asOf - historyDays`, following
 * `nextPageToken` until the last page brings `nextSyncToken`.
 * - `timeMin` is the one window bound Google's sync guide uses on a full sync (its sample
 *   limits the full sync to a year back and then syncs with the token). `timeMax` and
 *   `orderBy` are not sent: they are refused next to a `syncToken`, Google returns no
 *   `nextSyncToken` with `orderBy`, and an occurrence cut off by `timeMax` would never be
 *   sent later, since incremental passes only carry changes. The lookahead is applied
 *   here instead (see `aheadDays`), and re-baselined.
 * - `showDeleted=true` on the full pass too: after a 410 (or a re-baseline) the full pass
 *   must overwrite occurrences cancelled while the token was dead, or they would keep
 *   counting. With a `syncToken` deletions always come back; the other parameters stay as
 *   on the full pass, as the reference asks.
 *
 * Incremental sync: `events.list` with the stored `syncToken` (and the same
 * `singleEvents`/`showDeleted`), paging likewise; cancelled occurrences become
 * `cancelled` items under the same provider id. A 410 (`fullSyncRequired`) restarts a
 * full sync by itself. An idle pass is one request.
 */
export class GoogleCalendarSource implements CalendarSource {
  readonly resource: string;
  private readonly calendarId: string;
  private readonly historyMs: number;
  private readonly aheadMs: number;
  private readonly pageSize: number;

  constructor(private readonly opts: GoogleCalendarSourceOptions) {
    this.calendarId = opts.calendarId ?? 'primary';
    this.resource = `gcal:${this.calendarId}`;
    this.historyMs = (opts.historyDays ?? 400) * DAY_MS;
    this.aheadMs = (opts.aheadDays ?? 90) * DAY_MS;
    this.pageSize = Math.min(2500, Math.max(1, opts.pageSize ?? 2500));
  }

  /**
   * Pages from `cursor` (undefined, unreadable or aged: a full sync). Each page's cursor
   * resumes right after it; the last page (`done`) holds the incremental cursor.
   */
  async *pages(cursor: string | undefined, signal?: AbortSignal): AsyncGenerator<SourcePage> {
    let state = this.resume(cursor);
    let restarted = false;
    for (;;) {
      signal?.throwIfAborted();
      let data: calendar_v3.Schema$Events;
      try {
        data = await this.list(state, signal);
      } catch (err) {
        // 410: the sync token (or a page token) is no longer valid; Google asks for a full
        // sync. Once per run: a second 410 on a fresh full pass is not ours to fix.
        if (httpStatusOf(err) !== 410) throw err;
        if (restarted) {
          throw new ProviderUnavailableError(`Google Calendar ${this.calendarId}: 410 Gone even on a fresh full sync`, 410, { cause: err });
        }
        restarted = true;
        state = this.fresh();
        continue;
      }
      const page = this.toPage(data.items ?? [], Date.parse(state.horizon));
      if (data.nextPageToken) {
        state = { ...state, pageToken: data.nextPageToken };
        yield { ...page, cursor: JSON.stringify(state), done: false };
        continue;
      }
      if (!data.nextSyncToken) {
        throw new ProviderUnavailableError(
          `Google Calendar ${this.calendarId}: the last page of events.list carried no nextSyncToken`, undefined);
      }
      const next: CalendarCursor = { phase: 'incremental', syncToken: data.nextSyncToken, horizon: state.horizon };
      yield { ...page, cursor: JSON.stringify(next), done: true };
      return;
    }
  }

  /** Where to start: the stored cursor, or a full sync when it is absent, unreadable or aged. */
  private resume(cursor: string | undefined): CalendarCursor {
    if (cursor === undefined) return this.fresh();
    let parsed: CalendarCursor;
    try {
      parsed = cursorSchema.parse(JSON.parse(cursor));
    } catch {
      // A cursor from another version or a damaged record: a full sync is always safe
      // (items are keyed deterministically), failing forever is not.
      return this.fresh();
    }
    const left = Date.parse(parsed.horizon) - this.opts.asOf.getTime();
    // Re-baseline between passes (not while paging one) once less than half the
    // lookahead is left, so upcoming occurrences keep entering the store.
    if (parsed.phase === 'incremental' && parsed.pageToken === undefined && left < this.aheadMs / 2) return this.fresh();
    return parsed;
  }

  private fresh(): CalendarCursor {
    const asOf = this.opts.asOf.getTime();
    return {
      phase: 'full',
      timeMin: new Date(asOf - this.historyMs).toISOString(),
      horizon: new Date(asOf + this.aheadMs).toISOString(),
    };
  }

  private async list(state: CalendarCursor, signal: AbortSignal | undefined): Promise<calendar_v3.Schema$Events> {
    const params: calendar_v3.Params$Resource$Events$List = {
      calendarId: this.calendarId,
      singleEvents: true,
      showDeleted: true,
      maxResults: this.pageSize,
      fields: EVENT_LIST_FIELDS,
    };
    if (state.phase === 'full') params.timeMin = state.timeMin;
    else params.syncToken = state.syncToken;
    if (state.pageToken) params.pageToken = state.pageToken;
    // The client's own retries would sleep for real and hide throttling from the pacer,
    // which owns retries and backoff.
    const res = await this.opts.pacer.run(1, () => this.opts.calendar.events.list(params, { retry: false, signal }), signal);
    return res.data;
  }

  private toPage(events: calendar_v3.Schema$Event[], horizon: number): Omit<SourcePage, 'cursor' | 'done'> {
    const from = this.opts.asOf.getTime() - this.historyMs;
    const items: MeetingItem[] = [];
    const removed: string[] = [];
    const aliases = new Set<string>();
    for (const event of events) {
      const outcome = mapEvent(event, this.opts.accountId);
      if (outcome.kind === 'skipped') {
        this.opts.onSkip?.(outcome.reason);
      } else if (outcome.kind === 'removed') {
        removed.push(outcome.providerId);
      } else {
        for (const address of outcome.self) aliases.add(address);
        const start = Date.parse(outcome.item.start);
        // The same window on every pass: before the history (an edit to an old event
        // arrives incrementally) or past the lookahead, an occurrence is left out.
        if (start >= horizon || Date.parse(outcome.item.end) <= from) continue;
        items.push(outcome.item);
      }
    }
    return aliases.size > 0 ? { items, removed, aliases: [...aliases] } : { items, removed };
  }
}

/** The HTTP status of a client error, also when a pacer wrapped it (its `cause` chain). */
function httpStatusOf(err: unknown): number | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e !== null && typeof e === 'object'; depth++) {
    const o = e as { status?: unknown; response?: { status?: unknown }; cause?: unknown };
    if (typeof o.status === 'number') return o.status;
    if (typeof o.response?.status === 'number') return o.response.status;
    e = o.cause;
  }
  return undefined;
}
