import { afterEach, describe, expect, it } from 'vitest';
import { ReconnectRequiredError } from '#lib/errors.ts';
import { GraphMailbox } from '#test/support/microsoft/graph-mailbox.ts';
import type { LoggedRequest } from '#test/support/microsoft/server.ts';
import { AS_OF, drain, harness, stored } from './mail-harness.ts';
import type { Harness } from './mail-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** `count` messages per folder; every third inbound one is list mail. */
function mailbox(count: number, folders = ['inbox', 'sentitems', 'archive', 'deleteditems']): GraphMailbox {
  const box = new GraphMailbox('me@example.com');
  let n = 0;
  for (const folder of folders) {
    for (let i = 0; i < count; i++, n++) {
      const bulk = folder !== 'sentitems' && n % 3 === 0;
      const headers = [{ name: 'Message-ID', value: `<x${n}@example.net>` }];
      if (bulk) headers.push({ name: 'List-Id', value: '<news.example.net>' }, { name: 'List-Unsubscribe', value: '<mailto:u@example.net>' });
      box.addMessage({
        folder,
        receivedDateTime: new Date(AS_OF - (n + 1) * 3_600_000).toISOString(),
        from: { emailAddress: { name: 'X', address: folder === 'sentitems' ? 'me@example.com' : `p${n}@example.net` } },
        toRecipients: [{ emailAddress: { name: 'Me', address: folder === 'sentitems' ? `p${n}@example.net` : 'me@example.com' } }],
        internetMessageId: `<x${n}@example.net>`,
        internetMessageHeaders: headers,
      });
    }
  }
  return box;
}

/** For each 429 (or 503) with Retry-After: the wait until the same URL was asked again. */
function gapsAfterRetryAfter(log: LoggedRequest[]): Array<{ retryAfterMs: number; gap: number }> {
  const key = (r: LoggedRequest): string => `${r.method} ${r.path}?${r.query.toString()}`;
  return log.flatMap((r, i) => {
    if (r.retryAfter === undefined || r.status < 400) return [];
    const next = log.slice(i + 1).find((x) => key(x) === key(r));
    return next ? [{ retryAfterMs: r.retryAfter * 1000, gap: next.at - r.at }] : [];
  });
}

describe('GraphMailSource under throttling', () => {
  it('honours Retry-After on 429 and 503 before asking again', async () => {
    h = await harness(mailbox(5));
    h.emulator.fault({ path: '/inbox/messages/delta', status: 429, retryAfter: 7 });
    h.emulator.fault({ path: '/sentitems/messages/delta', status: 503, retryAfter: 3 });
    const items = stored(await drain(h.source({ pageSize: 2 })));
    expect(items.size).toBe(20);
    const gaps = gapsAfterRetryAfter(h.emulator.requests);
    expect(gaps.map((g) => g.retryAfterMs).sort()).toEqual([3000, 7000]);
    for (const g of gaps) expect(g.gap).toBeGreaterThanOrEqual(g.retryAfterMs);
  });

  it('stays complete when the mailbox request limit answers 429s, waiting out each Retry-After', async () => {
    h = await harness(mailbox(6), { emulator: { throttle: { limit: 8, windowMs: 60_000 } } });
    const items = stored(await drain(h.source({ pageSize: 2 })));
    expect(items.size).toBe(24);
    const gaps = gapsAfterRetryAfter(h.emulator.requests);
    expect(gaps.length).toBeGreaterThan(0);
    for (const g of gaps) expect(g.gap).toBeGreaterThanOrEqual(g.retryAfterMs);
  });

  it('reads headers in $batch when delta leaves them out, retrying only the throttled parts after their Retry-After', async () => {
    h = await harness(mailbox(30, ['inbox', 'sentitems']), { mail: { headersInDelta: false } });
    h.emulator.fault({ path: '/v1.0/me/messages/', status: 429, retryAfter: 4, times: 3 });
    const items = [...stored(await drain(h.source())).values()];
    expect(items).toHaveLength(60);
    const inbound = items.filter((i) => i.labels.includes('folder:inbox'));
    expect(inbound.filter((i) => i.bulkSignals.includes('list-id'))).toHaveLength(10);
    expect(inbound.filter((i) => i.bulkSignals.length === 0)).toHaveLength(20);

    const parts = h.emulator.requests.filter((r) => r.batch !== undefined);
    const byBatch = (n: number): LoggedRequest[] => parts.filter((p) => p.batch === n);
    expect(h.emulator.count('/$batch')).toBe(3);
    expect(byBatch(1)).toHaveLength(20);
    expect(byBatch(1).filter((p) => p.status === 429)).toHaveLength(3);
    // The second request carries only the three throttled parts, after their Retry-After.
    expect(byBatch(2)).toHaveLength(3);
    expect(byBatch(2).every((p) => p.status === 200)).toBe(true);
    expect(byBatch(2)[0]!.at - byBatch(1)[0]!.at).toBeGreaterThanOrEqual(4000);
    expect(byBatch(3)).toHaveLength(10);
    // Parts ask by immutable id; sent mail is never looked up.
    expect(parts.every((p) => p.prefer.includes('ImmutableId') && p.query.get('$select') === 'internetMessageHeaders')).toBe(true);
    expect(parts).toHaveLength(33);
  });

  it('costs no extra request for headers when delta returns them', async () => {
    h = await harness(mailbox(30, ['inbox']));
    const items = [...stored(await drain(h.source())).values()];
    expect(items.filter((i) => i.bulkSignals.includes('list-unsubscribe'))).toHaveLength(10);
    expect(h.emulator.count('/$batch')).toBe(0);
  });

  it('retries a dropped connection', async () => {
    h = await harness(mailbox(3));
    h.emulator.fault({ path: '/archive/messages/delta', reset: true });
    expect(stored(await drain(h.source())).size).toBe(12);
    expect(h.emulator.count('/archive/messages/delta')).toBe(2);
  });

  it('refreshes the token after a 401, and asks for a reconnect when that does not help', async () => {
    const asked: boolean[] = [];
    let current = 'revoked-early';
    h = await harness(mailbox(2), {
      emulator: { authenticate: (t) => (t === 'fresh' ? 'me' : null) },
      token: ({ forceRefresh }) => {
        asked.push(forceRefresh);
        if (forceRefresh) current = 'fresh';
        return current;
      },
    });
    expect(stored(await drain(h.source())).size).toBe(8);
    expect(asked.slice(0, 2)).toEqual([false, true]);
    await h.close();

    h = await harness(mailbox(2), { emulator: { authenticate: () => null } });
    await expect(drain(h.source())).rejects.toBeInstanceOf(ReconnectRequiredError);
  });

  it('passes a revoked grant from the token provider through as ReconnectRequiredError', async () => {
    const revoked = new ReconnectRequiredError('Microsoft refused the refresh token (AADSTS50173): reconnect the account');
    h = await harness(mailbox(1), {
      token: () => {
        throw revoked;
      },
    });
    await expect(drain(h.source())).rejects.toBe(revoked);
    expect(h.emulator.requests).toHaveLength(0);
  });
});
