import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, User } from '#lib/store/types.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';
import { mail, meeting } from './items.ts';

/**
 * Partial, conditional updates (issue 10, items 2 and 5): a change writes only what it
 * names, two changes read from the same old profile both survive, and nothing deleted is
 * ever recreated by an update.
 */
let db: TestDynamo;
let store: DynamoStore;
beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());

const user = (userId: string): User => ({
  userId, email: 'me@example.com', timeZone: 'Europe/Paris', me: ['me@example.com'], internalDomains: [],
  reportsPaused: false, createdAt: '2026-11-01T10:00:00.000Z',
});
const account = (userId: string, over: Partial<Account> = {}): Account => ({
  userId, accountId: 'acc1', provider: 'google', address: 'me@example.com', aliases: [], status: 'active',
  errorCount: 0, encryptedToken: 'sealed', cursors: {}, ...over,
});

describe('DynamoStore.updateUser', () => {
  it('writes only the attributes it names and keeps the weekly schedule in step', async () => {
    await store.putUser(user('u-up'));
    expect(await store.updateUser('u-up', { set: { reportsPaused: true, unsubscribedAt: '2026-11-24T08:00:00.000Z' } })).toMatchObject({
      reportsPaused: true, unsubscribedAt: '2026-11-24T08:00:00.000Z', timeZone: 'Europe/Paris',
    });
    expect(await store.listUsersForReport('Europe/Paris')).not.toContain('u-up');
    await store.updateUser('u-up', { set: { timeZone: 'Asia/Tokyo' } });
    expect(await store.listUsersForReport('Asia/Tokyo')).not.toContain('u-up');
    await store.updateUser('u-up', { set: { reportsPaused: false }, remove: ['unsubscribedAt'] });
    expect(await store.listUsersForReport('Asia/Tokyo')).toContain('u-up');
    expect(await store.getUser('u-up')).toEqual({ ...user('u-up'), timeZone: 'Asia/Tokyo' });
  });

  it('never creates a profile that is gone', async () => {
    expect(await store.updateUser('u-none', { set: { reportsPaused: true } })).toBeUndefined();
    expect(await store.getUser('u-none')).toBeUndefined();
  });

  it('two changes read from the same old profile (an unsubscribe and a time zone) both survive', async () => {
    await store.putUser(user('u-race'));
    await Promise.all([
      store.updateUser('u-race', { set: { reportsPaused: true, unsubscribedAt: '2026-11-24T08:00:00.000Z' } }),
      store.updateUser('u-race', { set: { timeZone: 'America/New_York' } }),
    ]);
    expect(await store.getUser('u-race')).toMatchObject({ reportsPaused: true, unsubscribedAt: '2026-11-24T08:00:00.000Z', timeZone: 'America/New_York' });
    expect(await store.listUsersForReport('America/New_York')).not.toContain('u-race');
    expect(await store.listUsersForReport('Europe/Paris')).not.toContain('u-race');
  });

  it('a resume racing a time-zone change indexes the user under the new zone', async () => {
    await store.putUser({ ...user('u-resume'), reportsPaused: true });
    await Promise.all([
      store.updateUser('u-resume', { set: { reportsPaused: false } }),
      store.updateUser('u-resume', { set: { timeZone: 'Asia/Tokyo' } }),
    ]);
    expect(await store.listUsersForReport('Asia/Tokyo')).toContain('u-resume');
    expect(await store.listUsersForReport('Europe/Paris')).not.toContain('u-resume');
  });
});

