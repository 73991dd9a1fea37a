import type { gmail_v1 } from '@googleapis/gmail';
import { parseCursor as parseSourceCursor } from '#lib/providers/cursor.ts';
import * as z from 'zod';
import type { Clock } from '#lib/time/clock.ts';
import { GMAIL_QUOTA_2026 } from './quota.ts';
import type { GmailMethod } from './quota.ts';
import type { QuotaModel } from '#lib/providers/governor.ts';
import type { RequestPacer } from '#lib/providers/pacer.ts';
import type { MailItem } from '#lib/items/types.ts';
import type { MailSource, SourcePage } from '#lib/providers/types.ts';
import { METADATA_HEADERS, MESSAGE_FIELDS, gmailToMailItem } from './gmail-item.ts';
import { planFetch, runPool } from './gmail-plan.ts';
import type { FetchStrategy, FetchUnit } from './gmail-plan.ts';

const DAY_MS = 86_400_000;

/** Options of {@link GmailSource}. */
export interface GmailSourceOptions {
  /** A real client: `gmail({ version: 'v1', auth, rootUrl })`. */
  gmail: gmail_v1.Gmail;
  accountId: string;
  /** Paces and retries every call (createGooglePacer); the source never sleeps or retries. */
  pacer: RequestPacer;
  /** Where the history horizon is measured from. */
  clock: Pick<Clock, 'now'>;
  /** History the metrics need, newest first. @default 400 */
  historyDays?: number;
  /** Units per call, to choose between messages.get and threads.get. @default GMAIL_QUOTA_2026 */
  quota?: QuotaModel<GmailMethod>;
  /** @default 'auto': threads.get where a thread has enough listed messages to be cheaper */
  strategy?: FetchStrategy;
  /** messages.list page size. @default 500 (Gmail's maximum) */
  pageSize?: number;
  /** Fetches started at once (the pacer caps requests in flight as well). @default 10 */
  fetchConcurrency?: number;
}

const cursorSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('full'), startHistoryId: z.string().regex(/^\d+$/), pageToken: z.string().optional() }),
  z.object({ phase: z.literal('incremental'), historyId: z.string().regex(/^\d+$/), pageToken: z.string().optional() }),
]);
type GmailCursor = z.infer<typeof cursorSchema>;

const HISTORY_TYPES = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'];
const HISTORY_FIELDS =
  'history(messagesAdded/message(id,threadId),messagesDeleted/message(id,threadId),labelsAdded/message(id,threadId),labelsRemoved/message(id,threadId)),nextPageToken,historyId';

/**
 * Gmail under the `gmail.metadata` scope as a {@link MailSource} (resource `gmail`).
 *
 * Full sync: the profile's historyId is read first (so the incremental sync that follows
 * misses nothing that arrived meanwhile), then `messages.list` pages newest first with
 * Spam and Trash included (deleted mail still counts, DESIGN 3), each page's metadata
 * fetched with `messages.get` or, for threads with enough listed messages, one
 * `threads.get` (see {@link threadBreakEven}); listing stops at the history horizon.
 * Incremental sync: `history.list` from the stored historyId, then the added or relabelled
 * messages are fetched again (a move to Trash changes labels); a 404 restarts a full sync.
 * An idle incremental sync is one `history.list` call.
 */
export class GmailSource implements MailSource {
  readonly resource = 'gmail';
  private readonly gmail: gmail_v1.Gmail;
  private readonly costs: QuotaModel<GmailMethod>['costs'];
  private readonly strategy: FetchStrategy;
  private readonly pageSize: number;
  private readonly workers: number;
  private readonly historyMs: number;

  constructor(private readonly opts: GmailSourceOptions) {
    this.gmail = opts.gmail;
    this.costs = (opts.quota ?? GMAIL_QUOTA_2026).costs;
    this.strategy = opts.strategy ?? 'auto';
    this.pageSize = Math.min(500, Math.max(1, opts.pageSize ?? 500));
    this.workers = Math.max(1, opts.fetchConcurrency ?? 10);
    this.historyMs = (opts.historyDays ?? 400) * DAY_MS;
  }

