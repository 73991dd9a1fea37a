import { describe, expect, it } from 'vitest';
import { InputError } from '#lib/errors.ts';
import { extractInteractions } from '#lib/interactions/extract.ts';
import type { Extraction } from '#lib/interactions/types.ts';
import type { Item } from '#lib/items/types.ts';
import { AS_OF, ME, accepted, mail, meeting, options } from './builders.ts';

const DAY = 86_400_000;
const daysBefore = (n: number): string => new Date(AS_OF.getTime() - n * DAY).toISOString();

describe('outbound mail', () => {
  it('is one sent interaction per To/Cc/Bcc recipient who is not Me', () => {
    const m = mail({ from: ME, to: ['ann@partner.io', ME], cc: ['bob@partner.io', 'alias@acme.com'], bcc: ['carl@partner.io', 'ann@partner.io'], replyTo: ['x@y'] });
    const x = extractInteractions([m], options({ accountAddresses: [ME, 'alias@acme.com'] }));
    expect(x.interactions.map((i) => i.contact)).toEqual(['ann@partner.io', 'bob@partner.io', 'carl@partner.io']);
    for (const i of x.interactions) {
      expect(i).toMatchObject({ kind: 'sent', at: Date.parse(m.at), itemKey: `acct:${m.providerId}`, threadId: m.threadId, messageId: m.messageId, replyTo: ['x@y'], toMe: false, trashed: false, minutes: 0 });
    }
  });

  it('to Me only (a note to self) is no interaction and no exclusion', () => {
    const x = extractInteractions([mail({ from: ME, to: [ME] })], options());
    expect(x.interactions).toEqual([]);
    expect(x.excluded).toEqual({ automated: 0, broadcast: 0, internal: 0, duplicates: 0 });
  });
});

describe('inbound mail', () => {
  it('is one received interaction with the sender only, toMe when Me is in To', () => {
    const m = mail({ from: 'ann@partner.io', to: [ME, 'bob@partner.io'], cc: ['carl@partner.io'] });
    const x = extractInteractions([m], options());
    expect(x.interactions).toHaveLength(1);
    expect(x.interactions[0]).toMatchObject({ contact: 'ann@partner.io', kind: 'received', toMe: true, trashed: false });
  });

  it('with Me only in Cc has toMe false', () => {
    const x = extractInteractions([mail({ to: ['bob@partner.io'], cc: [ME] })], options());
    expect(x.interactions[0]).toMatchObject({ kind: 'received', toMe: false });
  });

  it('with Me in neither To nor Cc (Bcc to Me) still counts as received', () => {
    const x = extractInteractions([mail({ to: ['bob@partner.io'], cc: [] })], options());
    expect(x.interactions).toHaveLength(1);
    expect(x.interactions[0]).toMatchObject({ contact: 'ann@partner.io', kind: 'received', toMe: false });
  });

  it('in Trash or Deleted Items still counts, flagged trashed', () => {
    const x = extractInteractions(
      [mail({ labels: ['TRASH'], at: daysBefore(3) }), mail({ labels: ['folder:deleteditems'], at: daysBefore(2) }), mail({ labels: ['INBOX'], at: daysBefore(1) })],
      options(),
    );
    expect(x.interactions.map((i) => [i.kind, i.trashed])).toEqual([['received', true], ['received', true], ['received', false]]);
  });

  it("in an archive's Deleted Items folder still counts, flagged trashed like Outlook's", () => {
    const folder = (path: string, days: number) => mail({ source: 'mbox', labels: [`mbox-folder:${path}`], at: daysBefore(days) });
    const x = extractInteractions(
      [folder('\\PALLEN\\Allen, Phillip K.\\Deleted Items', 3), folder('\\PALLEN\\Allen, Phillip K.\\Inbox', 2), folder('\\Deleted Items\\Inbox', 1)],
      options(),
    );
    expect(x.interactions.map((i) => [i.kind, i.trashed])).toEqual([['received', true], ['received', false], ['received', false]]);
  });

  it('without a parseable sender is no interaction', () => {
    expect(extractInteractions([mail({ from: null })], options()).interactions).toEqual([]);
  });
});

describe('time', () => {
  it('ignores mail after asOf entirely and keeps mail at the edge of the held history', () => {
    const items = [
      mail({ at: AS_OF.toISOString() }),
      mail({ at: daysBefore(-1), bulkSignals: ['list-id'] }),
      mail({ at: daysBefore(400) }),
      mail({ at: new Date(AS_OF.getTime() - 400 * DAY - 1).toISOString(), bulkSignals: ['list-id'] }),
      mail({ at: 'not a date' }),
    ];
    const x = extractInteractions(items, options());
    expect(x.interactions.map((i) => i.at)).toEqual([AS_OF.getTime() - 400 * DAY]);
    expect(x.excluded.automated).toBe(0);
  });

  it('refuses an invalid asOf', () => {
    expect(() => extractInteractions([], options({ asOf: new Date('nope') }))).toThrow(InputError);
  });
});

