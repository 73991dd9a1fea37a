import { ProviderUnavailableError, ReconnectRequiredError } from '#lib/errors.ts';
import type { Clock } from '#lib/time/clock.ts';

/**
 * What a failed Google API call means for the caller:
 * - `rate-limit`: 429, or 403 with `rateLimitExceeded`/`userRateLimitExceeded`: wait at least 1 s;
 * - `transient`: 500/502/503/504 or a dropped connection: retry with backoff;
 * - `reconnect`: the grant is gone (`invalid_grant`, 401): only the owner can fix it;
 * - `fatal`: anything else (400, 403 scope, 404...): the caller decides.
 */
export interface GoogleFailure {
  kind: 'rate-limit' | 'transient' | 'reconnect' | 'fatal';
  status: number | undefined;
  /** Google's `errors[0].reason`, the OAuth `error`, or the network error code. */
  reason: string | undefined;
  /** From `Retry-After` or Google's "Retry after <time>" message, in ms from now. */
  retryAfterMs: number | undefined;
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
const TRANSIENT_STATUSES = new Set([500, 502, 503, 504]);
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN',
  // undici's, under Node's fetch
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

interface GaxiosLike {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  response?: { status?: number; data?: unknown; headers?: unknown };
  cause?: unknown;
}

/**
 * The network error code of a failure: gaxios over node-fetch puts it on the error, over
 * Node's fetch (what Sinew's clients use) it lies in the cause chain
 * (`fetch failed` → `UND_ERR_SOCKET`, `ECONNRESET`, ...).
 */
function networkCode(e: GaxiosLike): string | undefined {
  let current: unknown = e;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Classifies an error thrown by a googleapis client (a GaxiosError: `response.status`,
 * `response.data.error.errors[0].reason`, `response.headers`, `code` for network errors)
 * or by google-auth-library while refreshing a token (`{ error: 'invalid_grant' }`).
 *
 * @param now the clock's time, to turn a Retry-After date into a delay.
 */
export function classifyGoogleError(err: unknown, now: number): GoogleFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as GaxiosLike;
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : undefined);
  const data = e.response?.data as { error?: unknown; error_description?: unknown } | string | undefined;
  const apiError = typeof data === 'object' && data !== null && typeof data.error === 'object' && data.error !== null
    ? (data.error as { message?: string; status?: string; errors?: Array<{ reason?: string; message?: string }> })
    : undefined;
  const oauthError = typeof data === 'object' && data !== null && typeof data.error === 'string' ? data.error : undefined;
  const reason = apiError?.errors?.[0]?.reason ?? oauthError ?? networkCode(e);
  const message = apiError?.message ?? (typeof e.message === 'string' ? e.message : '');
  const retryAfterMs = retryAfter(e.response?.headers, message, now);
  const base = { status, reason, retryAfterMs };

  if (oauthError === 'invalid_grant' || /\binvalid_grant\b/.test(message)) return { kind: 'reconnect', ...base };
  if (status === 401) return { kind: 'reconnect', ...base };
  if (status === 429) return { kind: 'rate-limit', ...base };
  if (status === 403 && reason !== undefined && RATE_LIMIT_REASONS.has(reason)) return { kind: 'rate-limit', ...base };
  if (status !== undefined && TRANSIENT_STATUSES.has(status)) return { kind: 'transient', ...base };
  if (status === undefined && isNetworkError(e, message)) return { kind: 'transient', ...base };
  return { kind: 'fatal', ...base };
}

function isNetworkError(e: GaxiosLike, message: string): boolean {
  const code = networkCode(e);
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  return /socket hang up|ECONNRESET|ETIMEDOUT|other side closed/i.test(message);
}

/** Retry-After (seconds or an HTTP date), else Google's "Retry after 2026-...Z" text. */
function retryAfter(headers: unknown, message: string, now: number): number | undefined {
  let raw: string | null | undefined;
  if (headers && typeof (headers as Headers).get === 'function') raw = (headers as Headers).get('retry-after');
  else if (headers && typeof headers === 'object') raw = (headers as Record<string, string | undefined>)['retry-after'];
  if (raw) {
    const seconds = Number(raw);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(raw);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const m = /Retry after (\d{4}-\d{2}-\d{2}T[\d:.]+Z)/i.exec(message);
  if (m) return Math.max(0, Date.parse(m[1]!) - now);
  return undefined;
}

/** Options of {@link withRetry}. */
export interface RetryOptions {
  clock: Clock;
  /** Uniform [0, 1): injectable so tests are deterministic. @default Math.random */
  random?: () => number;
  /** Attempts in all, the first included. @default 8 */
  maxAttempts?: number;
  /** Backoff ceiling grows as base × 2^retry. @default 1000 */
  baseDelayMs?: number;
  /** @default 64_000 */
  maxDelayMs?: number;
  /** Least wait after a rate-limit answer (DESIGN 8). @default 1000 */
  minRateLimitDelayMs?: number;
  /** A Retry-After longer than this (a daily limit) gives up at once. @default 300_000 */
  maxRetryAfterMs?: number;
  /** Told about each retry before its wait, e.g. to make a governor back off too. */
  onRetry?: (failure: GoogleFailure, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

/**
 * Calls `attempt` until it succeeds, retrying rate limits, 5xx and dropped connections
 * with exponential backoff and full jitter (a uniform wait up to base × 2^retry), never
 * less than `minRateLimitDelayMs` after a rate limit and never less than Retry-After.
 *
 * @throws ReconnectRequiredError for `invalid_grant` or 401.
 * @throws ProviderUnavailableError when the attempts run out or Retry-After is too long.
 * @throws the original error when it is not retryable (400, 404, 403 scope...).
 */
export async function withRetry<T>(attempt: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const random = opts.random ?? Math.random;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 8);
  const base = opts.baseDelayMs ?? 1000;
  const cap = opts.maxDelayMs ?? 64_000;
  const minRateLimit = opts.minRateLimitDelayMs ?? 1000;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 300_000;
  for (let n = 1; ; n++) {
    opts.signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      const failure = classifyGoogleError(err, opts.clock.now());
      const what = describe(failure);
      if (failure.kind === 'reconnect') {
        throw new ReconnectRequiredError(`Google refused the account's grant (${what}): reconnect the account`, { cause: err });
      }
      if (failure.kind === 'fatal') throw err;
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > maxRetryAfter) {
        throw new ProviderUnavailableError(
          `Google asks to retry only after ${Math.round(failure.retryAfterMs / 1000)} s (${what}): try the sync later`,
          failure.status,
          { cause: err },
        );
      }
      if (n >= maxAttempts) {
        throw new ProviderUnavailableError(
          `Google API still failing after ${n} attempts (${what}): try the sync later`,
          failure.status,
          { cause: err },
        );
      }
      let delay = random() * Math.min(cap, base * 2 ** (n - 1));
      if (failure.kind === 'rate-limit') delay = Math.max(delay, minRateLimit);
      if (failure.retryAfterMs !== undefined) delay = Math.max(delay, failure.retryAfterMs);
      delay = Math.ceil(delay);
      opts.onRetry?.(failure, n, delay);
      await opts.clock.sleep(delay);
    }
  }
}

function describe(f: GoogleFailure): string {
  return [f.status ?? 'no response', f.reason].filter((x) => x !== undefined).join(' ');
}
