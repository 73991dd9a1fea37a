/**
 * The base of the Google emulators: a loopback HTTP server that authenticates the bearer
 * token, logs every request, injects faults and latency, and hands each request to the
 * first handler (OAuth, Gmail, Calendar) that claims it.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '#lib/time/clock.ts';
import { systemClock } from '#lib/time/clock.ts';

/** What the server knows about a request when a handler runs. */
export interface RequestContext {
  /** The user the bearer token maps to; null for unauthenticated endpoints (OAuth). */
  user: string | null;
  /** The emulator's clock time at arrival. */
  at: number;
}

/** Serves a request and returns true, or returns false to let the next handler try. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, ctx: RequestContext) => Promise<boolean>;

/** One logged request. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  at: number;
  user: string | null;
  /** Response status; 0 when the connection was reset. */
  status: number;
}

/** A fault answered instead of the real response for requests matching `path`. */
export interface Fault {
  /** A substring of the path or a pattern it must match. */
  path: string | RegExp;
  method?: string;
  /** How many matching requests it hits. @default 1 */
  times?: number;
  /** Drop the connection instead of answering (ECONNRESET at the client). */
  reset?: boolean;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Options of {@link startGoogleEmulator}. */
export interface EmulatorOptions {
  /** Real delay before each answer: for benchmarks only, tests keep 0. */
  latencyMs?: number;
  handlers?: Handler[];
  /** The clock requests are logged and quota is counted with. @default systemClock */
  clock?: Clock;
  /**
   * Maps a bearer token to its user, or null to refuse it with 401. The OAuth emulator
   * plugs its token table in here. By default any token is accepted as user `me`.
   */
  authenticate?: (token: string) => string | null;
  /**
   * Gmail's unpublished per-user concurrency limit: beyond it, 429 "Too many concurrent
   * requests for user". Unlimited by default.
   */
  maxConcurrentPerUser?: number;
  /** Paths served without a bearer token (the OAuth endpoints, revocation included). @default /^\/(o\/oauth2|token|revoke|oauth2)/ */
  publicPaths?: RegExp;
}

/** A running emulator. */
export interface GoogleEmulator {
  /** Root URL with a trailing slash, for `rootUrl` and the SINEW_GOOGLE_* variables. */
  readonly url: string;
  readonly requests: LoggedRequest[];
  latencyMs: number;
  authenticate: (token: string) => string | null;
  /** Queues a fault; faults fire in the order added. */
  fault(f: Fault): void;
  /** Adds a handler after those given at start. */
  use(handler: Handler): void;
  /** Requests whose path contains `fragment` (all when omitted). */
  count(fragment?: string): number;
  close(): Promise<void>;
}

/** Sends Google's JSON error envelope. */
export function sendGoogleError(
  res: ServerResponse,
  status: number,
  message: string,
  reason: string,
  extra: { domain?: string; grpcStatus?: string; headers?: Record<string, string> } = {},
): void {
  const body = {
    error: {
      code: status,
      message,
      errors: [{ message, domain: extra.domain ?? 'global', reason }],
      status: extra.grpcStatus ?? GRPC_STATUS[status] ?? 'UNKNOWN',
    },
  };
  sendJson(res, status, body, extra.headers);
}

const GRPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  410: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** Sends a JSON body the way Google does (UTF-8, `application/json; charset=UTF-8`). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Starts the emulator on 127.0.0.1 with an ephemeral port. */
export async function startGoogleEmulator(opts: EmulatorOptions = {}): Promise<GoogleEmulator> {
  const clock = opts.clock ?? systemClock;
  const handlers = [...(opts.handlers ?? [])];
  const faults: Array<Fault & { left: number }> = [];
  const requests: LoggedRequest[] = [];
  const inFlight = new Map<string, number>();
  const publicPaths = opts.publicPaths ?? /^\/(o\/oauth2|token|revoke|oauth2)/;

  const emulator = {
    url: '',
    requests,
    latencyMs: opts.latencyMs ?? 0,
    authenticate: opts.authenticate ?? ((): string => 'me'),
    fault(f: Fault) {
      faults.push({ ...f, left: f.times ?? 1 });
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

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      at: clock.now(),
      user: null,
      status: 0,
    };
    requests.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    if (!publicPaths.test(url.pathname)) {
      const auth = req.headers.authorization;
      const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : '';
      if (!token) {
        sendGoogleError(res, 401, 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'required', { headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' } });
        return;
      }
      const user = emulator.authenticate(token);
      if (user === null) {
        sendGoogleError(res, 401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'authError', { headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' } });
        return;
      }
      entry.user = user;
    }

    if (entry.user !== null && opts.maxConcurrentPerUser !== undefined) {
      const user = entry.user;
      const n = (inFlight.get(user) ?? 0) + 1;
      inFlight.set(user, n);
      res.on('close', () => inFlight.set(user, (inFlight.get(user) ?? 1) - 1));
      if (n > opts.maxConcurrentPerUser) {
        sendGoogleError(res, 429, 'Too many concurrent requests for user.', 'rateLimitExceeded');
        return;
      }
    }
    if (emulator.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, emulator.latencyMs));

    const fault = faults.find((f) => f.left > 0 && matches(f, entry));
    if (fault) {
      fault.left--;
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      sendJson(res, fault.status ?? 500, fault.body ?? {}, fault.headers);
      return;
    }

    const ctx: RequestContext = { user: entry.user, at: entry.at };
    for (const handler of handlers) {
      if (await handler(req, res, url, ctx)) return;
    }
    sendGoogleError(res, 404, `Not Found: ${url.pathname}`, 'notFound');
  };

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendGoogleError(res, 500, `emulator failure: ${(err as Error).message}`, 'backendError');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  emulator.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return emulator;
}

function matches(f: Fault, r: LoggedRequest): boolean {
  if (f.method && f.method.toUpperCase() !== r.method) return false;
  return typeof f.path === 'string' ? r.path.includes(f.path) : f.path.test(r.path);
}