describe('exclusion precedence', () => {
  it('counts each message once: duplicate, then automated, then broadcast, then internal', () => {
    const many = Array.from({ length: 11 }, (_, i) => `p${i}@acme.com`);
    const bulkBroadcast = mail({ bulkSignals: ['list-id'], to: many, messageId: 'dup@x' });
    const items = [
      bulkBroadcast,
      { ...bulkBroadcast, providerId: 'other-copy' }, // duplicate of an automated broadcast
      mail({ from: 'bob@acme.com', to: many }), // internal broadcast
      mail({ from: 'bob@acme.com' }), // internal
    ];
    const x = extractInteractions(items, options());
    expect(x.excluded).toEqual({ duplicates: 1, automated: 1, broadcast: 1, internal: 1 });
  });
});

describe('names', () => {
  it('keep the most recent non-empty display name per contact, for contacts only', () => {
    const items = [
      mail({ at: daysBefore(5), names: { 'ann@partner.io': 'Ann L.' } }),
      mail({ at: daysBefore(3), names: { 'ann@partner.io': 'Ann Lee', [ME]: 'Me Myself' } }),
      mail({ at: daysBefore(1), names: { 'ann@partner.io': '  ' } }),
      mail({ at: daysBefore(1), bulkSignals: ['list-id'], names: { 'ann@partner.io': 'Ann via List' } }),
      mail({ from: ME, to: ['bob@partner.io'], names: { 'bob@partner.io': 'Bob', 'stranger@x.io': 'Stranger' } }),
    ];
    const x = extractInteractions(items, options());
    expect([...x.names]).toEqual([['ann@partner.io', 'Ann Lee'], ['bob@partner.io', 'Bob']]);
  });

  it('settle a tie of instants by the smaller name, whatever the order', () => {
    const a = mail({ at: daysBefore(2), names: { 'ann@partner.io': 'Ann Lee' } });
    const b = mail({ at: daysBefore(2), names: { 'ann@partner.io': 'Ann B. Lee' } });
    expect(extractInteractions([a, b], options()).names.get('ann@partner.io')).toBe('Ann B. Lee');
    expect(extractInteractions([b, a], options()).names.get('ann@partner.io')).toBe('Ann B. Lee');
  });

  it('come from meeting attendees too', () => {
    const x = extractInteractions([meeting({ attendees: [{ address: 'ann@partner.io', name: 'Ann', response: 'accepted' }] })], options());
    expect(x.names.get('ann@partner.io')).toBe('Ann');
  });
});

describe('determinism', () => {
  const corpus = (): Item[] => {
    const items: Item[] = [];
    for (let d = 1; d <= 60; d++) {
      const at = daysBefore(d);
      const who = `c${d % 7}@partner${d % 3}.io`;
      items.push(mail({ at, from: who, names: { [who]: `Name ${d % 4}` }, messageId: `in${d}@x`, labels: d % 5 === 0 ? ['TRASH'] : [] }));
      items.push(mail({ at, from: ME, to: [who, `c${(d + 1) % 7}@partner${d % 3}.io`], messageId: `out${d}@x`, providerId: `o${d}`, subjectHash: 'plan' }));
      // an archive copy of the same sent message: other id, same fingerprint
      items.push(mail({ at, from: ME, to: [`c${(d + 1) % 7}@partner${d % 3}.io`, who], messageId: `copy${d}@x`, providerId: `copy${d}`, subjectHash: 'plan' }));
      items.push(meeting({ start: at, end: daysBefore(d - 0.02), attendees: accepted(ME, who, 'bob@acme.com'), occurrenceKey: `u${d % 10}` }));
      if (d % 4 === 0) items.push(mail({ at, from: 'noreply@partner.io' }));
    }
    items.push(meeting({ start: daysBefore(-3), end: daysBefore(-2.9), attendees: accepted(ME, 'c1@partner1.io') }));
    return items;
  };

  const shuffled = <T>(xs: T[], seed: number): T[] => {
    const out = [...xs];
    let s = seed;
    for (let i = out.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };

  const snapshot = (x: Extraction): unknown => ({ ...x, names: [...x.names], me: [...x.me] });

  it('gives the same extraction whatever the order of the items', () => {
    const items = corpus();
    const base = extractInteractions(items, options());
    expect(base.interactions.length).toBeGreaterThan(100);
    expect(base.excluded.duplicates).toBeGreaterThan(50);
    expect(base.upcoming).toHaveLength(1);
    for (const seed of [1, 2, 3, 42]) {
      expect(snapshot(extractInteractions(shuffled(items, seed), options()))).toEqual(snapshot(base));
    }
  });

  it('sorts interactions by at, contact, kind, itemKey', () => {
    const x = extractInteractions(corpus(), options());
    const key = (i: Extraction['interactions'][number]): string => [String(i.at).padStart(15, '0'), i.contact, i.kind, i.itemKey].join('\u0000');
    const keys = x.interactions.map(key);
    expect(keys).toEqual([...keys].sort());
  });
});
