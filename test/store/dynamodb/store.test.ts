import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Item } from '#lib/items/types.ts';
import type { Account, User } from '#lib/store/types.ts';
import { InputError, StoreError } from '#lib/errors.ts';
import { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { itemSortKey } from '#lib/store/dynamodb/item-record.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { bareMail, mail, mails, meeting } from './items.ts';

let db: TestDynamo;
let store: DynamoStore;
/** Query requests sent so far: pagination tests check that pages were really followed. */
let queries = 0;

beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
  db.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
});
afterAll(async () => {
  await db.close();
});

async function collect(items: AsyncIterable<Item>): Promise<Item[]> {
  const all: Item[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function byKey(a: Item, b: Item): number {
  const ka = itemSortKey(a.accountId, a.providerId);
  const kb = itemSortKey(b.accountId, b.providerId);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

async function raw(userId: string, sk: string): Promise<Record<string, unknown> | undefined> {
  const doc = DynamoDBDocumentClient.from(db.client);
  const out = await doc.send(new GetCommand({ TableName: db.tableName, Key: { pk: `USER#${userId}`, sk } }));
  return out.Item;
}

const user: User = {
  userId: 'u-rt',
  email: 'me@example.com',
  timeZone: 'Europe/Paris',
  me: ['me@example.com', 'me.too@example.com'],
  internalDomains: [],
  reportsPaused: false,
  createdAt: '2026-11-01T10:00:00.000Z',
};

const account: Account = {
  userId: 'u-rt',
  accountId: 'acc1',
  provider: 'google',
  address: 'me@example.com',
  aliases: ['me.too@example.com'],
  status: 'active',
  errorCount: 0,
  encryptedToken: 'eyJrIjoiLi4uIn0=',
  cursors: { gmail: '123456', 'calendar:primary': 'CPDAlvWDx70CEPDAlvWDx70CGAU=' },
  lastSyncAt: '2026-11-22T06:30:00.000Z',
};

describe('DynamoStore round trips', () => {
  it('returns the user, accounts, feedback and reports exactly as written', async () => {
    await store.putUser(user);
    await store.putAccount(account);
    const bare: Account = { ...account, accountId: 'acc2', provider: 'files', aliases: [], cursors: {} };
    delete bare.encryptedToken;
    delete bare.lastSyncAt;
    await store.putAccount(bare);

    expect(await store.getUser('u-rt')).toStrictEqual(user);
    expect(await store.getAccount('u-rt', 'acc1')).toStrictEqual(account);
    expect(await store.getAccount('u-rt', 'acc2')).toStrictEqual(bare);
    expect(await store.listAccounts('u-rt')).toStrictEqual([account, bare]);
    expect(await store.getUser('nobody')).toBeUndefined();
    expect(await store.getAccount('u-rt', 'nope')).toBeUndefined();
  });

  it('keeps the latest feedback per contact', async () => {
    await store.putUser({ ...user, userId: 'u-fb' });
    await store.putFeedback('u-fb', { contact: 'ann@acme.com', action: 'snooze', at: '2026-11-02T00:00:00.000Z', until: '2026-12-02T00:00:00.000Z' });
    await store.putFeedback('u-fb', { contact: 'bob@acme.com', action: 'mute', at: '2026-11-03T00:00:00.000Z' });
    await store.putFeedback('u-fb', { contact: 'ann@acme.com', action: 'fine', at: '2026-11-04T00:00:00.000Z' });
    expect(await store.listFeedback('u-fb')).toStrictEqual([
      { contact: 'ann@acme.com', action: 'fine', at: '2026-11-04T00:00:00.000Z' },
      { contact: 'bob@acme.com', action: 'mute', at: '2026-11-03T00:00:00.000Z' },
    ]);
  });

  it('stores reports by ISO week, compressed, including ones larger than an item as text', async () => {
    const contacts = Array.from({ length: 3000 }, (_, i) => ({ address: `c${i}@acme.com`, health: i % 100, trend: 'steady' }));
    const json = JSON.stringify({ user: 'me@example.com', contacts });
    expect(json.length).toBeGreaterThan(400 * 1024 / 4);
    await store.putReport('u-rt', '2026-W48', json);
    await store.putReport('u-rt', '2026-W47', '{"w":47}');
    expect(await store.getReport('u-rt', '2026-W48')).toBe(json);
    expect(await store.getReport('u-rt', '2026-W47')).toBe('{"w":47}');
    expect(await store.getReport('u-rt', '2026-W46')).toBeUndefined();
    await expect(store.putReport('u-rt', '2026-48', '{}')).rejects.toThrow(InputError);
    await expect(store.getReport('u-rt', '2026-W54')).rejects.toThrow(/ISO week/);
  });

  it('returns every kind of item deep-equal to what was written', async () => {
    const items: Item[] = [
      mail(),
      bareMail({ providerId: 'bare' }),
      mail({ providerId: 'with#hash/and=sign', source: 'graph-mail', labels: ['folder:deleteditems', 'inference:other'] }),
      mail({ accountId: 'acc#odd', providerId: 'p1', source: 'mbox' }),
      mail({ accountId: 'acc1', providerId: `<${'x'.repeat(1100)}@long.example>`, source: 'mbox' }),
      mail({ providerId: 'unicode', names: { 'jo@acme.com': 'Jöçé 李' }, threadId: '' }),
      meeting(),
      meeting({ providerId: 'bare-meeting', occurrenceKey: null, organizer: null, attendees: [], status: 'cancelled', source: 'ics' }),
    ];
    expect(await store.putItems('u-items', items)).toEqual({ written: items.length, unchanged: 0, skipped: [] });
    const read = await collect(store.queryItems('u-items'));
    expect(read.sort(byKey)).toStrictEqual([...items].sort(byKey));
  });

  it('stores items compactly, with a TTL of their time plus 400 days', async () => {
    await store.putItems('u-raw', [bareMail({ providerId: 'b1' }), meeting({ providerId: 'e1' })]);
    const record = await raw('u-raw', 'ITEM#acc1#b1');
    expect(Object.keys(record ?? {}).sort()).toEqual(['at', 'h', 'kind', 'pk', 'sk', 'source', 'ttl']);
    expect(record?.ttl).toBe(Date.parse('2026-11-20T09:12:00.000Z') / 1000 + 400 * 86_400);
    const event = await raw('u-raw', 'ITEM#acc1#e1');
    expect(event?.ttl).toBe(Date.parse('2026-11-18T15:00:00.000Z') / 1000 + 400 * 86_400);
  });

  it('skips an item without a valid time, naming it', async () => {
    const result = await store.putItems('u-bad', [mail({ providerId: 'bad', at: 'yesterday' })]);
    expect(result).toMatchObject({ written: 0, unchanged: 0 });
    expect(result.skipped).toEqual([{ providerId: 'bad', reason: expect.stringMatching(/acc1\/bad has no valid time/) }]);
  });
});

describe('DynamoStore.putItems idempotency', () => {
  it('writes new items once and reports repeats as unchanged', async () => {
    const items = [...mails(60), meeting()];
    expect(await store.putItems('u-idem', items)).toEqual({ written: 61, unchanged: 0, skipped: [] });
    const first = (await collect(store.queryItems('u-idem'))).sort(byKey);
    expect(await store.putItems('u-idem', items)).toEqual({ written: 0, unchanged: 61, skipped: [] });
    const second = (await collect(store.queryItems('u-idem'))).sort(byKey);
    expect(second).toStrictEqual(first);
    expect(second).toHaveLength(61);
  });

  it('treats field order as no change and rewrites an item whose content changed', async () => {
    const original = mail({ providerId: 'chg' });
    await store.putItems('u-chg', [original]);
    const reordered = Object.fromEntries(Object.entries(original).reverse()) as unknown as Item;
    expect(await store.putItems('u-chg', [reordered])).toEqual({ written: 0, unchanged: 1, skipped: [] });

    const trashed = mail({ providerId: 'chg', labels: ['TRASH'] });
    expect(await store.putItems('u-chg', [trashed])).toEqual({ written: 1, unchanged: 0, skipped: [] });
    expect(await collect(store.queryItems('u-chg'))).toStrictEqual([trashed]);
  });

  it('keeps the last copy of a key repeated within one call', async () => {
    const a = mail({ providerId: 'dup', labels: ['INBOX'] });
    const b = mail({ providerId: 'dup', labels: ['SENT'] });
    expect(await store.putItems('u-dup', [a, b])).toEqual({ written: 1, unchanged: 1, skipped: [] });
    expect(await collect(store.queryItems('u-dup'))).toStrictEqual([b]);
    expect(await store.putItems('u-dup', [])).toEqual({ written: 0, unchanged: 0, skipped: [] });
  });
});

describe('DynamoStore tenant isolation', () => {
  it('never returns another user’s records, even when ids collide', async () => {
    await store.putItems('alice', [mail({ from: 'ann@acme.com' }), meeting()]);
    await store.putItems('alice2', [mail({ from: 'eve@evil.com' })]);
    await store.putItems('bob', [mail({ from: 'zed@other.com' })]);
    await store.putAccount({ ...account, userId: 'bob', address: 'bob@other.com' });
    await store.putUser({ ...user, userId: 'bob' });
    await store.putFeedback('bob', { contact: 'ann@acme.com', action: 'mute', at: '2026-11-01T00:00:00.000Z' });

    const alice = await collect(store.queryItems('alice'));
    expect(alice.map((i) => (i.kind === 'mail' ? i.from : i.kind))).toEqual(['ann@acme.com', 'meeting']);
    expect(await collect(store.queryItems('bob'))).toStrictEqual([mail({ from: 'zed@other.com' })]);
    expect(await store.listAccounts('alice')).toEqual([]);
    expect(await store.listFeedback('alice')).toEqual([]);
    expect(await store.getAccount('alice', 'acc1')).toBeUndefined();
  });
});

describe('DynamoStore.queryItems pagination', () => {
  it('follows every page of a small page size', async () => {
    const items = mails(50, { accountId: 'accP' });
    await store.putItems('u-page', [...items, meeting({ accountId: 'accP' })]);
    await store.putAccount({ ...account, userId: 'u-page' });
    const paged = db.store({ pageSize: 7 });
    queries = 0;
    const read = await collect(paged.queryItems('u-page'));
    expect(read).toHaveLength(51);
    expect(new Set(read.map((i) => i.providerId)).size).toBe(51);
    expect(queries).toBeGreaterThanOrEqual(8);
  });

  it('reads a partition larger than one 1 MB page', async () => {
    // About 2.5 KB per item: 500 items make about 1.2 MB, more than one Query page holds.
    const padding = Array.from({ length: 40 }, (_, i) => `recipient-number-${i}@a-rather-long-domain-name.example.com`);
    const items = mails(500, { accountId: 'accBig', to: padding });
    expect(await store.putItems('u-big', items)).toEqual({ written: 500, unchanged: 0, skipped: [] });
    queries = 0;
    const read = await collect(store.queryItems('u-big'));
    expect(queries).toBeGreaterThanOrEqual(2);
    expect(read).toHaveLength(500);
    expect(read.sort(byKey)).toStrictEqual(items.sort(byKey));
  });
});

describe('DynamoStore schedules index', () => {
  it('lists accounts due for sync and users due a report, never paused ones', async () => {
    const s = db.store();
    await s.putAccount({ ...account, userId: 'sch1', accountId: 'old', lastSyncAt: '2026-11-22T05:00:00.000Z' });
    await s.putAccount({ ...account, userId: 'sch1', accountId: 'fresh', lastSyncAt: '2026-11-22T06:59:00.000Z' });
    await s.putAccount({ ...account, userId: 'sch2', accountId: 'never', lastSyncAt: undefined });
    await s.putAccount({ ...account, userId: 'sch2', accountId: 'broken', status: 'needs-reconnect' });
    const due = await s.listAccountsDueForSync('2026-11-22T06:30:00.000Z');
    expect(due.filter((d) => d.userId.startsWith('sch'))).toEqual([
      { userId: 'sch2', accountId: 'never' },
      { userId: 'sch1', accountId: 'old' },
    ]);
    expect(await s.listAccountsDueForSync('2026-11-23T00:00:00.000Z', 'needs-reconnect')).toContainEqual({
      userId: 'sch2',
      accountId: 'broken',
    });

    await s.putUser({ ...user, userId: 'tz1', timeZone: 'Asia/Tokyo' });
    await s.putUser({ ...user, userId: 'tz2', timeZone: 'Asia/Tokyo', reportsPaused: true });
    await s.putUser({ ...user, userId: 'tz3', timeZone: 'America/Lima' });
    expect(await s.listUsersForReport('Asia/Tokyo')).toEqual(['tz1']);
    await s.putUser({ ...user, userId: 'tz1', timeZone: 'Asia/Tokyo', reportsPaused: true });
    expect(await s.listUsersForReport('Asia/Tokyo')).toEqual([]);
  });
});

describe('DynamoStore.deleteUser', () => {
  it('deletes every record of the user and nothing of anyone else', async () => {
    await store.putUser({ ...user, userId: 'gone' });
    await store.putAccount({ ...account, userId: 'gone' });
    await store.putItems('gone', mails(40));
    await store.putFeedback('gone', { contact: 'ann@acme.com', action: 'fine', at: '2026-11-01T00:00:00.000Z' });
    await store.putReport('gone', '2026-W48', '{}');
    await store.putItems('gone-not', mails(3));

    expect(await store.deleteUser('gone')).toBe(44);
    expect(await store.getUser('gone')).toBeUndefined();
    expect(await store.listAccounts('gone')).toEqual([]);
    expect(await collect(store.queryItems('gone'))).toEqual([]);
    expect(await store.listFeedback('gone')).toEqual([]);
    expect(await store.getReport('gone', '2026-W48')).toBeUndefined();
    expect(await collect(store.queryItems('gone-not'))).toHaveLength(3);
    expect(await store.deleteUser('gone')).toBe(0);
  });
});

describe('DynamoStore errors', () => {
  it('throws StoreError naming the operation and keeping the cause', async () => {
    const missing = new DynamoStore({ client: db.client, tableName: 'no-such-table' });
    const error = await missing.putItems('u', [mail()]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/^putItems on table no-such-table failed: ResourceNotFoundException/);
    expect((error as StoreError).cause).toBeInstanceOf(Error);
    await expect(collect(missing.queryItems('u'))).rejects.toThrow(/queryItems on table no-such-table/);
    await expect(missing.getUser('u')).rejects.toThrow(StoreError);
  });
});