describe('DynamoStore.updateAccount', () => {
  it('changes only what it names, and the sync schedule follows status and lastSyncAt', async () => {
    await store.putAccount(account('u-acc', { cursors: { gmail: 'h1' } }));
    expect(await store.updateAccount('u-acc', 'acc1', { set: { status: 'syncing', cursors: { gmail: 'h2' } }, expectCursors: { gmail: 'h1' } })).toBe('updated');
    expect(await store.listAccountsDueForSync('9', 'syncing')).toContainEqual({ userId: 'u-acc', accountId: 'acc1' });
    expect(await store.updateAccount('u-acc', 'acc1', { set: { status: 'active', lastSyncAt: '2026-11-24T08:00:00.000Z', failingSince: '2026-11-23T08:00:00.000Z' } })).toBe('updated');
    expect(await store.listAccountsDueForSync('2026-11-24T08:00:00.000Z')).not.toContainEqual({ userId: 'u-acc', accountId: 'acc1' });
    expect(await store.listAccountsDueForSync('2026-11-24T09:00:00.000Z')).toContainEqual({ userId: 'u-acc', accountId: 'acc1' });
    await store.updateAccount('u-acc', 'acc1', { remove: ['failingSince'], set: { errorCount: 0 } });
    expect(await store.getAccount('u-acc', 'acc1')).toEqual(account('u-acc', { cursors: { gmail: 'h2' }, lastSyncAt: '2026-11-24T08:00:00.000Z' }));
  });

  it('never recreates a deleted account, token and all', async () => {
    await store.putAccount(account('u-del'));
    await store.deleteUser('u-del');
    expect(await store.updateAccount('u-del', 'acc1', { set: { status: 'active', cursors: { gmail: 'h9' }, encryptedToken: 'sealed-new' } })).toBe('gone');
    expect(await store.getAccount('u-del', 'acc1')).toBeUndefined();
    expect(await store.listAccountsDueForSync('9')).not.toContainEqual({ userId: 'u-del', accountId: 'acc1' });
  });

  it('refuses a checkpoint whose cursors are not the stored ones (an account connected afresh)', async () => {
    await store.putAccount(account('u-sup', { cursors: { gmail: 'h1', 'gcal:primary': 's1' } }));
    expect(await store.updateAccount('u-sup', 'acc1', { set: { cursors: { gmail: 'h2' } }, expectCursors: { gmail: 'h1' } })).toBe('superseded');
    expect(await store.updateAccount('u-sup', 'acc1', { set: { cursors: { gmail: 'h2' } }, expectCursors: {} })).toBe('superseded');
    expect(await store.updateAccount('u-sup', 'acc1', { set: { cursors: { gmail: 'h2' } }, expectCursors: { gmail: 'h0', 'gcal:primary': 's1' } })).toBe('superseded');
    expect((await store.getAccount('u-sup', 'acc1'))?.cursors).toEqual({ gmail: 'h1', 'gcal:primary': 's1' });
    await store.putAccount(account('u-fresh'));
    expect(await store.updateAccount('u-fresh', 'acc1', { set: { cursors: { gmail: 'h1' } }, expectCursors: {} })).toBe('updated');
    expect(await store.updateAccount('u-fresh', 'acc1', { set: { cursors: { gmail: 'h2' } }, expectCursors: { gmail: 'h1' } })).toBe('updated');
  });
});

describe('DynamoStore.deleteItems and deleteAccountItems', () => {
  it('delete one account\'s items, hashed keys included, and nothing else', async () => {
    const long = 'x'.repeat(1100);
    await store.putItems('u-sweep', [
      mail({ providerId: 'm1' }), mail({ providerId: 'm2' }), mail({ providerId: long }), meeting({ providerId: 'e1' }),
      mail({ accountId: 'acc2', providerId: 'm1' }), mail({ accountId: 'acc2', providerId: long }),
    ]);
    await store.deleteItems('u-sweep', 'acc1', ['m2']);
    expect(await store.getItem('u-sweep', 'acc1', 'm2')).toBeUndefined();
    expect(await store.getItem('u-sweep', 'acc1', 'm1')).toBeDefined();
    expect(await store.deleteAccountItems('u-sweep', 'acc1')).toBe(3);
    const left: string[] = [];
    for await (const item of store.queryItems('u-sweep')) left.push(`${item.accountId}/${item.providerId.slice(0, 4)}`);
    expect(left.sort()).toEqual(['acc2/m1', 'acc2/xxxx']);
  });
});
