/**
 * Gmail v1 as a `gmail.metadata` client sees it: messages.list, messages.get, threads.get,
 * history.list and getProfile in the real wire format, with per-user quota accounting
 * (429 or 403 with Google's error bodies) and the metadata scope's refusals (`q`,
 * `format=full|raw`).
 */
import type { ServerResponse } from 'node:http';
import type { Handler } from './server.ts';
import { sendGoogleError, sendJson } from './server.ts';
import type { GmailMailbox, HistoryRecord, StoredMessage } from './gmail-mailbox.ts';
import { applyFields, parseFields } from './partial-response.ts';
import type { QuotaLedger } from './quota.ts';

export { GmailMailbox } from './gmail-mailbox.ts';
export type { GmailHeader, HistoryRecord, NewMessage, StoredMessage } from './gmail-mailbox.ts';

/** Quota accounting for the Gmail handler. */
export interface GmailQuota {
  ledger: QuotaLedger;
  /** Units per method (GMAIL_QUOTA_2026.costs, GMAIL_QUOTA_LEGACY.costs). */
  costs: Readonly<Record<'messages.get' | 'threads.get' | 'messages.list' | 'history.list' | 'getProfile', number>>;
  /**
   * How Google says "over quota": 429 `rateLimitExceeded` (the usual), or 403 with
   * `rateLimitExceeded` or `userRateLimitExceeded`. @default 429
   */
  refuseWith?: 429 | 403;
  reason403?: 'rateLimitExceeded' | 'userRateLimitExceeded';
}

type Method = keyof GmailQuota['costs'];

const ROUTE = /^\/gmail\/v1\/users\/([^/]+)\/(messages|threads|history|profile)(?:\/([^/]+))?$/;

/**
 * A handler serving `mailbox` (or the mailbox of the request's user) under
 * `/gmail/v1/users/{userId}/...`.
 */
export function gmailHandler(
  mailbox: GmailMailbox | ((user: string) => GmailMailbox | undefined),
  quota?: GmailQuota,
): Handler {
  const mailboxOf = typeof mailbox === 'function' ? mailbox : (): GmailMailbox => mailbox;
  return async (req, res, url, ctx) => {
    const m = ROUTE.exec(url.pathname);
    if (!m || req.method !== 'GET') return false;
    const [, userId, collection, id] = m as unknown as [string, string, string, string | undefined];
    const user = ctx.user ?? 'me';
    const box = mailboxOf(user);
    if (!box || (userId !== 'me' && userId !== box.emailAddress)) {
      sendGoogleError(res, 403, `Delegation denied for ${box?.emailAddress ?? user}`, 'forbidden');
      return true;
    }
    const method: Method | null =
      collection === 'profile' ? 'getProfile'
      : collection === 'history' ? 'history.list'
      : collection === 'threads' ? (id ? 'threads.get' : null)
      : id ? 'messages.get' : 'messages.list';
    if (method === null) {
      sendGoogleError(res, 404, 'Not Found', 'notFound');
      return true;
    }
    if (quota && !charge(quota, user, method, res)) return true;
    const q = url.searchParams;
    const reply = (body: unknown): true => {
      const fields = q.get('fields');
      sendJson(res, 200, fields ? applyFields(body, parseFields(fields)) : body);
      return true;
    };
    switch (method) {
      case 'getProfile':
        return reply({
          emailAddress: box.emailAddress,
          messagesTotal: box.messages.size,
          threadsTotal: box.threadCount(),
          historyId: String(box.historyId),
        });
      case 'messages.list':
        return listMessages(box, q, res, reply);
      case 'messages.get': {
        const msg = box.messages.get(id!);
        if (!msg) return notFound(res);
        if (!formatAllowed(q, res)) return true;
        return reply(render(msg, q));
      }
      case 'threads.get': {
        const msgs = box.thread(id!);
        if (msgs.length === 0) return notFound(res);
        if (!formatAllowed(q, res)) return true;
        const historyId = Math.max(...msgs.map((x) => x.historyId));
        return reply({ id, historyId: String(historyId), messages: msgs.map((x) => render(x, q)) });
      }
      case 'history.list':
        return listHistory(box, q, res, reply);
    }
  };
}

function charge(quota: GmailQuota, user: string, method: Method, res: ServerResponse): boolean {
  const units = quota.costs[method];
  if (quota.ledger.charge(user, units)) return true;
  if (quota.refuseWith === 403) {
    sendGoogleError(
      res,
      403,
      "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'gmail.googleapis.com' for consumer 'project_number:1000000000'.",
      quota.reason403 ?? 'rateLimitExceeded',
      { domain: 'usageLimits' },
    );
  } else {
    // Two spaces after the full stop, as Google writes it.
    sendGoogleError(res, 429, `User-rate limit exceeded.  Retry after ${quota.ledger.retryAt(user, units)}`, 'rateLimitExceeded');
  }
  return false;
}

function notFound(res: ServerResponse): true {
  sendGoogleError(res, 404, 'Requested entity was not found.', 'notFound');
  return true;
}

/** The metadata scope refuses `format=full` (the default) and `format=raw`. */
function formatAllowed(q: URLSearchParams, res: ServerResponse): boolean {
  const format = (q.get('format') ?? 'full').toLowerCase();
  if (format === 'metadata' || format === 'minimal') return true;
  sendGoogleError(res, 403, `Metadata scope doesn't allow format ${format.toUpperCase()}`, 'forbidden');
  return false;
}

