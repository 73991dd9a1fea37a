import type { Client } from '@microsoft/microsoft-graph-client';
import { parseCursor as parseSourceCursor } from '#lib/providers/cursor.ts';
import type { Message } from '@microsoft/microsoft-graph-types';
import * as z from 'zod';
import { ProviderUnavailableError } from '#lib/errors.ts';
import type { Clock } from '#lib/time/clock.ts';
import type { RequestPacer } from '#lib/providers/pacer.ts';
import type { MailItem } from '#lib/items/types.ts';
import type { MailSource, SourcePage } from '#lib/providers/types.ts';
import { fetchHeaders, type HeaderFetch } from './mail-headers.ts';
import { MESSAGE_SELECT, graphToMailItem, ownAddresses } from './mail-item.ts';

const DAY_MS = 86_400_000;

/**
 * The folders that hold exchanges (DESIGN 3): the inbox (and its subfolders, found at
 * run time), sent items, the archive and deleted items (deleted mail still counts). Junk
 * Email and Drafts are never read.
 */
export const MAIL_FOLDERS = ['inbox', 'sentitems', 'archive', 'deleteditems'] as const;

/** Options of {@link GraphMailSource}. */
export interface GraphMailSourceOptions {
  /** A client from graphClient(). */
  client: Client;
  accountId: string;
  /** Paces and retries every call (createGraphPacer): at most 4 in flight per mailbox. */
  pacer: RequestPacer;
  /** Where the history horizon and the folder list's age are measured from. */
  clock: Pick<Clock, 'now'>;
  /** History the metrics need. @default 400 */
  historyDays?: number;
  /**
   * `Prefer: odata.maxpagesize`. Microsoft documents no maximum for message delta;
   * Outlook caps list pages (`$top`) at 1,000, and a larger preference is clamped. @default 1000
   */
  pageSize?: number;
  /** Folders synced at once; the pacer's concurrency caps requests in flight. @default 4 */
  folderConcurrency?: number;
  /** How old the folder list (and `/me` aliases) may get before a pass lists it again. @default 6 hours */
  folderRefreshMs?: number;
  /**
   * Where bulk headers come from. `auto`: `internetMessageHeaders` in the delta `$select`,
   * and a `$batch` of per-message reads (20 a request) for messages that come back
   * without them; `batch`: always the `$batch` reads; `none`: never (bulk mail is then
   * recognized by sender and Focused Inbox only). @default 'auto'
   */
  headers?: HeaderFetch;
}

const folderSchema = z.object({
  /** Well-known name or folder id: what the delta URL names. */
  key: z.string().min(1),
  wellKnown: z.string().nullable(),
  /** The nextLink (mid-round) or deltaLink (round done) to continue from. */
  link: z.string().url().optional(),
  linkKind: z.enum(['next', 'delta']).optional(),
});
const cursorSchema = z.object({ v: z.literal(1), listedAt: z.number(), folders: z.array(folderSchema) });
type FolderState = z.infer<typeof folderSchema>;
type GraphMailCursor = z.infer<typeof cursorSchema>;

/** One folder's delta page, before it joins the source's pages. */
interface FolderPage {
  key: string;
  /** Undefined: the folder is gone and leaves the cursor. */
  link?: string;
  linkKind?: 'next' | 'delta';
  items: MailItem[];
  removed: string[];
  final: boolean;
}

interface DeltaResponse {
  value?: Array<Message & { '@removed'?: { reason?: string } }>;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/**
 * Outlook mail through Microsoft Graph as one {@link MailSource} (resource `graph-mail`).
 *
 * Each folder of {@link MAIL_FOLDERS} and each subfolder of the inbox has its own delta
 * (`/me/mailFolders/{id}/messages/delta`, the only scope Graph offers); the cursor holds
 * every folder's nextLink or deltaLink, so a run resumes each folder where it stood.
 * Up to `folderConcurrency` folders page at once, which is how a backfill reaches
 * Graph's 4 concurrent requests per mailbox while the sync engine runs sources one by
 * one. Every request asks for immutable ids (`Prefer: IdType="ImmutableId"`), so a
 * message moved to Deleted Items keeps its id and is stored once; `@removed` entries
 * become `removed`. An expired delta token (410, `syncStateNotFound`) restarts that
 * folder alone from scratch. Messages older than the horizon are dropped client-side:
 * a `$filter=receivedDateTime ge` on message delta returns at most 5,000 messages
 * (Microsoft's delta-query-messages page), too few for a 400-day mailbox.
 *
 * An idle pass costs one request per folder (plus `/me` and the inbox's child folders
 * when the folder list is older than `folderRefreshMs`).
 */
export class GraphMailSource implements MailSource {
  readonly resource = 'graph-mail';
  private readonly historyMs: number;
  private readonly pageSize: number;
  private readonly workers: number;
  private readonly refreshMs: number;
  private readonly headerMode: HeaderFetch;
  private readonly prefer: string;

