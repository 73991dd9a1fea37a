import { afterEach, describe, expect, it } from 'vitest';
import { gmailToMailItem } from '#lib/providers/google/gmail-item.ts';
import type { MailItem } from '#lib/items/types.ts';
import { buildMailbox } from '#test/support/google/gmail-fixture.ts';
import { folderForLabels, graphMailboxFromGmail } from '#test/support/microsoft/graph-mail-fixture.ts';
import { GraphMailbox } from '#test/support/microsoft/graph-mailbox.ts';
import { AS_OF, drain, harness, stored } from './mail-harness.ts';
import type { Harness } from './mail-harness.ts';

const DAY = 86_400_000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function personal(box: GraphMailbox, folder: string, n: number, extra: Partial<Parameters<GraphMailbox['addMessage']>[0]> = {}): string {
  const at = new Date(AS_OF - (n + 1) * 3_600_000).toISOString();
  return box.addMessage({
    folder,
    receivedDateTime: at,
    subject: `Hello ${n}`,
    from: { emailAddress: { name: `Person ${n}`, address: `p${n}@client.example` } },
    toRecipients: [{ emailAddress: { name: 'me@example.com', address: 'me@example.com' } }],
    internetMessageId: `<m${n}@client.example>`,
    internetMessageHeaders: [{ name: 'Message-ID', value: `<m${n}@client.example>` }],
    ...extra,
  }).immutableId;
}

describe('GraphMailSource backfill', () => {
  it('yields the same items the Gmail source would, from every folder that matters, page by page', async () => {
    const gmail = buildMailbox({ messages: 400, seed: 11, asOf: AS_OF });
    const box = graphMailboxFromGmail(gmail);
    const sub = box.addFolder('Clients');
    const nested = box.addFolder('Clients/Big', sub.id);
    personal(box, sub.id, 1);
    personal(box, nested.id, 2);
    personal(box, 'junkemail', 3);
    personal(box, 'drafts', 4, { isDraft: true });
    h = await harness(box);
    const pages = await drain(h.source({ pageSize: 25 }));
    const items = stored(pages);

    // Every Gmail message a Graph sync can see (not Spam, within 400 days) comes out alike.
    const horizon = AS_OF - 400 * DAY;
    const expected = [...gmail.messages.values()]
      .filter((m) => folderForLabels(m.labelIds) !== 'junkemail' && m.internalDate >= horizon)
      .map((m) => gmailToMailItem({ id: m.id, threadId: m.threadId, labelIds: m.labelIds, internalDate: String(m.internalDate), payload: { headers: m.headers } }, 'acct')!);
    const byMessageId = new Map([...items.values()].map((i) => [i.messageId, i]));
    expect(expected.length).toBeGreaterThan(300);
    expect(items.size).toBe(expected.length + 2);
    const neutral = ({ messageId, at, from, to, cc, bcc, names, replyTo, subjectHash, bulkSignals }: MailItem) =>
      ({ messageId, at, from, to, cc, bcc, names, replyTo, subjectHash, bulkSignals });
    for (const g of expected) {
      const m = byMessageId.get(g.messageId);
      expect(m, g.messageId ?? '').toBeDefined();
      expect(neutral(m!)).toEqual(neutral(g));
      expect(m!.threadId).toBe(`conv-${g.threadId}`);
      expect(m!.labels).toContain(`folder:${folderForLabels(g.labels)}`);
      expect(m!.labels.includes('inference:other')).toBe(g.labels.includes('CATEGORY_PROMOTIONS'));
    }
    expect(byMessageId.get('m1@client.example')!.labels).toEqual([]);
    expect(byMessageId.has('m2@client.example')).toBe(true);
    expect(byMessageId.has('m3@client.example')).toBe(false);
    expect(byMessageId.has('m4@client.example')).toBe(false);

    // Paged at the size asked for, immutable ids asked on every request, never junk or drafts.
    const deltas = h.emulator.requests.filter((r) => r.path.endsWith('/messages/delta'));
    expect(deltas.length).toBeGreaterThan(400 / 25);
    expect(deltas.every((r) => /odata\.maxpagesize=25/.test(r.prefer) && /IdType="ImmutableId"/.test(r.prefer))).toBe(true);
    expect(h.emulator.requests.some((r) => /junkemail|drafts|anVua2VtYWls|ZHJhZnRz/.test(r.path))).toBe(false);
    const first = deltas.find((r) => r.query.has('$select'))!;
    expect(first.query.get('$select')!.split(',')).toEqual(expect.arrayContaining(['internetMessageHeaders', 'inferenceClassification', 'conversationId']));
    expect(h.emulator.requests.filter((r) => r.status >= 400)).toEqual([]);

    // One pass ends with every folder on a deltaLink, and the last page says so.
    expect(pages.at(-1)!.done).toBe(true);
    expect(pages.slice(0, -1).every((p) => !p.done)).toBe(true);
    const cursor = JSON.parse(pages.at(-1)!.cursor) as { folders: Array<{ key: string; linkKind: string }> };
    expect(cursor.folders.map((f) => f.key)).toEqual(['inbox', 'sentitems', 'archive', 'deleteditems', sub.id, nested.id]);
    expect(cursor.folders.every((f) => f.linkKind === 'delta')).toBe(true);
  });

  it('asks Graph for 1,000 messages a page unless told otherwise, and drops mail older than the horizon', async () => {
    const box = new GraphMailbox('me@example.com');
    for (let n = 0; n < 30; n++) personal(box, 'inbox', n);
    personal(box, 'inbox', 99, { receivedDateTime: new Date(AS_OF - 401 * DAY).toISOString() });
    h = await harness(box);
    const items = stored(await drain(h.source()));
    expect(items.size).toBe(30);
    expect(h.emulator.requests.filter((r) => r.path.endsWith('/delta')).every((r) => r.prefer.includes('odata.maxpagesize=1000'))).toBe(true);
    expect(h.emulator.count('/inbox/messages/delta')).toBe(1);
  });

  it('keeps at most 4 folders (requests) in flight, and runs them in parallel', async () => {
    const box = new GraphMailbox('me@example.com');
    for (let f = 0; f < 8; f++) {
      const folder = box.addFolder(`Project ${f}`);
      for (let n = 0; n < 12; n++) personal(box, folder.id, f * 100 + n);
    }
    // A little real latency so requests overlap; the emulator refuses a fifth concurrent one.
    h = await harness(box, { emulator: { latencyMs: 15 } });
    const items = stored(await drain(h.source({ pageSize: 5 })));
    expect(items.size).toBe(96);
    expect(h.emulator.highWater.get('me')).toBeLessThanOrEqual(4);
    expect(h.emulator.highWater.get('me')).toBeGreaterThanOrEqual(3);
    expect(h.emulator.requests.filter((r) => r.status === 429)).toEqual([]);
  });

  it('learns own addresses from proxyAddresses (smtp entries only) on the first page', async () => {
    const box = new GraphMailbox('Me@Example.com', ['SMTP:Me@Example.com', 'smtp:me.alias@example.com', 'smtp:old@legacy.example', 'x500:/o=ExchangeLabs/ou=x', 'SIP:me@example.com'], 'me@example.onmicrosoft.com');
    personal(box, 'inbox', 1);
    h = await harness(box);
    const pages = await drain(h.source());
    expect(pages[0]!.aliases).toEqual(['me.alias@example.com', 'me@example.com', 'me@example.onmicrosoft.com', 'old@legacy.example']);
    expect(pages.slice(1).every((p) => p.aliases === undefined)).toBe(true);
    const me = h.emulator.requests.find((r) => r.path === '/v1.0/me')!;
    expect(me.query.get('$select')).toBe('mail,proxyAddresses,userPrincipalName');
  });
});

