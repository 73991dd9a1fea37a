import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Attendee, MailItem } from '#lib/items/types.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { itemBytes, MAX_ITEM_BYTES } from '#lib/store/dynamodb/item-size.ts';
import { toItemRecord } from '#lib/store/dynamodb/item-record.ts';
import { isBroadcast, recipientCount } from '#lib/interactions/classify.ts';
import { attendeeCount } from '#lib/interactions/meetings.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { mail, mails, meeting } from './items.ts';

/** dynalite's own item size, which it enforces (the limit is DynamoDB's). */
const dynaliteDb = createRequire(import.meta.url)('dynalite/db/index.js') as { itemSize(item: unknown): number };

/**
 * Issue 10, item 6: one oversized message must never block a mailbox. Items are bounded
 * (counts kept exact), measured before they are sent, and what still cannot be stored is
 * skipped, counted once and reported, never failing the other items.
 */
let db: TestDynamo;
let store: DynamoStore;
/** The largest item (dynalite's measure) any write request carried. */
let largestSent = 0;

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  db.client.middlewareStack.add(
    (next) => async (args) => {
      // The HTTP request as sent: the operation in its target header, the items in wire format.
      const request = args.request as { headers: Record<string, string>; body?: string };
      const target = request.headers['x-amz-target'] ?? '';
      if (typeof request.body === 'string' && /\.(PutItem|BatchWriteItem)$/.test(target)) {
        const body = JSON.parse(request.body) as { Item?: unknown; RequestItems?: Record<string, Array<{ PutRequest?: { Item: unknown } }>> };
        const items = body.Item ? [body.Item] : Object.values(body.RequestItems ?? {}).flat().map((r) => r.PutRequest?.Item);
        for (const item of items) if (item) largestSent = Math.max(largestSent, dynaliteDb.itemSize(item));
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'measureWrites' },
  );
});
afterAll(async () => db.close());

const addresses = (n: number, domain = 'list.example.com'): string[] => Array.from({ length: n }, (_, i) => `person${i}@${domain}`);

describe('putItems with oversized items', () => {
  it('stores a message to 100,000 people bounded, with its recipient counts exact', async () => {
    const huge = mail({
      providerId: 'all-hands', to: addresses(100_000), cc: addresses(3, 'acme.com'), bcc: [],
      names: Object.fromEntries(addresses(100_000).map((a) => [a, `Person ${a}`])),
    });
    const result = await store.putItems('u-big', [huge]);
    expect(result).toEqual({ written: 1, unchanged: 0, skipped: [] });
    const stored = (await store.getItem('u-big', 'acc1', 'all-hands')) as MailItem;
    // The 1,000 that sort first: the same whatever order the message listed them in.
    expect(stored.to).toEqual([...addresses(100_000)].sort().slice(0, 1000));
    const reordered = { ...huge, to: [...huge.to].reverse() };
    expect(await store.putItems('u-big', [reordered])).toEqual({ written: 0, unchanged: 1, skipped: [] });
    expect(stored.cc).toEqual(huge.cc);
    expect(stored.recipientCounts).toEqual({ toCc: 100_003, all: 100_003 });
    expect(Object.keys(stored.names)).toHaveLength(1000);
    expect(recipientCount(stored, false)).toBe(100_003);
    // A broadcast whatever maxRecipients says, as the whole list would be.
    for (const max of [10, 999, 5_000, 100_002]) expect(isBroadcast(stored, false, max)).toBe(true);
    expect(isBroadcast(stored, false, 100_003)).toBe(false);
    // Stored again: the same bounded item, so nothing changes.
    expect(await store.putItems('u-big', [huge])).toEqual({ written: 0, unchanged: 1, skipped: [] });
    expect(largestSent).toBeLessThanOrEqual(MAX_ITEM_BYTES);
  });

  it('bounds attendees and References, keeping the exact size and the latest references', async () => {
    const attendees: Attendee[] = addresses(5_000).map((address) => ({ address, response: 'accepted' }));
    const refs = Array.from({ length: 5_000 }, (_, i) => `ref${i}@mail.example.com`);
    await store.putItems('u-big', [meeting({ providerId: 'town-hall', attendees }), mail({ providerId: 'long-thread', replyTo: refs })]);
    const townHall = await store.getItem('u-big', 'acc1', 'town-hall');
    expect(townHall?.kind === 'meeting' && townHall.attendees).toHaveLength(1000);
    expect(townHall?.kind === 'meeting' && attendeeCount(townHall)).toBe(5_001); // the organizer too
    const thread = (await store.getItem('u-big', 'acc1', 'long-thread')) as MailItem;
    expect(thread.replyTo).toEqual([refs[0], ...refs.slice(-99)]);
  });

  it('skips what cannot be stored even bounded, stores the rest of the page, and counts each skip once', async () => {
    await store.putAccount({ userId: 'u-skip', accountId: 'acc1', provider: 'files', address: 'me@example.com', aliases: [], status: 'active', errorCount: 0, cursors: {} });
    const page = mails(60);
    // A 500 KB Message-ID: nothing about it can be cut without changing what it is.
    page[30] = mail({ providerId: 'monster', messageId: `${'x'.repeat(500_000)}@example.com` });
    const first = await store.putItems('u-skip', page);
    expect(first.written).toBe(59);
    expect(first.unchanged).toBe(0);
    expect(first.skipped).toEqual([{ providerId: 'monster', reason: expect.stringMatching(/^\d+ bytes even with its lists bounded, over DynamoDB's 409600-byte item limit$/) }]);
    expect((await store.getAccount('u-skip', 'acc1'))?.skippedItems).toBe(1);
    expect(largestSent).toBeLessThanOrEqual(MAX_ITEM_BYTES);

    // Met again (a resync, a re-import): reported again, counted once.
    const again = await store.putItems('u-skip', page);
    expect(again).toMatchObject({ written: 0, unchanged: 59 });
    expect(again.skipped).toHaveLength(1);
    expect((await store.getAccount('u-skip', 'acc1'))?.skippedItems).toBe(1);

    // The store goes on working (dynalite was never sent the item, so it never closed).
    expect(await store.putItems('u-skip', [mail({ providerId: 'after' })])).toMatchObject({ written: 1 });
    let n = 0;
    for await (const _ of store.queryItems('u-skip')) n += 1;
    expect(n).toBe(60);
  });

  it('skips an item without a valid time, naming it, and stores the others', async () => {
    const result = await store.putItems('u-time', [mail({ providerId: 'bad', at: 'yesterday' }), mail({ providerId: 'good' })]);
    expect(result.written).toBe(1);
    expect(result.skipped).toEqual([{ providerId: 'bad', reason: expect.stringMatching(/acc1\/bad has no valid time/) }]);
    expect(await store.getItem('u-time', 'acc1', 'good')).toBeDefined();
  });
});

describe('itemBytes', () => {
  it('never measures an item smaller than DynamoDB (dynalite) does', () => {
    const samples = [
      toItemRecord('USER#u', mail()),
      toItemRecord('USER#u', meeting()),
      toItemRecord('USER#u', mail({ to: addresses(900), names: { 'é@x.fr': 'Zoë 😀' } })),
      { pk: 'USER#u', sk: 'X', n: 123456789012345, neg: -0.000001, b: new Uint8Array(10), t: true, z: null, l: [[1], { a: 'b' }], m: {} },
    ];
    for (const record of samples) {
      expect(itemBytes(record)).toBeGreaterThanOrEqual(dynaliteDb.itemSize(marshall(record, { removeUndefinedValues: true })));
    }
  });
});
