/**
 * The base of the Microsoft emulators: an https loopback server (self-signed certificate
 * from tls.ts) that checks the bearer token, throttles per mailbox as Graph does
 * (requests per window and concurrent requests, 429 with Retry-After), injects faults,
 * serves `$batch` by dispatching each part to the handlers with its own throttling, and
 * logs every request and part with the clock's time, so tests can check the gaps a
 * client left after a Retry-After and the concurrency it reached.
 *
 * Handlers see the full path, version included (`/v1.0/me/...`), and must answer with
 * `res.writeHead` + `res.end` (as {@link sendJson} does): `$batch` parts run through the
 * same handlers with a stand-in response object.
 */
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Clock } from '#lib/time/clock.ts';
import { systemClock } from '#lib/time/clock.ts';
import { makeTestCertificate } from './tls.ts';

/** What the server knows about a request when a handler runs. */
export interface RequestContext {
  /** The mailbox the bearer token maps to; null on public paths (the identity platform). */
  user: string | null;
  /** The emulator's clock time at arrival. */
  at: number;
  /** The `Prefer` header (outer request's or the part's), '' when absent. */
  prefer: string;
  /** The server's origin, for absolute nextLink/deltaLink URLs. */
  origin: string;
}

/** Serves a request and returns true, or returns false to let the next handler try. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, ctx: RequestContext) => Promise<boolean>;

/** One logged request or `$batch` part. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  at: number;
  user: string | null;
  /** Response status; 0 while pending or when the connection was reset. */
  status: number;
  prefer: string;
  /** The Retry-After the answer carried, in seconds. */
  retryAfter?: number;
  /** Set on `$batch` parts: the index of the batch among batches. */
  batch?: number;
}

/** A fault answered instead of the real response for requests (or parts) matching `path`. */
export interface Fault {
  /** A substring of the path or a pattern it must match. */
  path: string | RegExp;
  method?: string;
  /** How many matching requests it hits. @default 1 */
  times?: number;
  /** Drop the connection instead of answering (ECONNRESET at the client; not for parts). */
  reset?: boolean;
  /** @default 503 */
  status?: number;
  /** Graph error code for the body. @default by status */
  code?: string;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  headers?: Record<string, string>;
}

/** Graph's per-mailbox limits (Outlook: 10,000 requests per 10 minutes, 4 concurrent). */
export interface ThrottleLimits {
  /** Requests (and `$batch` parts) per window per mailbox. @default 10_000 */
  limit: number;
  /** @default 600_000 */
  windowMs: number;
  /** Concurrent requests per mailbox. @default 4 */
  maxConcurrent: number;
  /** Retry-After for a concurrency refusal, seconds. @default 1 */
  concurrencyRetryAfter: number;
}

/** Options of {@link startMicrosoftEmulator}. */
export interface MicrosoftEmulatorOptions {
  /** Real delay before each answer, ms: for concurrency tests and benchmarks. @default 0 */
  latencyMs?: number;
  handlers?: Handler[];
  /** The clock requests are logged and throttled with. @default systemClock */
  clock?: Clock;
  /** Maps a bearer token to its mailbox, or null to refuse it with 401. @default any token is `me` */
  authenticate?: (token: string) => string | null;
  /** Graph's throttling; false turns it off. @default Graph's limits */
  throttle?: Partial<ThrottleLimits> | false;
  /** Paths served without a bearer token. @default identity platform paths (not /v1.0, /beta) */
  publicPaths?: RegExp;
}

/** A running emulator. */
export interface MicrosoftEmulator {
  /** Origin, e.g. https://127.0.0.1:4431 (no trailing slash). */
  readonly url: string;
  /** `SINEW_GRAPH_BASE_URL` for this emulator: `${url}/v1.0`. */
  readonly graphUrl: string;
  /** The certificate to trust (graphClient's `ca`). */
  readonly ca: string;
  readonly requests: LoggedRequest[];
  /** Most requests of one mailbox in flight at once, per mailbox. */
  readonly highWater: Map<string, number>;
  latencyMs: number;
  authenticate: (token: string) => string | null;
  fault(f: Fault): void;
  /** Drops every queued fault. */
  clearFaults(): void;
  use(handler: Handler): void;
  /** Requests and parts whose path contains `fragment` (all when omitted). */
  count(fragment?: string): number;
  close(): Promise<void>;
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BadRequest', 401: 'InvalidAuthenticationToken', 403: 'ErrorAccessDenied', 404: 'ErrorItemNotFound',
  410: 'SyncStateNotFound', 429: 'ApplicationThrottled', 500: 'InternalServerError', 503: 'ServiceUnavailable', 504: 'GatewayTimeout',
};

