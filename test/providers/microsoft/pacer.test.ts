import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError, ReconnectRequiredError } from '#lib/errors.ts';
import { VirtualClock } from '#test/support/virtual-clock.ts';
import { classifyGraphError, createGraphPacer } from '#lib/providers/microsoft/pacer.ts';

function graphError(status: number, code: string, headers?: Record<string, string>, message = 'failed'): GraphError {
  const e = new GraphError(status, message);
  e.code = code;
  if (headers) e.headers = new Headers(headers);
  return e;
}

/** A call that fails with `errors` in turn, then returns 'ok'; records the clock at each attempt. */
function flaky(clock: VirtualClock, errors: unknown[]): { fn: () => Promise<string>; at: number[] } {
  const at: number[] = [];
  let i = 0;
  return {
    at,
    fn: async () => {
      at.push(clock.now());
      if (i < errors.length) throw errors[i++];
      return 'ok';
    },
  };
}

describe('classifyGraphError', () => {
  it('reads Retry-After in seconds or as an HTTP date and sorts failures by kind', () => {
    const now = Date.UTC(2026, 10, 23, 7);
    expect(classifyGraphError(graphError(429, 'ApplicationThrottled', { 'Retry-After': '7' }), now)).toMatchObject({ kind: 'throttled', retryAfterMs: 7000 });
    const date = new Date(now + 12_000).toUTCString();
    expect(classifyGraphError(graphError(503, 'ServiceUnavailable', { 'Retry-After': date }), now)).toMatchObject({ kind: 'throttled', retryAfterMs: 12_000 });
    expect(classifyGraphError(graphError(503, 'ServiceUnavailable'), now).kind).toBe('transient');
    expect(classifyGraphError(graphError(504, 'GatewayTimeout'), now).kind).toBe('transient');
    expect(classifyGraphError(graphError(401, 'InvalidAuthenticationToken'), now).kind).toBe('unauthorized');
    expect(classifyGraphError(graphError(400, 'invalid_grant', undefined, 'AADSTS50173: The provided grant has expired due to it being revoked'), now).kind).toBe('reconnect');
    expect(classifyGraphError(graphError(404, 'ErrorItemNotFound'), now).kind).toBe('fatal');
    expect(classifyGraphError(graphError(410, 'SyncStateNotFound'), now).kind).toBe('fatal');
    const reset = new GraphClientError('request failed before a response');
    reset.customError = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyGraphError(reset, now)).toMatchObject({ kind: 'transient', code: 'ECONNRESET' });
    const revoked = new GraphClientError('access token unavailable');
    revoked.customError = new ReconnectRequiredError('grant revoked');
    expect(classifyGraphError(revoked, now).kind).toBe('reconnect');
  });
});

