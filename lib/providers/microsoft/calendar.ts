import type { Client } from '@microsoft/microsoft-graph-client';
import * as z from 'zod';
import { ProviderUnavailableError } from '#lib/errors.ts';
import type { RequestPacer } from '#lib/providers/pacer.ts';
import type { CalendarSource, SourcePage } from '#lib/providers/types.ts';
import type { MeetingItem } from '#lib/items/types.ts';
import { mapGraphEvent } from './calendar-item.ts';

const DAY_MS = 86_400_000;

/** Options of {@link GraphCalendarSource}. */
export interface GraphCalendarSourceOptions {
  /** The Graph client of the account (graphClient), with its token and base URL. */
  client: Client;
  /** The connected account, stamped on every item. */
  accountId: string;
  /** Every request goes through it at one unit (the Graph pacer: 4 in flight, Retry-After). */
  pacer: RequestPacer;
  /** Now, for this sync run: the window hangs off it. */
  asOf: Date;
  /** Days before `asOf` the window starts. @default 400 */
  historyDays?: number;
  /**
   * Days after `asOf` the window ends. A calendarView delta is pinned to the window of its
   * first request; once less than half of the lookahead is left, the next run re-baselines
   * with a fresh window. @default 90
   */
  aheadDays?: number;
  /** `Prefer: odata.maxpagesize`. Graph serves at most what it allows per page. @default 1000 */
  pageSize?: number;
  /** Called with the reason for each entry left out. */
  onSkip?: (reason: string) => void;
}

/**
 * The resume cursor, stored as JSON: the window the delta round was started with, and the
 * link to follow (`next`: an `@odata.nextLink` mid-round; `delta`: the round's
 * `@odata.deltaLink`). A full pass not yet started has no link. `rebaseline` marks a last
 * incremental round on an aged window, after which a fresh window starts.
 */
const cursorSchema = z.object({
  v: z.literal(1),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  phase: z.enum(['full', 'incremental']),
  link: z.object({ kind: z.enum(['next', 'delta']), url: z.string().url() }).optional(),
  rebaseline: z.boolean().optional(),
});
export type GraphCalendarCursor = z.infer<typeof cursorSchema>;