describe('GraphMailSource request cost', () => {
  it('backfills 1,000 messages in a handful of requests, plus one $batch per 20 messages when delta omits headers', async () => {
    const spec = { messages: 1000, seed: 3, asOf: AS_OF };
    const box = graphMailboxFromGmail(buildMailbox(spec));
    h = await harness(box);
    const items = stored(await drain(h.source()));
    expect(items.size).toBeGreaterThan(800);
    // /me, the inbox's child folders, one delta page per folder (1,000 fit in a page).
    expect(h.emulator.requests).toHaveLength(2 + 4);
    await h.close();

    h = await harness(graphMailboxFromGmail(buildMailbox(spec)), { mail: { headersInDelta: false } });
    const again = stored(await drain(h.source()));
    const signals = (m: Map<string, MailItem>) => Object.fromEntries([...m].map(([id, i]) => [id, i.bulkSignals]));
    expect(signals(again)).toEqual(signals(items));
    expect(Object.values(signals(items)).filter((s) => s.length > 0).length).toBeGreaterThan(30);
    const lookedUp = h.emulator.requests.filter((r) => r.batch !== undefined).length;
    // Full batches of 20, save one partial batch per folder page (inbox, deleted items).
    expect(h.emulator.count('/$batch')).toBeGreaterThanOrEqual(Math.ceil(lookedUp / 20));
    expect(h.emulator.count('/$batch')).toBeLessThanOrEqual(Math.ceil(lookedUp / 20) + 3);
    expect(lookedUp).toBeLessThanOrEqual(items.size);
  });
});