  constructor(private readonly opts: GraphMailSourceOptions) {
    this.historyMs = (opts.historyDays ?? 400) * DAY_MS;
    this.pageSize = Math.max(1, Math.min(1000, opts.pageSize ?? 1000));
    this.workers = Math.max(1, opts.folderConcurrency ?? 4);
    this.refreshMs = opts.folderRefreshMs ?? 6 * 3_600_000;
    this.headerMode = opts.headers ?? 'auto';
    this.prefer = `odata.maxpagesize=${this.pageSize}, IdType="ImmutableId"`;
  }

  /** Pages from `cursor`; undefined starts every folder from scratch. */
  async *pages(cursor: string | undefined, signal?: AbortSignal): AsyncGenerator<SourcePage> {
    const c = parseCursor(cursor);
    const now = this.opts.clock.now();
    let state: GraphMailCursor = c ?? { v: 1, listedAt: 0, folders: [] };
    let aliases: string[] | undefined;
    if (c === undefined || now - c.listedAt >= this.refreshMs) {
      const listed = await this.listFolders(signal);
      aliases = listed.aliases;
      const known = new Map(state.folders.map((f) => [f.key, f]));
      state = { v: 1, listedAt: now, folders: listed.folders.map((f) => known.get(f.key) ?? f) };
    }
    const horizon = now - this.historyMs;
    const folders = new Map(state.folders.map((f) => [f.key, { ...f }]));
    const stop = new AbortController();
    const onAbort = (): void => stop.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const channel = new PageChannel(folders.size);
    const pool = runPool([...folders.values()], this.workers, (f) => this.syncFolder(f, horizon, channel, stop.signal));
    pool.then(() => channel.close(), (err: unknown) => {
      stop.abort(err);
      channel.fail(err);
    });
    try {
      for (;;) {
        const batch = await channel.take();
        if (batch === null) return;
        const items: MailItem[] = [];
        const removed: string[] = [];
        for (const p of batch) {
          items.push(...p.items);
          removed.push(...p.removed);
          if (p.link === undefined) folders.delete(p.key);
          else folders.set(p.key, { ...folders.get(p.key)!, link: p.link, linkKind: p.linkKind });
        }
        const next: GraphMailCursor = { v: 1, listedAt: state.listedAt, folders: [...folders.values()] };
        const page: SourcePage = { items, removed, cursor: JSON.stringify(next), done: channel.finished() };
        if (aliases !== undefined && aliases.length > 0) page.aliases = aliases;
        aliases = undefined;
        yield page;
        channel.consumed(batch);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop.abort(new Error('graph-mail pass ended'));
      // Workers waiting for their page to be taken wake up, see the abort and stop.
      channel.release();
    }
  }

  /** Pages one folder's delta until its deltaLink, handing each page to `channel`. */
  private async syncFolder(f: FolderState, horizon: number, channel: PageChannel, signal: AbortSignal): Promise<void> {
    let link = f.link;
    let resynced = false;
    let previous: Promise<void> = Promise.resolve();
    for (;;) {
      signal.throwIfAborted();
      const url = link ?? `/me/mailFolders/${encodeURIComponent(f.key)}/messages/delta?$select=${this.select().join(',')}`;
      let res: DeltaResponse;
      try {
        res = await this.opts.pacer.run(1, () => this.opts.client.api(url).header('Prefer', this.prefer).get() as Promise<DeltaResponse>, signal);
      } catch (err) {
        if (link !== undefined && !resynced && needsResync(err)) {
          // The folder's token expired: this folder alone starts over (deduplication makes it safe).
          link = undefined;
          resynced = true;
          continue;
        }
        if (statusOf(err) === 404) {
          // A well-known folder this mailbox lacks (no Archive yet) or a subfolder deleted since listing.
          await previous;
          void channel.push({ key: f.key, items: [], removed: [], final: true });
          return;
        }
        throw err;
      }
      const page = await this.toPage(f, res, horizon, signal);
      await previous;
      previous = channel.push(page);
      if (page.final) return;
      link = page.link;
    }
  }

  private async toPage(f: FolderState, res: DeltaResponse, horizon: number, signal: AbortSignal): Promise<FolderPage> {
    const next = res['@odata.nextLink'];
    const delta = res['@odata.deltaLink'];
    if (!next && !delta) {
      throw new ProviderUnavailableError(`Graph delta page for folder ${f.key} has neither @odata.nextLink nor @odata.deltaLink`, 200);
    }
    const removed: string[] = [];
    const present: Message[] = [];
    for (const m of res.value ?? []) {
      if (!m.id) continue;
      if (m['@removed']) removed.push(m.id);
      else present.push(m);
    }
    // Sent items carry no transport headers worth fetching, and our own mail is never bulk.
    if (this.headerMode !== 'none' && f.wellKnown !== 'sentitems') {
      const missing = present.filter((m) => m.internetMessageHeaders == null && m.receivedDateTime && Date.parse(m.receivedDateTime) >= horizon);
      if (missing.length > 0) {
        const got = await fetchHeaders(this.opts.client, this.opts.pacer, missing.map((m) => m.id!), signal);
        for (const m of missing) m.internetMessageHeaders = got.get(m.id!) ?? [];
      }
    }
    const items: MailItem[] = [];
    for (const m of present) {
      const item = graphToMailItem(m, this.opts.accountId, { wellKnown: f.wellKnown });
      if (item && Date.parse(item.at) >= horizon) items.push(item);
    }
    return next
      ? { key: f.key, link: next, linkKind: 'next', items, removed, final: false }
      : { key: f.key, link: delta, linkKind: 'delta', items, removed, final: true };
  }

  private select(): string[] {
    return this.headerMode === 'auto' ? [...MESSAGE_SELECT] : MESSAGE_SELECT.filter((p) => p !== 'internetMessageHeaders');
  }

  /** `/me` for the aliases, then the well-known folders and every folder under the inbox. */
  private async listFolders(signal?: AbortSignal): Promise<{ aliases: string[]; folders: FolderState[] }> {
    const get = <T>(url: string): Promise<T> =>
      this.opts.pacer.run(1, () => this.opts.client.api(url).header('Prefer', 'IdType="ImmutableId"').get() as Promise<T>, signal);
    const me = await get<{ mail?: string; userPrincipalName?: string; proxyAddresses?: string[] }>('/me?$select=mail,proxyAddresses,userPrincipalName');
    const folders: FolderState[] = MAIL_FOLDERS.map((key) => ({ key, wellKnown: key }));
    const parents = ['inbox'];
    while (parents.length > 0) {
      const parent = parents.shift()!;
      let url: string | undefined = `/me/mailFolders/${encodeURIComponent(parent)}/childFolders?$select=id,displayName,childFolderCount&$top=100`;
      while (url) {
        const res: { value?: Array<{ id?: string; childFolderCount?: number }>; '@odata.nextLink'?: string } = await get(url);
        for (const child of res.value ?? []) {
          if (!child.id) continue;
          folders.push({ key: child.id, wellKnown: null });
          if ((child.childFolderCount ?? 0) > 0) parents.push(child.id);
        }
        url = res['@odata.nextLink'];
      }
    }
    return { aliases: ownAddresses(me), folders };
  }
}

/**
 * Folder pages on their way to the consumer. Each folder keeps at most one page waiting
 * (its worker fetches the next meanwhile); the consumer takes all waiting pages at once.
 */
class PageChannel {
  private readonly queue: FolderPage[] = [];
  private readonly acks = new Map<FolderPage, () => void>();
  private wake: (() => void) | undefined;
  private closed = false;
  private error: { err: unknown } | undefined;

