import { afterEach, describe, expect, it } from 'vitest';
import { GMAIL_QUOTA_2026 } from '#lib/providers/google/quota.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { GmailMailbox } from '#test/support/google/gmail-emulator.ts';
import { AS_OF, drain, itemsOf, startHarness } from './gmail-harness.ts';
import type { Harness } from './gmail-harness.ts';

const DAY = 86_400_000;
const HORIZON = AS_OF - 400 * DAY;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function within(box: GmailMailbox): Set<string> {
  return new Set([...box.messages.values()].filter((m) => m.internalDate >= HORIZON).map((m) => m.id));
}

describe('GmailSource full sync', () => {
  it('yields every message of the last 400 days exactly once and stops listing at the horizon', async () => {
    // Spread over 900 days, so about half the mail is older than the horizon.
    const box = buildMailbox({ messages: 400, seed: 3, asOf: AS_OF, days: 900 });
    const startHistoryId = box.historyId;
    harness = await startHarness(box, { source: { pageSize: 50 } });
    const pages = await drain(harness.source);
    const ids = itemsOf(pages).map((i) => i.providerId);

    expect(ids.length).toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(within(box));
    expect(within(box).size).toBeLessThan(box.messages.size);
    // 400 messages in pages of 50 would take 8 lists; the horizon ends listing earlier.
    const lists = harness.emulator.requests.filter((r) => r.path.endsWith('/messages')).length;
    expect(lists).toBeLessThanOrEqual(Math.ceil(within(box).size / 50) + 1);
    expect(lists).toBeLessThan(8);
    expect(pages.at(-1)!.done).toBe(true);
    expect(pages.slice(0, -1).every((p) => !p.done)).toBe(true);
    expect(JSON.parse(pages.at(-1)!.cursor)).toEqual({ phase: 'incremental', historyId: String(startHistoryId) });
    // Trash and Spam are listed too: deleted mail still counts.
    expect(itemsOf(pages).some((i) => i.labels.includes('TRASH'))).toBe(true);
    expect(harness.emulator.requests.every((r) => r.path.endsWith('/messages') ? r.query.get('includeSpamTrash') === 'true' : true)).toBe(true);
  });

  it('keeps a message listed between a thread and that thread\'s message beyond the horizon', async () => {
    const box = new GmailMailbox('me@example.com');
    const from = [{ name: 'From', value: 'a@b.example' }];
    const root = box.addMessage({ internalDate: HORIZON - DAY, headers: from });
    const single = box.addMessage({ internalDate: HORIZON + DAY / 2, headers: from });
    const reply = box.addMessage({ threadId: root.threadId, internalDate: HORIZON + DAY, headers: from });
    const reply2 = box.addMessage({ threadId: root.threadId, internalDate: HORIZON + 2 * DAY, headers: from });
    // One fetch at a time, so the thread is fetched before the single message's turn.
    harness = await startHarness(box, { source: { fetchConcurrency: 1 } });
    const pages = await drain(harness.source);
    expect(new Set(itemsOf(pages).map((i) => i.providerId))).toEqual(new Set([reply2.id, reply.id, single.id]));
    expect(harness.emulator.count('/threads/')).toBe(1);
  });

  it('maps headers to a MailItem and reports SENT From addresses as aliases', async () => {
    const box = buildMailbox({ messages: 200, seed: 4, asOf: AS_OF });
    harness = await startHarness(box);
    const pages = await drain(harness.source);
    const items = itemsOf(pages);
    const aliases = new Set(pages.flatMap((p) => p.aliases ?? []));
    expect(aliases).toEqual(new Set(['me@example.com', 'me.alias@example.com']));

    const reply = items.find((i) => i.replyTo.length > 0 && i.labels.includes('INBOX'))!;
    const stored = box.get(reply.providerId);
    expect(reply).toMatchObject({ kind: 'mail', source: 'gmail', accountId: 'acct-1', threadId: stored.threadId });
    expect(reply.at).toBe(new Date(stored.internalDate).toISOString());
    expect(reply.to).toEqual(['me@example.com']);
    expect(reply.messageId).toMatch(/^t\d+\.\d+@4\.example$/);
    expect(reply.subjectHash).toMatch(/^[0-9a-f]{32}$/);
    expect(Object.values(reply.names)[0]).toMatch(/^Contact \d+$/);
    const bulk = items.find((i) => i.labels.includes('CATEGORY_PROMOTIONS'))!;
    expect(bulk.bulkSignals).toEqual(['list-id', 'list-unsubscribe']);
    // Only the headers DESIGN needs are asked for, under the metadata format.
    const get = harness.emulator.requests.find((r) => /\/(messages|threads)\/[0-9a-f]+$/.test(r.path))!;
    expect(get.query.get('format')).toBe('metadata');
    expect(get.query.getAll('metadataHeaders')).toContain('List-Unsubscribe');
  });

  it('spends fewer units per message with threads.get on a threaded mailbox than with messages.get alone', async () => {
    const spend = async (strategy: 'auto' | 'messages'): Promise<{ units: number; n: number }> => {
      const h = await startHarness(buildMailbox({ messages: 300, seed: 5, asOf: AS_OF }), { source: { strategy } });
      const n = itemsOf(await drain(h.source)).length;
      const units = h.ledger.charges.reduce((s, c) => s + c.units, 0);
      await h.close();
      return { units, n };
    };
    const auto = await spend('auto');
    const single = await spend('messages');
    expect(auto.n).toBe(single.n);
    expect(single.units / single.n).toBeGreaterThanOrEqual(GMAIL_QUOTA_2026.costs['messages.get']);
    expect(auto.units / auto.n).toBeLessThan(0.8 * GMAIL_QUOTA_2026.costs['messages.get']);
  });

  it('resumes from a page cursor after a crash without losing a message', async () => {
    const box = buildMailbox({ messages: 300, seed: 6, asOf: AS_OF });
    harness = await startHarness(box, { source: { pageSize: 60 } });
    const first = await drain(harness.source, undefined, 2);
    expect(first.at(-1)!.done).toBe(false);
    const rest = await drain(harness.source, first.at(-1)!.cursor);
    expect(rest.at(-1)!.done).toBe(true);
    const ids = new Set(itemsOf([...first, ...rest]).map((i) => i.providerId));
    expect(ids).toEqual(within(box));
  });
});

