import { afterEach, describe, expect, it } from 'vitest';
import { ProviderUnavailableError, ReconnectRequiredError } from '#lib/errors.ts';
import { GMAIL_QUOTA_2026 } from '#lib/providers/google/quota.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import type { GmailMailbox } from '#test/support/google/gmail-emulator.ts';
import { AS_OF, drain, itemsOf, startHarness } from './gmail-harness.ts';
import type { Harness } from './gmail-harness.ts';

const HORIZON = AS_OF - 400 * 86_400_000;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function within(box: GmailMailbox): Set<string> {
  return new Set([...box.messages.values()].filter((m) => m.internalDate >= HORIZON).map((m) => m.id));
}

function googleError(code: number, reason: string, message: string, status: string): unknown {
  return { error: { code, message, errors: [{ message, domain: 'global', reason }], status } };
}

describe('GmailSource under throttling and faults', () => {
  it('loses nothing through 429s, 403 rate limits, 5xx and connection resets, waiting in virtual time', async () => {
    const box = buildMailbox({ messages: 200, seed: 11, asOf: AS_OF });
    harness = await startHarness(box);
    const h = harness;
    const limited = googleError(429, 'rateLimitExceeded', 'Resource has been exhausted (e.g. check quota).', 'RESOURCE_EXHAUSTED');
    h.emulator.fault({ path: '/profile', reset: true });
    h.emulator.fault({ path: /\/messages$/, status: 503, body: googleError(503, 'backendError', 'Backend Error', 'UNAVAILABLE') });
    h.emulator.fault({ path: '/messages/', status: 429, body: limited, headers: { 'retry-after': '2' } });
    h.emulator.fault({ path: '/messages/', status: 429, body: limited, times: 2 });
    h.emulator.fault({ path: '/messages/', status: 403, times: 2, body: googleError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'PERMISSION_DENIED') });
    h.emulator.fault({ path: '/messages/', status: 500, times: 2, body: googleError(500, 'backendError', 'Backend Error', 'INTERNAL') });
    h.emulator.fault({ path: '/messages/', reset: true, times: 3 });
    h.emulator.fault({ path: '/threads/', status: 502, times: 2, body: 'Bad Gateway' });
    h.emulator.fault({ path: '/threads/', status: 429, body: limited });

    const wall = performance.now();
    const items = itemsOf(await drain(h.source));
    const wallMs = performance.now() - wall;

    expect(items.length).toBe(new Set(items.map((i) => i.providerId)).size);
    expect(new Set(items.map((i) => i.providerId))).toEqual(within(box));
    expect(h.retries).toHaveLength(15);
    const rateLimited = h.retries.filter((r) => r.status === 429 || r.status === 403);
    expect(rateLimited).toHaveLength(6);
    expect(rateLimited.every((r) => r.delayMs >= 1000)).toBe(true);
    expect(h.retries.some((r) => r.status === 429 && r.delayMs >= 2000)).toBe(true);
    expect(h.retries.filter((r) => r.reason === 'ECONNRESET')).toHaveLength(4);
    // The waits happened on the virtual clock, not for real.
    const slept = h.clock.slept.reduce((a, b) => a + b, 0);
    expect(slept).toBeGreaterThan(6_000);
    expect(wallMs).toBeLessThan(slept);
  });

  it('bounces off the ceiling without losing mail when the pacer believes in twice the real quota', async () => {
    // About 7,000 units of messages.get: more than one window holds at 6,000.
    const box = buildMailbox({ messages: 400, seed: 12, asOf: AS_OF });
    const generous = { ...GMAIL_QUOTA_2026, limit: 2 * GMAIL_QUOTA_2026.limit };
    harness = await startHarness(box, { refuseWith: 403, source: { strategy: 'messages' }, pacer: { quota: generous, maxAttempts: 20 } });
    const items = itemsOf(await drain(harness.source));
    expect(new Set(items.map((i) => i.providerId))).toEqual(within(box));
    expect(harness.ledger.refusals).toBeGreaterThan(0);
    expect(harness.retries.every((r) => r.status === 403 && r.delayMs >= 1000)).toBe(true);
    expect(harness.ledger.peakWindow('me')).toBeLessThanOrEqual(GMAIL_QUOTA_2026.limit);
  });

  it('gives up with ProviderUnavailableError after the maximum attempts', async () => {
    harness = await startHarness(buildMailbox({ messages: 5, seed: 1, asOf: AS_OF }), { pacer: { maxAttempts: 4 } });
    harness.emulator.fault({ path: '/profile', status: 503, times: 10, body: googleError(503, 'backendError', 'Backend Error', 'UNAVAILABLE') });
    const err = await drain(harness.source).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as ProviderUnavailableError).status).toBe(503);
    expect(harness.emulator.count('/profile')).toBe(4);
  });

  it('maps a refused token (401) to ReconnectRequiredError at once', async () => {
    harness = await startHarness(buildMailbox({ messages: 5, seed: 1, asOf: AS_OF }));
    harness.emulator.authenticate = () => null;
    await expect(drain(harness.source)).rejects.toBeInstanceOf(ReconnectRequiredError);
    expect(harness.emulator.requests).toHaveLength(1);
  });

  it('does not retry a 403 that is not a rate limit (scope refused)', async () => {
    harness = await startHarness(buildMailbox({ messages: 5, seed: 1, asOf: AS_OF }));
    harness.emulator.fault({ path: '/profile', status: 403, body: googleError(403, 'forbidden', 'Metadata scope does not support this', 'PERMISSION_DENIED') });
    const err = await drain(harness.source).catch((e: unknown) => e);
    expect((err as { response?: { status?: number } }).response?.status).toBe(403);
    expect(harness.emulator.requests).toHaveLength(1);
  });
});