describe('createGraphPacer', () => {
  it('waits exactly Retry-After after a 429 and after a 503 that carries one', async () => {
    const clock = new VirtualClock();
    const pacer = createGraphPacer({ clock, random: () => 0 });
    const call = flaky(clock, [graphError(429, 'ApplicationThrottled', { 'Retry-After': '7' }), graphError(503, 'ServiceUnavailable', { 'Retry-After': '3' })]);
    await expect(pacer.run(1, call.fn)).resolves.toBe('ok');
    expect(call.at[1]! - call.at[0]!).toBeGreaterThanOrEqual(7000);
    expect(call.at[1]! - call.at[0]!).toBeLessThan(7100);
    expect(call.at[2]! - call.at[1]!).toBeGreaterThanOrEqual(3000);
    expect(call.at[2]! - call.at[1]!).toBeLessThan(3100);
  });

  it('backs off without Retry-After: at least 1 s after a 429, jittered exponential after 5xx and resets', async () => {
    const clock = new VirtualClock();
    const pacer = createGraphPacer({ clock, random: () => 0.5 });
    const reset = new GraphClientError('request failed before a response');
    reset.customError = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const call = flaky(clock, [graphError(500, 'InternalServerError'), reset, graphError(429, 'TooManyRequests'), graphError(502, 'BadGateway')]);
    await expect(pacer.run(1, call.fn)).resolves.toBe('ok');
    const gaps = call.at.slice(1).map((t, i) => t - call.at[i]!);
    // Full jitter at 0.5: 500 ms, 1 s, then at least 1 s for the 429 (2 s here), 4 s.
    expect(gaps[0]).toBeGreaterThanOrEqual(500);
    expect(gaps[1]).toBeGreaterThanOrEqual(1000);
    expect(gaps[2]).toBeGreaterThanOrEqual(2000);
    expect(gaps[3]).toBeGreaterThanOrEqual(4000);
    expect(clock.slept.filter((ms) => ms >= 500)).toEqual([500, 1000, 2000, 4000]);
  });

  it('holds the whole mailbox back for Retry-After, not only the throttled call', async () => {
    const clock = new VirtualClock();
    const pacer = createGraphPacer({ clock, random: () => 0 });
    const throttled = flaky(clock, [graphError(429, 'ApplicationThrottled', { 'Retry-After': '10' })]);
    const first = pacer.run(1, throttled.fn);
    // Let the first call fail and the pacer penalize before the second one asks.
    while (throttled.at.length === 0) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const other = flaky(clock, []);
    await Promise.all([first, pacer.run(1, other.fn)]);
    expect(other.at[0]! - throttled.at[0]!).toBeGreaterThanOrEqual(10_000);
  });

  it('retries a 401 once at once (the client refreshes the token), then asks for a reconnect', async () => {
    const clock = new VirtualClock();
    const pacer = createGraphPacer({ clock });
    const once = flaky(clock, [graphError(401, 'InvalidAuthenticationToken')]);
    await expect(pacer.run(1, once.fn)).resolves.toBe('ok');
    // No backoff: only the quota bucket's refill (about 63 ms a request) separates the attempts.
    expect(once.at[1]! - once.at[0]!).toBeLessThan(200);
    const always = flaky(clock, [graphError(401, 'InvalidAuthenticationToken'), graphError(401, 'InvalidAuthenticationToken'), graphError(401, 'x')]);
    await expect(pacer.run(1, always.fn)).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect(always.at).toHaveLength(2);
    const revoked = new GraphClientError('access token unavailable');
    revoked.customError = Object.assign(new Error('AADSTS65001: The user or administrator has not consented'), { errorCode: 'invalid_grant' });
    const consent = flaky(clock, [revoked]);
    await expect(pacer.run(1, consent.fn)).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect(consent.at).toHaveLength(1);
  });

  it('gives up with ProviderUnavailableError when attempts run out or Retry-After is too long', async () => {
    const clock = new VirtualClock();
    const pacer = createGraphPacer({ clock, maxAttempts: 3, random: () => 0 });
    const down = flaky(clock, Array.from({ length: 5 }, () => graphError(503, 'ServiceUnavailable')));
    const err = await pacer.run(1, down.fn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as ProviderUnavailableError).status).toBe(503);
    expect(down.at).toHaveLength(3);
    const long = flaky(clock, [graphError(429, 'ApplicationThrottled', { 'Retry-After': '3600' })]);
    await expect(pacer.run(1, long.fn)).rejects.toThrow(/retry only after 3600 s/);
    expect(long.at).toHaveLength(1);
  });

  it('passes other errors through untouched', async () => {
    const clock = new VirtualClock();
    const pacer = createGraphPacer({ clock });
    const gone = graphError(410, 'SyncStateNotFound');
    await expect(pacer.run(1, flaky(clock, [gone]).fn)).rejects.toBe(gone);
  });

  it('keeps at most 4 requests of a mailbox in flight', async () => {
    const clock = new VirtualClock();
    const pacer = createGraphPacer({ clock });
    let inFlight = 0;
    let most = 0;
    const task = async (): Promise<void> => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      inFlight--;
    };
    await Promise.all(Array.from({ length: 12 }, () => pacer.run(1, task)));
    expect(most).toBe(4);
  });
});