describe('GmailSource incremental sync', () => {
  async function synced(seed: number): Promise<{ box: GmailMailbox; cursor: string }> {
    const box = buildMailbox({ messages: 120, seed, asOf: AS_OF - DAY });
    harness = await startHarness(box);
    const pages = await drain(harness.source);
    return { box, cursor: pages.at(-1)!.cursor };
  }

  it('costs exactly one request when nothing changed', async () => {
    const { cursor } = await synced(7);
    const before = harness!.emulator.requests.length;
    const pages = await drain(harness!.source, cursor);
    expect(harness!.emulator.requests.length - before).toBe(1);
    expect(harness!.emulator.requests.at(-1)!.path).toBe('/gmail/v1/users/me/history');
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ items: [], removed: [], done: true });
    expect(JSON.parse(pages[0]!.cursor)).toEqual(JSON.parse(cursor));
  });

  it('reads history in pages of historyPageSize (googleSources asks for GMAIL_PAGE_SIZE), each page its own checkpoint', async () => {
    const box = buildMailbox({ messages: 120, seed: 12, asOf: AS_OF - DAY });
    harness = await startHarness(box, { source: { historyPageSize: 10 } });
    const cursor = (await drain(harness.source)).at(-1)!.cursor;
    const fresh = Array.from({ length: 25 }, (_, i) =>
      box.addMessage({ internalDate: AS_OF - 60_000 + i, headers: [{ name: 'From', value: 'New Person <new@person.example>' }, { name: 'To', value: 'me@example.com' }] }),
    );
    const before = harness.emulator.requests.length;
    const pages = await drain(harness.source, cursor);
    const history = harness.emulator.requests.slice(before).filter((r) => r.path.endsWith('/history'));
    expect(history.map((r) => r.query.get('maxResults'))).toEqual(['10', '10', '10']);
    expect(pages.map((p) => p.items.length)).toEqual([10, 10, 5]);
    expect(new Set(itemsOf(pages).map((i) => i.providerId))).toEqual(new Set(fresh.map((m) => m.id)));
  });

  it('fetches new mail and re-fetches a message moved to Trash', async () => {
    const { box, cursor } = await synced(8);
    const old = [...box.messages.values()].find((m) => m.internalDate >= HORIZON && m.labelIds.includes('INBOX'))!;
    const fresh = box.addMessage({
      internalDate: AS_OF - 60_000,
      headers: [{ name: 'From', value: 'New Person <new@person.example>' }, { name: 'To', value: 'me@example.com' }],
    });
    const reply = box.addMessage({
      threadId: old.threadId,
      labelIds: ['SENT'],
      internalDate: AS_OF - 30_000,
      headers: [{ name: 'From', value: 'me@example.com' }, { name: 'To', value: 'x@y.example' }],
    });
    box.trash(old.id);
    const gone = [...box.messages.values()].find((m) => m.id !== old.id && m.id !== fresh.id && m.id !== reply.id)!;
    box.deleteMessage(gone.id);

    const pages = await drain(harness!.source, cursor);
    const items = itemsOf(pages);
    expect(new Set(items.map((i) => i.providerId))).toEqual(new Set([fresh.id, reply.id, old.id]));
    expect(items.find((i) => i.providerId === old.id)!.labels).toContain('TRASH');
    expect(items.find((i) => i.providerId === old.id)!.labels).not.toContain('INBOX');
    expect(pages.flatMap((p) => p.removed)).toEqual([gone.id]);
    expect(JSON.parse(pages.at(-1)!.cursor)).toEqual({ phase: 'incremental', historyId: String(box.historyId) });
    expect(pages.at(-1)!.aliases).toEqual(['me@example.com']);
  });

  it('falls back to a full sync when the stored historyId has expired (404)', async () => {
    const { box, cursor } = await synced(9);
    box.expireHistory();
    const pages = await drain(harness!.source, cursor);
    expect(harness!.emulator.requests.some((r) => r.path.endsWith('/history') && r.status === 404)).toBe(true);
    expect(new Set(itemsOf(pages).map((i) => i.providerId))).toEqual(within(box));
    expect(JSON.parse(pages.at(-1)!.cursor)).toEqual({ phase: 'incremental', historyId: String(box.historyId) });
  });

  it('refuses a cursor it did not write', async () => {
    const box = buildMailbox({ messages: 5, seed: 1, asOf: AS_OF });
    harness = await startHarness(box);
    await expect(drain(harness.source, '{"phase":"weird"}')).rejects.toThrow(/not a Gmail sync cursor/);
  });
});