interface DeltaPage {
  value?: unknown[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/**
 * The primary calendar of a Microsoft 365 mailbox as a change source, over
 * `GET /me/calendarView/delta?startDateTime=…&endDateTime=…` (DESIGN sections 7 and 8).
 *
 * - The window is `asOf - historyDays` to `asOf + aheadDays`. Graph encodes it in the
 *   state tokens, so every link of the round keeps it; when less than half the lookahead
 *   is left, the stored deltaLink is followed one last time (so changes up to then are not
 *   lost) and a full pass over a fresh window follows (items are keyed deterministically,
 *   so the overlap is harmless).
 * - No `$select`: calendarView delta refuses it. `Prefer: odata.maxpagesize` (the default
 *   page is small) and `outlook.timezone="UTC"` so start and end come in UTC.
 * - `@odata.nextLink` is followed to the `@odata.deltaLink`, which becomes the incremental
 *   cursor. An idle incremental pass is one request.
 * - `@removed` entries carry only an id: they go to `removed`. For meetings a removal is
 *   a cancellation (the organizer cancelled, or the occurrence was deleted): the engine
 *   should mark stored meetings with those provider ids `cancelled`. Instances that stay
 *   with `isCancelled` arrive as `cancelled` items.
 * - 410 Gone or `syncStateNotFound` (an expired state token) restarts a full pass over a
 *   fresh window, once per run.
 */
export class GraphCalendarSource implements CalendarSource {
  readonly resource = 'graph:calendar';
  private readonly historyMs: number;
  private readonly aheadMs: number;
  private readonly prefer: string;

  constructor(private readonly opts: GraphCalendarSourceOptions) {
    this.historyMs = (opts.historyDays ?? 400) * DAY_MS;
    this.aheadMs = (opts.aheadDays ?? 90) * DAY_MS;
    const pageSize = Math.max(1, Math.floor(opts.pageSize ?? 1000));
    this.prefer = `odata.maxpagesize=${pageSize}, outlook.timezone="UTC"`;
  }

  /** Pages from `cursor` (undefined or unreadable: a full pass over a fresh window). */
  async *pages(cursor: string | undefined, signal?: AbortSignal): AsyncGenerator<SourcePage> {
    let state = this.resume(cursor);
    let restarted = false;
    for (;;) {
      signal?.throwIfAborted();
      let data: DeltaPage;
      try {
        data = await this.fetch(state, signal);
      } catch (err) {
        if (!isSyncStateLost(err)) throw err;
        if (restarted) {
          throw new ProviderUnavailableError('Graph calendarView delta: the sync state was lost even on a fresh full pass', 410, { cause: err });
        }
        restarted = true;
        state = this.fresh();
        continue;
      }
      const page = this.toPage(data.value ?? []);
      const next = data['@odata.nextLink'];
      const delta = data['@odata.deltaLink'];
      if (next) {
        state = { ...state, link: { kind: 'next', url: next } };
        yield { ...page, cursor: JSON.stringify(state), done: false };
        continue;
      }
      if (!delta) throw new ProviderUnavailableError('Graph calendarView delta: a page had neither nextLink nor deltaLink', undefined);
      if (state.rebaseline) {
        // The aged window's last changes are in; start over on a fresh window.
        state = this.fresh();
        yield { ...page, cursor: JSON.stringify(state), done: false };
        continue;
      }
      const done: GraphCalendarCursor = { v: 1, start: state.start, end: state.end, phase: 'incremental', link: { kind: 'delta', url: delta } };
      yield { ...page, cursor: JSON.stringify(done), done: true };
      return;
    }
  }

  private resume(cursor: string | undefined): GraphCalendarCursor {
    if (cursor === undefined) return this.fresh();
    let parsed: GraphCalendarCursor;
    try {
      parsed = cursorSchema.parse(JSON.parse(cursor));
    } catch {
      // Another version's cursor or a damaged record: a full pass is always safe.
      return this.fresh();
    }
    const left = Date.parse(parsed.end) - this.opts.asOf.getTime();
    if (parsed.phase === 'incremental' && parsed.link?.kind === 'delta' && left < this.aheadMs / 2) {
      return { ...parsed, rebaseline: true };
    }
    return parsed;
  }

  private fresh(): GraphCalendarCursor {
    const asOf = this.opts.asOf.getTime();
    return { v: 1, start: iso(asOf - this.historyMs), end: iso(asOf + this.aheadMs), phase: 'full' };
  }

  private async fetch(state: GraphCalendarCursor, signal: AbortSignal | undefined): Promise<DeltaPage> {
    return this.opts.pacer.run(
      1,
      () => {
        // Links are absolute https URLs carrying the state token; the client parses them.
        const request = state.link
          ? this.opts.client.api(state.link.url)
          : this.opts.client.api('/me/calendarView/delta').query({ startDateTime: state.start, endDateTime: state.end });
        return request.header('Prefer', this.prefer).get() as Promise<DeltaPage>;
      },
      signal,
    );
  }

  private toPage(entries: unknown[]): Omit<SourcePage, 'cursor' | 'done'> {
    const items: MeetingItem[] = [];
    const removed: string[] = [];
    const aliases = new Set<string>();
    for (const entry of entries) {
      const outcome = mapGraphEvent(entry, this.opts.accountId);
      if (outcome.kind === 'skipped') this.opts.onSkip?.(outcome.reason);
      else if (outcome.kind === 'removed') removed.push(outcome.providerId);
      else {
        items.push(outcome.item);
        for (const a of outcome.self) aliases.add(a);
      }
    }
    return aliases.size > 0 ? { items, removed, aliases: [...aliases] } : { items, removed };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * True when Graph says the delta state is gone: 410 Gone, or the `syncStateNotFound` /
 * `syncStateInvalid` / `resyncRequired` codes, also when a pacer or the client wrapped
 * the error (`cause`, `customError`).
 */
export function isSyncStateLost(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e !== null && typeof e === 'object'; depth++) {
    const o = e as { statusCode?: unknown; status?: unknown; code?: unknown; cause?: unknown; customError?: unknown };
    if (o.statusCode === 410 || o.status === 410) return true;
    if (typeof o.code === 'string' && /^(syncStateNotFound|syncStateInvalid|resyncRequired)$/i.test(o.code)) return true;
    e = o.customError ?? o.cause;
  }
  return false;
}