  /** Pages from `cursor`; undefined starts a full sync. */
  async *pages(cursor: string | undefined, signal?: AbortSignal): AsyncGenerator<SourcePage> {
    const c = parseCursor(cursor);
    if (c?.phase === 'incremental') yield* this.incremental(c, signal);
    else yield* this.full(c, signal);
  }

  private async *full(c: Extract<GmailCursor, { phase: 'full' }> | undefined, signal?: AbortSignal): AsyncGenerator<SourcePage> {
    const horizon = this.opts.clock.now() - this.historyMs;
    let startHistoryId = c?.startHistoryId;
    if (startHistoryId === undefined) {
      const profile = await this.call('getProfile', (o) => this.gmail.users.getProfile({ userId: 'me', fields: 'historyId' }, o), signal);
      startHistoryId = String(profile.data.historyId);
    }
    let pageToken = c?.pageToken;
    // Messages already fetched through a thread in an earlier page of this pass.
    const seen = new Set<string>();
    for (;;) {
      signal?.throwIfAborted();
      const list = await this.call(
        'messages.list',
        (o) =>
          this.gmail.users.messages.list(
            { userId: 'me', includeSpamTrash: true, maxResults: this.pageSize, pageToken, fields: 'messages(id,threadId),nextPageToken' },
            o,
          ),
        signal,
      );
      const listed = (list.data.messages ?? []).flatMap((m) => (m.id ? [{ id: m.id, threadId: m.threadId ?? m.id }] : []));
      const fetched = await this.fetch(listed.filter((m) => !seen.has(m.id)), horizon, true, seen, signal);
      const next = list.data.nextPageToken ?? undefined;
      const done = next === undefined || fetched.reachedHorizon;
      const cursor: GmailCursor = done
        ? { phase: 'incremental', historyId: startHistoryId }
        : { phase: 'full', startHistoryId, pageToken: next };
      yield page(fetched.items, fetched.missing, cursor, done);
      if (done) return;
      pageToken = next;
    }
  }

  private async *incremental(c: Extract<GmailCursor, { phase: 'incremental' }>, signal?: AbortSignal): AsyncGenerator<SourcePage> {
    const horizon = this.opts.clock.now() - this.historyMs;
    let pageToken = c.pageToken;
    for (;;) {
      signal?.throwIfAborted();
      let res;
      try {
        res = await this.call(
          'history.list',
          (o) =>
            this.gmail.users.history.list(
              { userId: 'me', startHistoryId: c.historyId, historyTypes: HISTORY_TYPES, maxResults: 500, pageToken, fields: HISTORY_FIELDS },
              o,
            ),
          signal,
        );
      } catch (err) {
        // The stored historyId is too old: start over (deduplication makes it safe).
        if (statusOf(err) === 404) {
          yield* this.full(undefined, signal);
          return;
        }
        throw err;
      }
      const changed = new Map<string, { id: string; threadId: string }>();
      const deleted = new Set<string>();
      for (const record of res.data.history ?? []) {
        const touched = [...(record.messagesAdded ?? []), ...(record.labelsAdded ?? []), ...(record.labelsRemoved ?? [])];
        for (const { message } of touched) {
          if (message?.id) changed.set(message.id, { id: message.id, threadId: message.threadId ?? message.id });
        }
        for (const { message } of record.messagesDeleted ?? []) if (message?.id) deleted.add(message.id);
      }
      for (const id of deleted) changed.delete(id);
      const fetched = await this.fetch([...changed.values()], horizon, false, new Set(), signal);
      const next = res.data.nextPageToken ?? undefined;
      const done = next === undefined;
      const cursor: GmailCursor = done
        ? { phase: 'incremental', historyId: String(res.data.historyId ?? c.historyId) }
        : { phase: 'incremental', historyId: c.historyId, pageToken: next };
      yield page(fetched.items, [...deleted, ...fetched.missing], cursor, done);
      if (done) return;
      pageToken = next;
    }
  }

