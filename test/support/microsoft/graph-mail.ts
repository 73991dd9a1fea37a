/**
 * Graph v1.0 mail as a `Mail.ReadBasic` client sees it: `/me`, mail folders and their
 * child folders, per-folder message delta (skipToken nextLinks and deltaToken
 * deltaLinks as absolute https URLs, `$select`, `Prefer: odata.maxpagesize` capped,
 * immutable or regular ids per `Prefer: IdType`, `@removed` for messages deleted or
 * moved away, 410 `SyncStateNotFound` for an expired token) and single messages with
 * `$select` (what `$batch` parts read).
 */
import type { Handler, RequestContext } from './server.ts';
import { sendGraphError, sendJson } from './server.ts';
import type { GraphFolder, GraphMailbox, StoredGraphMessage } from './graph-mailbox.ts';

export { GraphMailbox } from './graph-mailbox.ts';
export type { GraphFolder, GraphHeader, GraphRecipient, NewGraphMessage, StoredGraphMessage } from './graph-mailbox.ts';

/** Options of {@link graphMailHandler}. */
export interface GraphMailOptions {
  /**
   * Largest page delta serves, whatever the Prefer header asks. Microsoft documents no
   * maximum for message delta; Outlook caps `$top` at 1,000. @default 1000
   */
  maxPageSize?: number;
  /** Page size without `Prefer: odata.maxpagesize` (Graph's default). @default 10 */
  defaultPageSize?: number;
  /**
   * Whether delta returns `internetMessageHeaders` when selected. False models a server
   * that leaves them out, which makes clients read them per message. @default true
   */
  headersInDelta?: boolean;
}

/** Properties `Mail.ReadBasic` withholds: selecting one answers 403. */
const BODY_PROPERTIES = new Set(['body', 'bodypreview', 'uniquebody', 'attachments', 'extensions']);
const DEFAULT_SELECT = [
  'subject', 'from', 'sender', 'toRecipients', 'ccRecipients', 'bccRecipients', 'sentDateTime', 'receivedDateTime',
  'internetMessageId', 'conversationId', 'parentFolderId', 'inferenceClassification', 'isDraft', 'isRead',
];

/** Server-side state of a round being paged (what a real skipToken encodes). */
interface Session {
  folderId: string;
  /** Immutable ids (initial round) or changes (tracked round) still to serve. */
  entries: Array<{ immutableId: string; regularId?: string; removed: boolean }>;
  endSeq: number;
  select: string[] | null;
}

const ME = /^\/v1\.0\/(?:me|users\/([^/]+))(?:\/(.*))?$/;

/**
 * A handler serving `mailbox` (or the mailbox of the request's user) under `/v1.0/me`.
 */
