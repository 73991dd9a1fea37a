import { describe, expect, it } from 'vitest';
import { fromItemRecord, itemHash, itemSortKey, itemTtl, toItemRecord } from '#lib/store/dynamodb/item-record.ts';
import { StringPool } from '#lib/items/string-pool.ts';
import { mail, meeting } from './items.ts';

describe('itemSortKey', () => {
  it('spells ordinary ids in the key, so the key alone says where an item came from', () => {
    expect(itemSortKey('acc1', '18c2f0a1')).toBe('ITEM#acc1#18c2f0a1');
    expect(itemSortKey('acc1', 'a#b')).toBe('ITEM#acc1#a#b');
  });

  it('hashes ids that would be ambiguous or too long, keeping them distinct', () => {
    const odd = itemSortKey('a#b', 'c');
    const other = itemSortKey('a', 'b#c');
    expect(odd).toMatch(/^ITEM#~[\w-]{43}$/);
    expect(odd).not.toBe(other);
    const long = itemSortKey('acc1', 'x'.repeat(1100));
    expect(long).toMatch(/^ITEM#~/);
    expect(long).not.toBe(itemSortKey('acc1', 'x'.repeat(1101)));
  });

  it('keeps ids of hashed keys in the record and restores them', () => {
    const item = mail({ accountId: 'a#b', providerId: 'c' });
    const record = toItemRecord('USER#u', item);
    expect(record).toMatchObject({ accountId: 'a#b', providerId: 'c' });
    expect(fromItemRecord(record)).toStrictEqual(item);
    expect(toItemRecord('USER#u', mail())).not.toHaveProperty('providerId');
  });

  it('round-trips the folded Subject head hash of archive mail, and leaves it out when absent', () => {
    const item = mail({ subjectHeadHash: 'head' });
    expect(fromItemRecord(toItemRecord('USER#u', item))).toStrictEqual(item);
    expect(fromItemRecord(toItemRecord('USER#u', mail()))).not.toHaveProperty('subjectHeadHash');
  });
});

describe('fromItemRecord with a read\'s string pool', () => {
  it('gives the same items, with one pooled string per address, label and account across them', () => {
    const pool = new StringPool();
    const items = [
      mail({ providerId: 'a', from: 'ann@acme.com', to: ['me@example.com', 'bob@acme.com'], cc: ['ann@acme.com'], labels: ['INBOX'] }),
      mail({ providerId: 'b', from: 'me@example.com', to: ['ann@acme.com'], cc: [], bcc: ['bob@acme.com'], labels: ['SENT', 'INBOX'] }),
      meeting({ organizer: 'ann@acme.com', attendees: [{ address: 'me@example.com', response: 'accepted' }, { address: 'cy@acme.com', response: 'declined' }] }),
    ];
    // Records as a read gets them: copies, not the written objects.
    const decoded = items.map((item) => fromItemRecord(structuredClone(toItemRecord('USER#u', item)), pool));
    expect(decoded).toStrictEqual(items);
    const distinct = new Set(items.flatMap((i) =>
      i.kind === 'mail' ? [i.accountId, i.from!, ...i.to, ...i.cc, ...i.bcc, ...i.labels] : [i.accountId, i.organizer!, ...i.attendees.map((a) => a.address)]));
    expect(distinct.has('cy@acme.com')).toBe(true);
    expect(pool.size).toBe(distinct.size);
    expect(pool.intern(['ann', 'acme.com'].join('@'))).toBe('ann@acme.com');
    expect(pool.size).toBe(distinct.size);
  });
});

describe('itemHash', () => {
  it('ignores key order but sees any change of content', () => {
    const item = mail();
    const reordered = Object.fromEntries(Object.entries(item).reverse()) as typeof item;
    expect(itemHash(reordered)).toBe(itemHash(item));
    expect(itemHash(mail({ labels: ['INBOX'] }))).not.toBe(itemHash(item));
    expect(itemHash(mail({ to: [...item.to].reverse() }))).not.toBe(itemHash(item));
    expect(itemHash(meeting({ status: 'cancelled' }))).not.toBe(itemHash(meeting()));
  });
});

describe('itemTtl', () => {
  it('is the item time plus 400 days, in epoch seconds', () => {
    expect(itemTtl(mail({ at: '2026-01-01T00:00:00.000Z' }))).toBe(Date.UTC(2027, 1, 5) / 1000);
    expect(itemTtl(meeting({ start: '2026-01-01T00:00:00.000Z' }))).toBe(Date.UTC(2027, 1, 5) / 1000);
  });
});
