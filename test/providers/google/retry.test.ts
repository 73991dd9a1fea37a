import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError, ReconnectRequiredError } from '#lib/errors.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { classifyGoogleError, withRetry } from '#lib/providers/google/retry.ts';

const NOW = Date.UTC(2026, 10, 23, 7);

/** A GaxiosError's shape: status, Google's error body, fetch-style headers. */
function apiError(status: number, reason?: string, headers: Record<string, string> = {}, message = 'x'): unknown {
  return {
    message,
    response: {
      status,
      headers: new Headers(headers),
      data: { error: { code: status, message, errors: reason ? [{ reason, message, domain: 'global' }] : [], status: 'X' } },
    },
  };
}

describe('classifyGoogleError', () => {
  it.each([
    [apiError(429, 'rateLimitExceeded'), 'rate-limit'],
    [apiError(403, 'rateLimitExceeded'), 'rate-limit'],
    [apiError(403, 'userRateLimitExceeded'), 'rate-limit'],
    [apiError(403, 'forbidden'), 'fatal'],
    [apiError(404, 'notFound'), 'fatal'],
    [apiError(400, 'invalid'), 'fatal'],
    [apiError(500), 'transient'],
    [apiError(502), 'transient'],
    [apiError(503), 'transient'],
    [apiError(504), 'transient'],
    [apiError(401, 'authError'), 'reconnect'],
    [{ message: 'invalid_grant', response: { status: 400, data: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } } }, 'reconnect'],
    [{ code: 'ECONNRESET', message: 'request to http://x failed, reason: socket hang up' }, 'transient'],
    [{ code: 'ETIMEDOUT', message: 'timeout' }, 'transient'],
    [{ message: 'socket hang up' }, 'transient'],
    // Over Node's fetch (issue 14): gaxios's 'fetch failed', the code deep in the causes.
    [{ message: 'fetch failed', cause: new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }) }, 'transient'],
    [{ message: 'fetch failed', cause: new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }) }, 'transient'],
    [{ message: 'fetch failed', cause: new TypeError('fetch failed', { cause: new Error('bad certificate') }) }, 'fatal'],
    [new Error('a bug'), 'fatal'],
  ])('classifies case %#', (err, kind) => {
    expect(classifyGoogleError(err, NOW).kind).toBe(kind);
  });

  it('reads Retry-After in seconds, as an HTTP date, as a plain header object, and from Google\'s message', () => {
    expect(classifyGoogleError(apiError(429, 'rateLimitExceeded', { 'retry-after': '7' }), NOW).retryAfterMs).toBe(7000);
    const date = new Date(NOW + 30_000).toUTCString();
    expect(classifyGoogleError(apiError(429, 'rateLimitExceeded', { 'retry-after': date }), NOW).retryAfterMs).toBe(30_000);
    const plain = { response: { status: 429, headers: { 'retry-after': '3' }, data: {} } };
    expect(classifyGoogleError(plain, NOW).retryAfterMs).toBe(3000);
    const text = `User-rate limit exceeded.  Retry after ${new Date(NOW + 12_000).toISOString()}`;
    expect(classifyGoogleError(apiError(429, 'rateLimitExceeded', {}, text), NOW).retryAfterMs).toBe(12_000);
  });
});

describe('withRetry', () => {
  it('backs off exponentially with full jitter, at least 1 s after a rate limit', async () => {
    const clock = new VirtualClock(NOW);
    const errors = [apiError(503), apiError(503), apiError(503), apiError(429, 'rateLimitExceeded'), apiError(503)];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (calls < errors.length) throw errors[calls++];
        return 'ok';
      },
      { clock, random: () => 0.5, baseDelayMs: 1000 },
    );
    expect(result).toBe('ok');
    // Half of the growing ceiling (1, 2, 4, 8, 16 s); the rate limit's 4 s is above its 1 s floor.
    expect(clock.slept).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('never waits less than 1 s after a 429, even with zero jitter, nor less than Retry-After', async () => {
    const clock = new VirtualClock(NOW);
    let calls = 0;
    await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw apiError(429, 'rateLimitExceeded');
        if (calls === 2) throw apiError(403, 'userRateLimitExceeded', { 'retry-after': '5' });
        return 'ok';
      },
      { clock, random: () => 0 },
    );
    expect(clock.slept).toEqual([1000, 5000]);
  });

  it('gives up with ProviderUnavailableError after max attempts', async () => {
    const clock = new VirtualClock(NOW);
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        throw apiError(500);
      },
      { clock, random: () => 0.1, maxAttempts: 8 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as ProviderUnavailableError).status).toBe(500);
    expect((err as Error).message).toMatch(/after 8 attempts/);
    expect(calls).toBe(8);
    expect(clock.slept).toHaveLength(7);
  });

  it('gives up at once when Retry-After asks for longer than it will wait (a daily limit)', async () => {
    const clock = new VirtualClock(NOW);
    const err = await withRetry(async () => {
      throw apiError(429, 'rateLimitExceeded', { 'retry-after': '7200' });
    }, { clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect(clock.slept).toEqual([]);
  });

  it('maps invalid_grant to ReconnectRequiredError without retrying', async () => {
    const clock = new VirtualClock(NOW);
    let calls = 0;
    const err = await withRetry(async () => {
      calls++;
      throw { message: 'invalid_grant', response: { status: 400, data: { error: 'invalid_grant' } } };
    }, { clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReconnectRequiredError);
    expect(calls).toBe(1);
  });

  it('rethrows a non-retryable error unchanged', async () => {
    const clock = new VirtualClock(NOW);
    const original = apiError(404, 'notFound');
    await expect(withRetry(async () => { throw original; }, { clock })).rejects.toBe(original);
    expect(clock.slept).toEqual([]);
  });
});