export function graphMailHandler(mailbox: GraphMailbox | ((user: string) => GraphMailbox | undefined), opts: GraphMailOptions = {}): Handler {
  const mailboxOf = typeof mailbox === 'function' ? mailbox : (): GraphMailbox => mailbox;
  const maxPage = opts.maxPageSize ?? 1000;
  const defaultPage = opts.defaultPageSize ?? 10;
  const sessions = new Map<string, Session>();
  let nextSession = 0;

  return async (req, res, url, ctx) => {
    const m = ME.exec(url.pathname);
    if (!m || req.method !== 'GET') return false;
    const rest = (m[2] ?? '').split('/').map((s) => decodeURIComponent(s));
    const box = mailboxOf(ctx.user ?? 'me');
    if (!box) {
      sendGraphError(res, 404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.');
      return true;
    }
    const q = url.searchParams;
    const immutable = /IdType\s*=\s*"?ImmutableId"?/i.test(ctx.prefer);
    const select = parseSelect(q.get('$select'));
    if (select?.some((p) => BODY_PROPERTIES.has(p.toLowerCase()))) {
      sendGraphError(res, 403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
      return true;
    }

    if (rest.length === 1 && rest[0] === '') {
      const me = { id: 'emulated-user-id', displayName: 'Me', mail: box.address, userPrincipalName: box.userPrincipalName, proxyAddresses: box.proxyAddresses };
      sendJson(res, 200, { '@odata.context': `${ctx.origin}/v1.0/$metadata#users/$entity`, ...pick(me, select, ['id']) });
      return true;
    }
    if (rest[0] === 'messages' && rest.length === 2) {
      const msg = box.find(rest[1]!);
      if (!msg) {
        sendGraphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
        return true;
      }
      sendJson(res, 200, represent(box, msg, select, immutable, true));
      return true;
    }
    if (rest[0] !== 'mailFolders' || rest.length < 2) return false;
    const folder = box.folder(rest[1]!);
    if (!folder) {
      sendGraphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      return true;
    }
    if (rest.length === 2) {
      sendJson(res, 200, pick(folderJson(box, folder), select, ['id']));
      return true;
    }
    if (rest.length === 3 && rest[2] === 'childFolders') {
      const children = [...box.folders.values()].filter((f) => f.parentId === folder.id);
      const top = Math.min(Number(q.get('$top') ?? 10) || 10, 1000);
      const skip = Number(q.get('$skip') ?? 0) || 0;
      const body: Record<string, unknown> = { value: children.slice(skip, skip + top).map((f) => pick(folderJson(box, f), select, ['id'])) };
      if (skip + top < children.length) {
        const next = new URL(url.pathname, ctx.origin);
        if (q.get('$select')) next.searchParams.set('$select', q.get('$select')!);
        next.searchParams.set('$top', String(top));
        next.searchParams.set('$skip', String(skip + top));
        body['@odata.nextLink'] = decodeURIComponent(next.href);
      }
      sendJson(res, 200, body);
      return true;
    }
    if (rest.length === 4 && rest[2] === 'messages' && rest[3] === 'delta') {
      const asked = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(ctx.prefer);
      const pageSize = Math.max(1, Math.min(maxPage, asked ? Number(asked[1]) : defaultPage));
      const skipToken = q.get('$skiptoken');
      const deltaToken = q.get('$deltatoken');
      // A skipToken names a round and a position in it, so a nextLink asked twice (a
      // client resuming after a crash) answers the same page twice.
      let id: string;
      let offset = 0;
      if (skipToken !== null) {
        const [sid, at] = skipToken.split('.');
        if (!sid || !sessions.has(sid)) return expired(res, ctx, folder);
        id = sid;
        offset = Number(at) || 0;
      } else if (deltaToken !== null) {
        const token = decodeToken(deltaToken);
        if (!token || token.f !== folder.id) {
          sendGraphError(res, 400, 'BadRequest', 'The delta token is malformed.');
          return true;
        }
        if (token.s < folder.minSeq) return expired(res, ctx, folder);
        const changes = box.changesSince(folder.id, token.s);
        id = `sk${++nextSession}`;
        sessions.set(id, {
          folderId: folder.id,
          entries: changes.map((c) => ({ immutableId: c.immutableId, regularId: c.regularId, removed: c.kind === 'removed' })),
          endSeq: box.seq,
          select: token.sel,
        });
      } else {
        id = `sk${++nextSession}`;
        const entries = box.inFolder(folder.id).map((msg) => ({ immutableId: msg.immutableId, removed: false }));
        sessions.set(id, { folderId: folder.id, entries, endSeq: box.seq, select });
      }
      const s = sessions.get(id)!;
      const value: unknown[] = [];
      while (offset < s.entries.length && value.length < pageSize) {
        const e = s.entries[offset++]!;
        const msg = box.messages.get(e.immutableId);
        if (!e.removed && msg && msg.folderId === s.folderId) {
          value.push(represent(box, msg, s.select, immutable, opts.headersInDelta ?? true));
        } else if (e.removed && !(msg && msg.folderId === s.folderId)) {
          value.push({ '@odata.type': '#microsoft.graph.message', id: immutable ? e.immutableId : (e.regularId ?? e.immutableId), '@removed': { reason: 'deleted' } });
        }
        // An initial round skips what left the folder meanwhile: the next round reports it.
      }
      const base = `${ctx.origin}/v1.0/me/mailFolders/${encodeURIComponent(s.folderId)}/messages/delta`;
      const body: Record<string, unknown> = { '@odata.context': `${ctx.origin}/v1.0/$metadata#Collection(message)`, value };
      if (offset < s.entries.length) body['@odata.nextLink'] = `${base}?$skiptoken=${id}.${offset}`;
      else {
        body['@odata.deltaLink'] = `${base}?$deltatoken=${encodeToken({ f: s.folderId, s: s.endSeq, sel: s.select })}`;
      }
      sendJson(res, 200, body);
      return true;
    }
    return false;
  };
}

function expired(res: Parameters<Handler>[1], ctx: RequestContext, folder: GraphFolder): true {
  // Microsoft: 410 Gone with a Location header naming a fresh initial request.
  sendGraphError(res, 410, 'SyncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.', {
    Location: `${ctx.origin}/v1.0/me/mailFolders/${encodeURIComponent(folder.id)}/messages/delta`,
  });
  return true;
}

function represent(box: GraphMailbox, m: StoredGraphMessage, select: string[] | null, immutable: boolean, headers: boolean): Record<string, unknown> {
  const full: Record<string, unknown> = {
    subject: m.subject,
    from: m.from,
    sender: m.from,
    toRecipients: m.toRecipients,
    ccRecipients: m.ccRecipients,
    bccRecipients: m.bccRecipients,
    sentDateTime: m.sentDateTime,
    receivedDateTime: m.receivedDateTime,
    internetMessageId: m.internetMessageId,
    conversationId: m.conversationId,
    parentFolderId: m.folderId,
    inferenceClassification: m.inferenceClassification,
    isDraft: m.isDraft,
    isRead: m.isRead,
  };
  // internetMessageHeaders is returned only when selected (Graph's message resource).
  if (headers && select?.some((p) => p.toLowerCase() === 'internetmessageheaders')) full['internetMessageHeaders'] = m.internetMessageHeaders;
  const shown = select ?? DEFAULT_SELECT;
  const out: Record<string, unknown> = { '@odata.type': '#microsoft.graph.message', '@odata.etag': `W/"${m.immutableId.slice(-12)}"` };
  for (const key of shown) if (key in full) out[key] = full[key];
  out['id'] = box.idOf(m, immutable);
  return out;
}

function folderJson(box: GraphMailbox, f: GraphFolder): Record<string, unknown> {
  const inside = box.inFolder(f.id);
  return {
    id: f.id,
    displayName: f.displayName,
    parentFolderId: f.parentId,
    childFolderCount: [...box.folders.values()].filter((c) => c.parentId === f.id).length,
    unreadItemCount: inside.filter((m) => !m.isRead).length,
    totalItemCount: inside.length,
    isHidden: false,
  };
}

function pick(obj: Record<string, unknown>, select: string[] | null, always: string[]): Record<string, unknown> {
  if (!select) return obj;
  const out: Record<string, unknown> = {};
  for (const k of [...always, ...select]) if (k in obj) out[k] = obj[k];
  return out;
}

function parseSelect(raw: string | null): string[] | null {
  if (!raw) return null;
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

interface DeltaToken {
  f: string;
  s: number;
  sel: string[] | null;
}

function encodeToken(t: DeltaToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(raw: string): DeltaToken | null {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as DeltaToken;
    return typeof t.f === 'string' && typeof t.s === 'number' ? t : null;
  } catch {
    return null;
  }
}
