import type { gmail_v1 } from '@googleapis/gmail';
import { parseCursor as parseSourceCursor } from '#lib/providers/cursor.ts';
import * as z from 'zod';
import type { Clock } from '#lib/time/clock.ts';
import { GMAIL_QUOTA_2026 } from './quota.ts';
import type { GmailMethod } from './quota.ts';
import type { QuotaModel } from '#lib/providers/governor.ts';
import type { RequestPacer } from '#lib/providers/pacer.ts';
import type { Item, MailItem } from '#lib/items/types.ts';
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
  /** history.list records per page (each may cost a messages.get). @default 500 (Gmail's maximum) */
  historyPageSize?: number;
  /** Fetches started at once (the pacer caps requests in flight as well). @default 10 */
  fetchConcurrency?: number;
  /**
   * The stored items among some message ids of this account (the store's `getItems`).
   * With it a full sync fetches only the messages it does not hold, and learns where held
   * ones moved (Trash, Spam, another category) from per-label listings instead of
   * fetching them again: see {@link GmailSource}. Without it every listed message is fetched.
   */
  held?: (providerIds: string[]) => Promise<Item[]>;
}

/**
 * The listings of a full sync. `all`: one listing with Spam and Trash (no held lookup, or
 * a cursor written before passes existed). With a held lookup: `mail` (everything but
 * Spam and Trash), then `TRASH` and `SPAM`, which together list every message once, so a
 * held message's Trash and Spam labels are known both ways; then each category, which
 * moves a held message to the category it is listed under (a message has at most one).
 */
const LABEL_PASSES = ['TRASH', 'SPAM'] as const;
export const CATEGORY_LABELS = ['CATEGORY_PERSONAL', 'CATEGORY_SOCIAL', 'CATEGORY_PROMOTIONS', 'CATEGORY_UPDATES', 'CATEGORY_FORUMS'] as const;
const PASSES = ['mail', ...LABEL_PASSES, ...CATEGORY_LABELS] as const;
type Pass = 'all' | (typeof PASSES)[number];