  /**
   * Fetches the metadata of `listed` (newest first when `ordered`), keeping items inside
   * the horizon. In a full sync, the first listed message older than the horizon means
   * all later ones are too: units after it are skipped and listing stops.
   */
  private async fetch(
    listed: Array<{ id: string; threadId: string }>,
    horizon: number,
    ordered: boolean,
    seen: Set<string>,
    signal?: AbortSignal,
  ): Promise<{ items: MailItem[]; missing: string[]; reachedHorizon: boolean }> {
    const units = planFetch(listed, this.strategy, this.costs, ordered);
    const results: MailItem[][] = units.map(() => []);
    const missing: string[] = [];
    let horizonAt = Infinity;
    const position = new Map(listed.map((m, i) => [m.id, i]));
    await runPool(
      units.length,
      this.workers,
      async (i) => {
        const unit = units[i]!;
        const messages = await this.fetchUnit(unit, signal);
        if (messages === null) {
          missing.push(...(unit.kind === 'thread' ? unit.ids : [unit.id]));
          return;
        }
        const kept: MailItem[] = [];
        for (const m of messages) {
          const item = gmailToMailItem(m, this.opts.accountId);
          if (!item || seen.has(item.providerId)) continue;
          // An incremental sync stores only what changed, not a thread's other messages.
          if (!ordered && !position.has(item.providerId)) continue;
          const t = Date.parse(item.at);
          if (t < horizon) {
            const at = position.get(item.providerId);
            if (ordered && at !== undefined) horizonAt = Math.min(horizonAt, at);
            continue;
          }
          seen.add(item.providerId);
          kept.push(item);
        }
        results[i] = kept;
      },
      (i) => ordered && units[i]!.position > horizonAt,
    );
    return { items: results.flat(), missing, reachedHorizon: horizonAt !== Infinity };
  }

  /** One unit's messages; null when the message or thread is gone (404). */
  private async fetchUnit(unit: FetchUnit, signal?: AbortSignal): Promise<gmail_v1.Schema$Message[] | null> {
    const params = { userId: 'me', format: 'metadata', metadataHeaders: [...METADATA_HEADERS] };
    try {
      if (unit.kind === 'message') {
        const res = await this.call(
          'messages.get',
          (o) => this.gmail.users.messages.get({ ...params, id: unit.id, fields: MESSAGE_FIELDS }, o),
          signal,
        );
        return [res.data];
      }
      const res = await this.call(
        'threads.get',
        (o) => this.gmail.users.threads.get({ ...params, id: unit.threadId, fields: `messages(${MESSAGE_FIELDS})` }, o),
        signal,
      );
      return res.data.messages ?? [];
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  /**
   * Every call goes through the pacer with its cost; the client's own retries are off
   * (`retry: false`) so each attempt is paced and counted once.
   */
  private call<T>(method: GmailMethod, fn: (o: { retry: false; signal?: AbortSignal }) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const options = signal ? { retry: false as const, signal } : { retry: false as const };
    return this.opts.pacer.run(this.costs[method], () => fn(options), signal);
  }
}

function page(items: MailItem[], removed: string[], cursor: GmailCursor, done: boolean): SourcePage {
  // The metadata scope cannot read send-as settings: SENT From addresses are Me (DESIGN 3).
  const aliases = [...new Set(items.filter((i) => i.labels.includes('SENT') && i.from).map((i) => i.from!))];
  return { items, removed, cursor: JSON.stringify(cursor), done, ...(aliases.length > 0 ? { aliases } : {}) };
}

function parseCursor(cursor: string | undefined): GmailCursor | undefined {
  return parseSourceCursor(cursorSchema, cursor, 'Gmail');
}

function statusOf(err: unknown): number | undefined {
  return (err as { response?: { status?: number } } | null)?.response?.status;
}
