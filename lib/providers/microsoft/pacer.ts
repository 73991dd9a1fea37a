import { ProviderUnavailableError, ReconnectRequiredError } from '#lib/errors.ts';
import type { Clock } from '#lib/time/clock.ts';
import { QuotaGovernor } from '#lib/providers/governor.ts';
import type { RequestPacer } from '#lib/providers/pacer.ts';

/**
 * Outlook's limits per app and mailbox, as Microsoft documents them ("Microsoft Graph
 * service-specific throttling limits", Outlook service limits, November 2026):
 * 10,000 requests per 10 minutes and 4 concurrent requests. Each part of a `$batch`
 * counts as a request of its own.
 */
export const GRAPH_MAILBOX_LIMITS = { limit: 10_000, windowMs: 600_000, concurrency: 4 } as const;

/**
 * What a failed Graph call means for the caller:
 * - `throttled`: 429, or 503/504 with Retry-After: wait exactly Retry-After;
 * - `transient`: other 5xx or a dropped connection: back off and retry;
 * - `unauthorized`: 401: retry once with a refreshed token (the client forces it);
 * - `reconnect`: the grant is gone (invalid_grant, revoked consent): only the owner can fix it;
 * - `fatal`: anything else (400, 403, 404, 410...): the caller decides.
 */
export interface GraphFailure {
  kind: 'throttled' | 'transient' | 'unauthorized' | 'reconnect' | 'fatal';
  status: number | undefined;
  /** Graph's `error.code`, or the network error code. */
  code: string | undefined;
  /** Retry-After in ms (seconds or an HTTP date), when the answer carried one. */
  retryAfterMs: number | undefined;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'ECONNABORTED']);
/**
 * AADSTS codes meaning the refresh token or consent is gone: 50173 (grant revoked),
 * 65001 (consent missing), 700082 (refresh token expired), 70000/70008 (invalid or
 * expired grant), 50076/50079 (MFA now required), 54005 (code already redeemed).
 */
const RECONNECT_TEXT = /\b(invalid_grant|interaction_required|consent_required|AADSTS(50173|65001|700082|70000|70008|50076|50079|54005))\b/;

interface GraphErrorLike {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  body?: unknown;
  headers?: unknown;
  customError?: unknown;
  cause?: unknown;
  name?: unknown;
}

/**
 * Classifies what the Graph client threw: a `GraphError` (`statusCode`, `code`,
 * `headers` of the raw response, `body`), or a `GraphClientError` whose `customError`
 * is the token provider's error or the network error (see graphClient).
 *
 * @param now the clock's time, to turn a Retry-After date into a delay.
 */
export function classifyGraphError(err: unknown, now: number): GraphFailure {
  if (err instanceof ReconnectRequiredError) return { kind: 'reconnect', status: undefined, code: undefined, retryAfterMs: undefined };
  const e = (typeof err === 'object' && err !== null ? err : {}) as GraphErrorLike;
  if (e.customError !== undefined) {
    const inner = classifyGraphError(e.customError, now);
    if (inner.kind !== 'fatal') return inner;
  }
  const status = typeof e.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : undefined;
  const netCode = networkCode(err);
  const code = typeof e.code === 'string' && e.code !== '' ? e.code : netCode;
  const text = [e.message, e.body].filter((x) => typeof x === 'string').join(' ');
  const retryAfterMs = retryAfter(e.headers, now);
  const base = { status, code, retryAfterMs };
  if (RECONNECT_TEXT.test(text) || (typeof e.code === 'string' && RECONNECT_TEXT.test(e.code))) return { kind: 'reconnect', ...base };
  if (status === 401) return { kind: 'unauthorized', ...base };
  if (status === 429) return { kind: 'throttled', ...base };
  if ((status === 503 || status === 504) && retryAfterMs !== undefined) return { kind: 'throttled', ...base };
  if (status !== undefined && status >= 500) return { kind: 'transient', ...base };
  if (status === undefined && netCode !== undefined) return { kind: 'transient', ...base };
  return { kind: 'fatal', ...base };
}

function networkCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    const x = e as GraphErrorLike;
    if (typeof x.code === 'string' && NETWORK_CODES.has(x.code)) return x.code;
    if (typeof x.message === 'string' && /socket hang up|other side closed|ECONNRESET/i.test(x.message)) return 'ECONNRESET';
    e = x.customError ?? x.cause;
  }
  return undefined;
}