  constructor(private remaining: number) {}

  /** Queues a page; resolves once the consumer has yielded it. */
  push(page: FolderPage): Promise<void> {
    if (page.final) this.remaining--;
    this.queue.push(page);
    this.notify();
    return new Promise((resolve) => this.acks.set(page, resolve));
  }

  /** Every waiting page, or null once all folders are done and nothing waits. */
  async take(): Promise<FolderPage[] | null> {
    for (;;) {
      if (this.error) throw this.error.err;
      if (this.queue.length > 0) return this.queue.splice(0);
      if (this.closed) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  consumed(pages: FolderPage[]): void {
    for (const p of pages) {
      this.acks.get(p)?.();
      this.acks.delete(p);
    }
  }

  /** True when every folder has handed over its last page and none waits. */
  finished(): boolean {
    return this.remaining === 0 && this.queue.length === 0;
  }

  /** Lets every waiting worker go (the consumer stopped early). */
  release(): void {
    for (const ack of this.acks.values()) ack();
    this.acks.clear();
  }

  close(): void {
    this.closed = true;
    this.notify();
  }

  fail(err: unknown): void {
    this.error ??= { err };
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

/** Runs `work` over `items`, `size` at a time; the first failure rejects (others stop via their signal). */
async function runPool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** 410 Gone, or Graph's sync-state codes: the delta token can no longer be used. */
function needsResync(err: unknown): boolean {
  const e = err as { statusCode?: unknown; code?: unknown } | null;
  if (e?.statusCode === 410) return true;
  return typeof e?.code === 'string' && /^(syncStateNotFound|syncStateInvalid|resyncRequired)$/i.test(e.code);
}

function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

function parseCursor(cursor: string | undefined): GraphMailCursor | undefined {
  return parseSourceCursor(cursorSchema, cursor, 'Graph mail');
}