/** Sends a JSON body (works for real responses and `$batch` part stand-ins). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  // setHeader (not writeHead's argument) so the request log can read Retry-After back.
  const all = { 'Content-Type': 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8', ...headers };
  for (const [k, v] of Object.entries(all)) res.setHeader(k, v);
  res.writeHead(status);
  res.end(text);
}

/** Sends Graph's error envelope `{ error: { code, message, innerError } }`. */
export function sendGraphError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { code, message, innerError: { date: new Date(0).toISOString(), 'request-id': 'emulator', 'client-request-id': 'emulator' } } }, headers);
}

/** Starts the emulator on 127.0.0.1 with an ephemeral port. */
export async function startMicrosoftEmulator(opts: MicrosoftEmulatorOptions = {}): Promise<MicrosoftEmulator> {
  const clock = opts.clock ?? systemClock;
  const { key, cert } = await makeTestCertificate();
  const handlers = [...(opts.handlers ?? [])];
  const faults: Array<Fault & { left: number }> = [];
  const requests: LoggedRequest[] = [];
  const inFlight = new Map<string, number>();
  const highWater = new Map<string, number>();
  const recent = new Map<string, number[]>();
  const limits: ThrottleLimits | null =
    opts.throttle === false ? null : { limit: 10_000, windowMs: 600_000, maxConcurrent: 4, concurrencyRetryAfter: 1, ...opts.throttle };
  const publicPaths = opts.publicPaths ?? /^\/(?!v1\.0\/|beta\/)/;
  let batches = 0;
  let origin = '';

  const emulator = {
    url: '',
    graphUrl: '',
    ca: cert,
    requests,
    highWater,
    latencyMs: opts.latencyMs ?? 0,
    authenticate: opts.authenticate ?? ((): string => 'me'),
    fault(f: Fault) {
      faults.push({ ...f, left: f.times ?? 1 });
    },
    clearFaults() {
      faults.length = 0;
    },
    use(handler: Handler) {
      handlers.push(handler);
    },
    count(fragment?: string) {
      return fragment === undefined ? requests.length : requests.filter((r) => r.path.includes(fragment)).length;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  /** Charges one request to `user`'s window; the seconds to wait when over the limit. */
  const charge = (user: string): number | null => {
    if (!limits) return null;
    const now = clock.now();
    const list = (recent.get(user) ?? []).filter((t) => t > now - limits.windowMs);
    if (list.length >= limits.limit) {
      recent.set(user, list);
      return Math.max(1, Math.ceil((list[0]! + limits.windowMs - now) / 1000));
    }
    list.push(now);
    recent.set(user, list);
    return null;
  };

  const takeFault = (entry: LoggedRequest): (Fault & { left: number }) | undefined => {
    const f = faults.find((x) => x.left > 0 && matches(x, entry));
    if (f) f.left--;
    return f;
  };

  const answerFault = (res: ServerResponse, f: Fault): void => {
    const status = f.status ?? 503;
    const headers: Record<string, string> = { ...f.headers };
    if (f.retryAfter !== undefined) headers['Retry-After'] = String(f.retryAfter);
    sendGraphError(res, status, f.code ?? DEFAULT_CODES[status] ?? 'UnknownError', `Injected fault ${status}`, headers);
  };

  /** Runs the handlers for one request or part. */
  const dispatch = async (req: IncomingMessage, res: ServerResponse, url: URL, ctx: RequestContext): Promise<void> => {
    for (const handler of handlers) {
      if (await handler(req, res, url, ctx)) return;
    }
    sendGraphError(res, 404, 'ResourceNotFound', `Resource not found for the segment '${url.pathname}'.`);
  };

  const serveBatch = async (req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> => {
    const raw = await readBody(req);
    let payload: { requests?: Array<{ id?: string; method?: string; url?: string; headers?: Record<string, string> }> };
    try {
      payload = JSON.parse(raw) as typeof payload;
    } catch {
      sendGraphError(res, 400, 'BadRequest', 'Invalid batch payload format.');
      return;
    }
    const parts = payload.requests ?? [];
    if (parts.length === 0 || parts.length > 20) {
      sendGraphError(res, 400, 'BadRequest', `Number of requests in a batch must be 1 to 20 (got ${parts.length}).`);
      return;
    }
    const n = ++batches;
    const responses = [];
    for (const part of parts) {
      const partUrl = new URL(`/v1.0${part.url?.startsWith('/') ? '' : '/'}${part.url ?? ''}`, origin);
      const partHeaders = Object.fromEntries(Object.entries(part.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const entry: LoggedRequest = {
        method: (part.method ?? 'GET').toUpperCase(), path: partUrl.pathname, query: partUrl.searchParams, at: clock.now(),
        user: ctx.user, status: 0, prefer: partHeaders['prefer'] ?? '', batch: n,
      };
      requests.push(entry);
      const stand = new PartResponse();
      const out = stand as unknown as ServerResponse;
      const fault = takeFault(entry);
      const wait = fault ? null : charge(ctx.user ?? 'me');
      if (fault) answerFault(out, fault);
      else if (wait !== null) {
        sendGraphError(out, 429, 'ApplicationThrottled', 'Application is over its MailboxRequests limit.', { 'Retry-After': String(wait) });
      } else {
        const partReq = { method: entry.method, url: partUrl.pathname + partUrl.search, headers: { ...partHeaders, authorization: req.headers.authorization } };
        await dispatch(partReq as unknown as IncomingMessage, out, partUrl, { ...ctx, prefer: entry.prefer });
      }
      entry.status = stand.statusCode;
      const retryAfter = stand.headers['Retry-After'];
      if (retryAfter !== undefined) entry.retryAfter = Number(retryAfter);
      responses.push({ id: part.id, status: stand.statusCode, headers: stand.headers, body: stand.json() });
    }
    sendJson(res, 200, { responses });
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const prefer = headerText(req.headers.prefer);
    const entry: LoggedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, at: clock.now(), user: null, status: 0, prefer };
    requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      const ra = res.getHeader('Retry-After');
      if (ra !== undefined) entry.retryAfter = Number(ra);
    });
    if (!publicPaths.test(url.pathname)) {
      const auth = req.headers.authorization;
      const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : '';
      const user = token ? emulator.authenticate(token) : null;
      if (user === null) {
        const why = token ? 'Lifetime validation failed, the token is expired.' : 'Access token is empty.';
        sendGraphError(res, 401, 'InvalidAuthenticationToken', why, { 'WWW-Authenticate': 'Bearer realm="", error="invalid_token"' });
        return;
      }
      entry.user = user;
      const n = (inFlight.get(user) ?? 0) + 1;
      inFlight.set(user, n);
      highWater.set(user, Math.max(highWater.get(user) ?? 0, n));
      res.on('close', () => inFlight.set(user, (inFlight.get(user) ?? 1) - 1));
      if (limits && n > limits.maxConcurrent) {
        sendGraphError(res, 429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', { 'Retry-After': String(limits.concurrencyRetryAfter) });
        return;
      }
    }
    if (emulator.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, emulator.latencyMs));
    const fault = takeFault(entry);
    if (fault) {
      if (fault.reset) req.socket.destroy();
      else answerFault(res, fault);
      return;
    }
    const ctx: RequestContext = { user: entry.user, at: entry.at, prefer, origin };
    if (req.method === 'POST' && /^\/(v1\.0|beta)\/\$batch$/.test(url.pathname)) {
      await serveBatch(req, res, ctx);
      return;
    }
    if (entry.user !== null) {
      const wait = charge(entry.user);
      if (wait !== null) {
        sendGraphError(res, 429, 'ApplicationThrottled', 'Application is over its MailboxRequests limit.', { 'Retry-After': String(wait) });
        return;
      }
    }
    await dispatch(req, res, url, ctx);
  };

  const server: Server = createServer({ key, cert }, (req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendGraphError(res, 500, 'InternalServerError', `emulator failure: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emulator.url = origin;
  emulator.graphUrl = `${origin}/v1.0`;
  return emulator;
}

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function headerText(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

function matches(f: Fault, r: LoggedRequest): boolean {
  if (f.method && f.method.toUpperCase() !== r.method) return false;
  return typeof f.path === 'string' ? r.path.includes(f.path) : f.path.test(r.path);
}

/**
 * What a handler writes for a `$batch` part: status, headers (keys as Graph spells them,
 * `Content-Type` exactly, which the Graph SDK's batch reader looks up) and body.
 */
class PartResponse {
  statusCode = 200;
  headersSent = false;
  readonly headers: Record<string, string> = {};
  private chunks: string[] = [];

  writeHead(status: number, headers: Record<string, string | number> = {}): this {
    this.statusCode = status;
    for (const [k, v] of Object.entries(headers)) this.setHeader(k, String(v));
    this.headersSent = true;
    return this;
  }

  setHeader(name: string, value: string): this {
    const canonical = name.toLowerCase().split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-');
    if (canonical === 'Content-Length') return this;
    this.headers[canonical] = value;
    return this;
  }

  getHeader(name: string): string | undefined {
    return Object.entries(this.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  }

  end(data?: string | Buffer): this {
    if (data !== undefined) this.chunks.push(data.toString());
    this.headersSent = true;
    return this;
  }

  json(): unknown {
    const text = this.chunks.join('');
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
}