const cursorSchema = z.discriminatedUnion('phase', [
  z.object({
    phase: z.literal('full'),
    startHistoryId: z.string().regex(/^\d+$/),
    pageToken: z.string().optional(),
    /** The listing under way (absent: `all`). */
    pass: z.enum(PASSES).optional(),
    /** Some listed message was already held: the category listings are worth their calls. */
    held: z.literal(true).optional(),
  }),
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
  private readonly historyPageSize: number;
  private readonly workers: number;
  private readonly historyMs: number;

  constructor(private readonly opts: GmailSourceOptions) {
    this.gmail = opts.gmail;
    this.costs = (opts.quota ?? GMAIL_QUOTA_2026).costs;
    this.strategy = opts.strategy ?? 'auto';
    this.pageSize = Math.min(500, Math.max(1, opts.pageSize ?? 500));
    this.historyPageSize = Math.min(500, Math.max(1, opts.historyPageSize ?? 500));
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
    let pass: Pass = c ? (c.pass ?? 'all') : this.opts.held ? 'mail' : 'all';
    let pageToken = c?.pageToken;
    let anyHeld = c?.held === true;
    // Messages already fetched (through a thread, or in an earlier listing) in this run.
    const seen = new Set<string>();
    for (;;) {
      signal?.throwIfAborted();
      const labelIds = pass === 'all' || pass === 'mail' ? {} : { labelIds: [pass] };
      const list = await this.call(
        'messages.list',
        (o) =>
          this.gmail.users.messages.list(
            { userId: 'me', includeSpamTrash: pass !== 'mail', ...labelIds, maxResults: this.pageSize, pageToken, fields: 'messages(id,threadId),nextPageToken' },
            o,
          ),
        signal,
      );
      const listed = (list.data.messages ?? []).flatMap((m) => (m.id ? [{ id: m.id, threadId: m.threadId ?? m.id }] : []));
      // The listed ids, and the first message of their threads (a thread is named after it):
      // a thread whose first message is held is not worth a threads.get for one reply.
      const unseen = listed.filter((m) => !seen.has(m.id));
      const held = await this.heldOf([...new Set([...unseen.map((m) => m.id), ...unseen.map((m) => m.threadId)])], pass);
      if (held.size > 0) anyHeld = true;
      // Newest first: the first held message older than the horizon ends the listing.
      const heldHorizon = listed.findIndex((m) => {
        const h = held.get(m.id);
        return h !== undefined && Date.parse(h.at) < horizon;
      });
      const inWindow = heldHorizon < 0 ? listed : listed.slice(0, heldHorizon);
      const relabelled: MailItem[] = [];
      let lastHeld = -1;
      inWindow.forEach((m, position) => {
        const h = held.get(m.id);
        if (!h) return;
        lastHeld = position;
        const labels = relabel(h.labels, pass);
        if (labels) relabelled.push({ ...h, labels });
      });
      // A category listing only relabels: a message it lists that is not held is either
      // older than the history or newer than the sync (the incremental sync brings it).
      const wanted = isCategory(pass) ? [] : inWindow.map((m, position) => ({ ...m, position })).filter((m) => !held.has(m.id) && !seen.has(m.id));
      // Unheld messages newer than a held one are inside the history; after the last held
      // one, in a resync, they are most likely the ones older than the history that the
      // first sync left out: one is fetched first, and the rest only if it is inside.
      const head = wanted.filter((m) => m.position < lastHeld);
      const tail = wanted.filter((m) => m.position > lastHeld);
      const heldIds = new Set(held.keys());
      const fetched = await this.fetch(head, horizon, true, seen, signal, heldIds);
      if (tail.length > 0 && !fetched.reachedHorizon) {
        const probe = anyHeld ? await this.fetch(tail.slice(0, 1), horizon, true, seen, signal, heldIds, false) : undefined;
        const rest = probe?.reachedHorizon ? undefined : await this.fetch(probe ? tail.slice(1) : tail, horizon, true, seen, signal, heldIds);
        for (const part of [probe, rest]) {
          if (!part) continue;
          fetched.items.push(...part.items);
          fetched.missing.push(...part.missing);
          fetched.reachedHorizon ||= part.reachedHorizon;
        }
      }
      const next = list.data.nextPageToken ?? undefined;
      const passDone = next === undefined || heldHorizon >= 0 || fetched.reachedHorizon;
      const following = passDone ? nextPass(pass, anyHeld) : pass;
      const done = following === undefined;
      const mark = anyHeld ? { held: true as const } : {};
      const cursor: GmailCursor =
        following === undefined ? { phase: 'incremental', historyId: startHistoryId }
        : following === 'all' ? { phase: 'full', startHistoryId, pageToken: next }
        : { phase: 'full', startHistoryId, pass: following, ...(passDone ? {} : { pageToken: next }), ...mark };
      yield page([...relabelled, ...fetched.items], fetched.missing, cursor, done);
      if (following === undefined) return;
      pass = following;
      pageToken = passDone ? undefined : next;
    }
  }

  /** The held messages among `ids` (drafts apart: a draft is fetched again), when the listing can tell their moves. */
  private async heldOf(ids: string[], pass: Pass): Promise<Map<string, MailItem>> {
    if (!this.opts.held || pass === 'all' || ids.length === 0) return new Map();
    const items = await this.opts.held(ids);
    return new Map(items.flatMap((i) => (i.kind === 'mail' && !i.labels.includes('DRAFT') ? [[i.providerId, i] as const] : [])));
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
              { userId: 'me', startHistoryId: c.historyId, historyTypes: HISTORY_TYPES, maxResults: this.historyPageSize, pageToken, fields: HISTORY_FIELDS },
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
    held: ReadonlySet<string> = new Set(),
    wholeThreads = ordered,
  ): Promise<{ items: MailItem[]; missing: string[]; reachedHorizon: boolean }> {
    const units = planFetch(listed, this.strategy, this.costs, wholeThreads, held);
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

function isCategory(pass: Pass): boolean {
  return (CATEGORY_LABELS as readonly string[]).includes(pass);
}

/** The listing after `pass`, undefined after the last; the categories only when something was held. */
function nextPass(pass: Pass, anyHeld: boolean): Pass | undefined {
  if (pass === 'all') return undefined;
  const following = PASSES[PASSES.indexOf(pass) + 1];
  if (following !== undefined && isCategory(following) && !anyHeld) return undefined;
  return following;
}

/**
 * A held message's labels as the listing `pass` shows them, or null when they already
 * are: listed outside Spam and Trash it is in neither; listed under TRASH or SPAM it is
 * there; listed under a category it is in that one alone. Its other labels (INBOX, UNREAD,
 * the user's own) stay as last fetched: Sinew's rules read only these (SENT never changes).
 */
export function relabel(labels: readonly string[], pass: Pass): string[] | null {
  let out: string[];
  if (pass === 'all') return null;
  if (pass === 'mail') out = labels.filter((l) => l !== 'TRASH' && l !== 'SPAM');
  else if (isCategory(pass)) out = [...labels.filter((l) => !l.startsWith('CATEGORY_')), pass];
  else out = labels.includes(pass) ? [...labels] : [...labels, pass];
  if (isCategory(pass) && labels.includes(pass) && !labels.some((l) => l.startsWith('CATEGORY_') && l !== pass)) return null;
  return out.length === labels.length && out.every((l, i) => l === labels[i]) ? null : out;
}
