import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '#lib/errors.ts';
import type { DynamoStore } from '#lib/store/dynamodb/store.ts';
import { canonicalTimeZone } from '#lib/time/zones.ts';
import type { User } from '#lib/store/types.ts';
import { startTestDynamo, type TestDynamo } from '#test/support/dynalite.ts';

let db: TestDynamo;
let store: DynamoStore;
beforeAll(async () => {
  db = await startTestDynamo();
  store = db.store();
});
afterAll(async () => db.close());

const t0 = new Date('2026-11-23T07:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const LEASE = 60_000;

describe('DynamoStore send claims', () => {
  it('lets exactly one of many concurrent claimers through', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.claimSend('u1', 'report#2026-W48', `w${i}`, t0, LEASE)),
    );
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r === 'busy')).toHaveLength(7);
  });

  it('answers sent after markSent, for ever, whoever asks and whatever the lease', async () => {
    expect(await store.claimSend('u2', 'report#2026-W48', 'a', t0, LEASE)).toBe('claimed');
    await store.markSent('u2', 'report#2026-W48', 'ses-1', at(1000));
    expect(await store.claimSend('u2', 'report#2026-W48', 'b', at(2000), LEASE)).toBe('sent');
    expect(await store.claimSend('u2', 'report#2026-W48', 'a', at(10 * LEASE), LEASE)).toBe('sent');
    // Keys are per week and per user.
    expect(await store.claimSend('u2', 'report#2026-W49', 'a', t0, LEASE)).toBe('claimed');
    expect(await store.claimSend('u3', 'report#2026-W48', 'a', t0, LEASE)).toBe('claimed');
  });

  it('is busy while the lease runs and claimable once it has expired (the holder crashed)', async () => {
    expect(await store.claimSend('u4', 'k', 'dead', t0, LEASE)).toBe('claimed');
    expect(await store.claimSend('u4', 'k', 'other', at(LEASE - 1), LEASE)).toBe('busy');
    expect(await store.claimSend('u4', 'k', 'other', at(LEASE), LEASE)).toBe('claimed');
    // The new holder's lease now counts from its claim.
    expect(await store.claimSend('u4', 'k', 'third', at(LEASE + 1), LEASE)).toBe('busy');
  });

  it('releases only the owner\'s own unfinished claim', async () => {
    expect(await store.claimSend('u5', 'k', 'a', t0, LEASE)).toBe('claimed');
    await store.releaseSend('u5', 'k', 'someone-else');
    expect(await store.claimSend('u5', 'k', 'b', at(1), LEASE)).toBe('busy');
    await store.releaseSend('u5', 'k', 'a');
    expect(await store.claimSend('u5', 'k', 'b', at(2), LEASE)).toBe('claimed');
    await store.markSent('u5', 'k', 'ses-2', at(3));
    await store.releaseSend('u5', 'k', 'b');
    expect(await store.claimSend('u5', 'k', 'c', at(4), LEASE)).toBe('sent');
  });

  it('refuses odd keys and leases', async () => {
    await expect(store.claimSend('u6', 'has space', 'a', t0, LEASE)).rejects.toThrow(InputError);
    await expect(store.claimSend('u6', 'k', 'a', t0, 0)).rejects.toThrow(/lease must be positive/);
  });

  it('is deleted with the user', async () => {
    await store.markSent('u7', 'report#2026-W48', 'ses-3', t0);
    expect(await store.deleteUser('u7')).toBe(1);
    expect(await store.claimSend('u7', 'report#2026-W48', 'a', t0, LEASE)).toBe('claimed');
  });
});

describe('DynamoStore report schedule by time zone', () => {
  const user: User = {
    userId: 'z1',
    email: 'z@example.com',
    timeZone: 'Asia/Kolkata',
    me: [],
    internalDomains: [],
    reportsPaused: false,
    createdAt: '2026-11-01T00:00:00.000Z',
  };

  it('indexes a zone under its canonical name, so aliases are one zone', async () => {
    await store.putUser(user);
    await store.putUser({ ...user, userId: 'z2', timeZone: 'Etc/UTC' });
    const india = canonicalTimeZone('Asia/Kolkata');
    expect(await store.listUsersForReport(india)).toContain('z1');
    expect(await store.listUsersForReport('Asia/Kolkata')).toContain('z1');
    expect(await store.listUsersForReport('UTC')).toContain('z2');
    // The profile keeps the zone as the user gave it.
    expect((await store.getUser('z1'))?.timeZone).toBe('Asia/Kolkata');
  });

  it('keeps a zone Intl does not know under its own name', () => {
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBe('Mars/Olympus_Mons');
    expect(canonicalTimeZone('US/Eastern')).toBe('America/New_York');
  });
});