function render(m: StoredMessage, q: URLSearchParams): Record<string, unknown> {
  const base = {
    id: m.id,
    threadId: m.threadId,
    labelIds: [...m.labelIds],
    historyId: String(m.historyId),
    internalDate: String(m.internalDate),
    sizeEstimate: 2_000 + m.headers.reduce((n, h) => n + h.name.length + h.value.length + 4, 0),
  };
  if ((q.get('format') ?? '').toLowerCase() === 'minimal') return base;
  const wanted = q.getAll('metadataHeaders').map((h) => h.toLowerCase());
  const headers = wanted.length === 0 ? m.headers : m.headers.filter((h) => wanted.includes(h.name.toLowerCase()));
  return { ...base, payload: { partId: '', mimeType: 'multipart/alternative', filename: '', headers: headers.map((h) => ({ ...h })) } };
}

function pageSize(q: URLSearchParams, res: ServerResponse): number | null {
  const raw = q.get('maxResults');
  if (raw === null) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    sendGoogleError(res, 400, `Invalid value for maxResults: ${raw}`, 'invalid');
    return null;
  }
  return Math.min(n, 500);
}

function listMessages(box: GmailMailbox, q: URLSearchParams, res: ServerResponse, reply: (b: unknown) => true): true {
  if (q.has('q')) {
    sendGoogleError(res, 403, "Metadata scope does not support 'q' parameter", 'forbidden');
    return true;
  }
  const max = pageSize(q, res);
  if (max === null) return true;
  const includeSpamTrash = q.get('includeSpamTrash') === 'true';
  const labels = q.getAll('labelIds');
  const all = box.newestFirst().filter(
    (m) =>
      (includeSpamTrash || !(m.labelIds.includes('SPAM') || m.labelIds.includes('TRASH'))) &&
      labels.every((l) => m.labelIds.includes(l)),
  );
  // The page token names the last message returned, so pages stay stable while mail arrives.
  let start = 0;
  const token = q.get('pageToken');
  if (token) {
    const after = decodeToken(token);
    if (!after) {
      sendGoogleError(res, 400, 'Invalid pageToken', 'invalid');
      return true;
    }
    start = all.findIndex((m) => m.internalDate < after.t || (m.internalDate === after.t && m.id < after.id));
    if (start < 0) start = all.length;
  }
  const page = all.slice(start, start + max);
  const last = page.at(-1);
  const body: Record<string, unknown> = {};
  if (page.length > 0) body.messages = page.map((m) => ({ id: m.id, threadId: m.threadId }));
  if (last && start + max < all.length) body.nextPageToken = encodeToken({ t: last.internalDate, id: last.id });
  body.resultSizeEstimate = all.length;
  return reply(body);
}

function listHistory(box: GmailMailbox, q: URLSearchParams, res: ServerResponse, reply: (b: unknown) => true): true {
  const startRaw = q.get('startHistoryId');
  if (!startRaw || !/^\d+$/.test(startRaw)) {
    sendGoogleError(res, 400, 'Missing or invalid startHistoryId', 'invalidArgument');
    return true;
  }
  const start = Number(startRaw);
  if (start < box.oldestHistoryId) return notFound(res);
  const max = pageSize(q, res);
  if (max === null) return true;
  const token = q.get('pageToken');
  const after = token ? Number(Buffer.from(token, 'base64url').toString()) : start;
  const types = q.getAll('historyTypes');
  const labelId = q.get('labelId');
  const records: HistoryRecord[] = [];
  for (const rec of box.history) {
    if (rec.id <= after) continue;
    const r = filterRecord(rec, types, labelId);
    if (r) records.push(r);
  }
  const page = records.slice(0, max);
  const body: Record<string, unknown> = {};
  if (page.length > 0) body.history = page.map((r) => ({ ...r, id: String(r.id) }));
  if (records.length > max) body.nextPageToken = Buffer.from(String(page.at(-1)!.id)).toString('base64url');
  body.historyId = String(box.historyId);
  return reply(body);
}

const TYPE_FIELDS: Record<string, 'messagesAdded' | 'messagesDeleted' | 'labelsAdded' | 'labelsRemoved'> = {
  messageAdded: 'messagesAdded',
  messageDeleted: 'messagesDeleted',
  labelAdded: 'labelsAdded',
  labelRemoved: 'labelsRemoved',
};

/** Keeps only the asked history types (all when none asked); null when nothing is left. */
function filterRecord(rec: HistoryRecord, types: string[], labelId: string | null): HistoryRecord | null {
  if (labelId) {
    const refs = [...(rec.messagesAdded ?? []), ...(rec.messagesDeleted ?? [])];
    const changes = [...(rec.labelsAdded ?? []), ...(rec.labelsRemoved ?? [])];
    const touches =
      refs.some((r) => r.message.labelIds?.includes(labelId)) ||
      changes.some((c) => c.labelIds.includes(labelId) || c.message.labelIds?.includes(labelId));
    if (!touches) return null;
  }
  if (types.length === 0) return rec;
  const out: HistoryRecord = { id: rec.id, messages: rec.messages };
  let any = false;
  for (const t of types) {
    const field = TYPE_FIELDS[t];
    if (field && rec[field]) {
      out[field] = rec[field] as never;
      any = true;
    }
  }
  return any ? out : null;
}

function encodeToken(after: { t: number; id: string }): string {
  return Buffer.from(JSON.stringify(after)).toString('base64url');
}

function decodeToken(token: string): { t: number; id: string } | null {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString()) as { t?: unknown; id?: unknown };
    return typeof v.t === 'number' && typeof v.id === 'string' ? { t: v.t, id: v.id } : null;
  } catch {
    return null;
  }
}