function retryAfter(headers: unknown, now: number): number | undefined {
  let raw: string | null | undefined;
  if (headers && typeof (headers as Headers).get === 'function') raw = (headers as Headers).get('retry-after');
  else if (headers && typeof headers === 'object') {
    const h = headers as Record<string, string | undefined>;
    raw = h['retry-after'] ?? h['Retry-After'];
  }
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Options of {@link createGraphPacer}. */
export interface GraphPacerOptions {
  clock: Clock;
  /** Requests in flight per mailbox. @default 4 (Outlook's limit) */
  concurrency?: number;
  /** Attempts per call, the first included. @default 8 */
  maxAttempts?: number;
  /** Uniform [0, 1) for backoff jitter. @default Math.random */
  random?: () => number;
  /** Requests per window per mailbox. @default 10,000 */
  limit?: number;
  /** @default 600_000 (10 minutes) */
  windowMs?: number;
  /** Share of the limit spent in steady state. @default 0.95 */
  utilization?: number;
  /** Backoff ceiling grows as base × 2^retry when no Retry-After came. @default 1000 */
  baseDelayMs?: number;
  /** @default 64_000 */
  maxDelayMs?: number;
  /** A Retry-After longer than this gives up at once (the next sync resumes). @default 600_000 */
  maxRetryAfterMs?: number;
  /** Largest cost one call asks for (a full `$batch`). @default 20 */
  maxCost?: number;
  /** Told about each retry, before its wait. */
  onRetry?: (failure: GraphFailure, attempt: number, delayMs: number) => void;
}

/** A {@link RequestPacer} for one mailbox, with its governor exposed for figures. */
export interface GraphPacer extends RequestPacer {
  readonly governor: QuotaGovernor;
}

/**
 * The pacer Graph sources use. `cost` is the number of Graph requests a call makes (1,
 * or the parts of a `$batch`), spent in a {@link QuotaGovernor} sized to the mailbox's
 * 10,000 requests per 10 minutes, with at most 4 calls in flight. Failures:
 * - 429 (and 503/504 with Retry-After): waits exactly Retry-After, and holds every other
 *   request of the mailbox back as long, since the limit is the mailbox's; without
 *   Retry-After, backoff with full jitter and at least 1 s;
 * - other 5xx and dropped connections: exponential backoff with full jitter;
 * - 401: retried once at once (the client then refreshes the token); a second 401, or a
 *   revoked grant from the token provider, throws ReconnectRequiredError;
 * - retries exhausted, or a Retry-After beyond `maxRetryAfterMs`: ProviderUnavailableError.
 */
export function createGraphPacer(opts: GraphPacerOptions): GraphPacer {
  const random = opts.random ?? Math.random;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 8);
  const base = opts.baseDelayMs ?? 1000;
  const cap = opts.maxDelayMs ?? 64_000;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 600_000;
  const governor = new QuotaGovernor({
    clock: opts.clock,
    limit: opts.limit ?? GRAPH_MAILBOX_LIMITS.limit,
    windowMs: opts.windowMs ?? GRAPH_MAILBOX_LIMITS.windowMs,
    utilization: opts.utilization,
    concurrency: opts.concurrency ?? GRAPH_MAILBOX_LIMITS.concurrency,
    maxCost: opts.maxCost ?? 20,
  });

  const run = async <T>(cost: number, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    let unauthorized = 0;
    for (let n = 1; ; n++) {
      signal?.throwIfAborted();
      try {
        return await governor.schedule(cost, fn, signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        const failure = classifyGraphError(err, opts.clock.now());
        const what = [failure.status ?? 'no response', failure.code].filter((x) => x !== undefined).join(' ');
        if (failure.kind === 'reconnect' || (failure.kind === 'unauthorized' && ++unauthorized > 1)) {
          const own = err instanceof ReconnectRequiredError ? err : (err as { customError?: unknown } | null)?.customError;
          if (own instanceof ReconnectRequiredError) throw own;
          throw new ReconnectRequiredError(`Microsoft refused the account's grant (${what}): reconnect the account`, { cause: err });
        }
        if (failure.kind === 'fatal') throw err;
        if (failure.retryAfterMs !== undefined && failure.retryAfterMs > maxRetryAfter) {
          throw new ProviderUnavailableError(
            `Microsoft Graph asks to retry only after ${Math.round(failure.retryAfterMs / 1000)} s (${what}): try the sync later`,
            failure.status,
            { cause: err },
          );
        }
        if (n >= maxAttempts) {
          throw new ProviderUnavailableError(`Microsoft Graph still failing after ${n} attempts (${what}): try the sync later`, failure.status, {
            cause: err,
          });
        }
        let delay: number;
        if (failure.kind === 'unauthorized') delay = 0;
        else if (failure.retryAfterMs !== undefined) delay = Math.ceil(failure.retryAfterMs);
        else {
          delay = Math.ceil(random() * Math.min(cap, base * 2 ** (n - 1)));
          if (failure.kind === 'throttled') delay = Math.max(delay, 1000);
        }
        // Throttling is per mailbox: every request of it waits, not only this one.
        if (failure.kind === 'throttled') governor.penalize(delay);
        opts.onRetry?.(failure, n, delay);
        if (delay > 0) await opts.clock.sleep(delay);
      }
    }
  };
  return { governor, run };
}
