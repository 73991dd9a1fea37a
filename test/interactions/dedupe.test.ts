import { describe, expect, it } from 'vitest';
import { dedupeItems, mailFingerprint } from '../../lib/interactions/dedupe.ts';
import { extractInteractions } from '../../lib/interactions/extract.ts';
import { ME, mail, meeting, options } from './builders.ts';

describe('duplicates', () => {
  it('the same provider id within an account counts once', () => {
    const a = mail({ providerId: 'p1', messageId: null });
    const x = extractInteractions([a, { ...a, labels: ['TRASH'] }, { ...a, accountId: 'other', subjectHash: 'different' }], options());
    expect(x.excluded.duplicates).toBe(1);
    expect(x.interactions).toHaveLength(2);
  });

  it('the same Message-ID counts once, across accounts and providers', () => {
    const a = mail({ messageId: 'abc@x' });
    const b = mail({ messageId: 'abc@x', accountId: 'second', source: 'graph-mail', at: '2026-11-22T09:00:05.000Z' });
    const x = extractInteractions([a, b], options());
    expect(x.excluded.duplicates).toBe(1);
    expect(x.interactions).toHaveLength(1);
  });

  it('an Enron-style copy (other id, mangled sender, same Date, recipients, subject) counts once', () => {
    // The same message in `sent` (From phillip.allen) and `sent_items` (From k..allen).
    const opts = options({ me: ['phillip.allen@enron.com', 'k..allen@enron.com'], accountAddresses: [] });
    const sent = mail({ from: 'phillip.allen@enron.com', to: ['jsmith@austintx.com', 'ann@partner.io'], messageId: '1@thyme', subjectHash: 'h', at: '2026-11-10T19:50:00.000Z' });
    const sentItems = mail({ from: 'k..allen@enron.com', to: ['ann@partner.io', 'jsmith@austintx.com'], messageId: '2@thyme', subjectHash: 'h', at: '2026-11-10T19:50:00.000Z' });
    const x = extractInteractions([sentItems, sent], opts);
    expect(x.excluded.duplicates).toBe(1);
    const kept = [`acct:${sent.providerId}`, `acct:${sentItems.providerId}`].sort()[0];
    expect(x.interactions.map((i) => [i.contact, i.kind, i.itemKey])).toEqual([
      ['ann@partner.io', 'sent', kept],
      ['jsmith@austintx.com', 'sent', kept],
    ]);
  });

  it('the fingerprint reads every Me address as one, and the instant to the second', () => {
    const me = new Set(['phillip.allen@enron.com', 'k..allen@enron.com']);
    const a = mail({ from: 'phillip.allen@enron.com', to: ['b@x.io', 'k..allen@enron.com'], subjectHash: 'h' });
    const b = mail({ from: 'k..allen@enron.com', to: ['phillip.allen@enron.com', 'b@x.io'], subjectHash: 'h' });
    const t = Date.parse('2001-05-10T19:50:00.000Z');
    expect(mailFingerprint(a, t, me)).toBe(mailFingerprint(b, t + 999, me));
    expect(mailFingerprint(a, t, me)).not.toBe(mailFingerprint(b, t + 1000, me));
    expect(mailFingerprint(a, t, me)).not.toBe(mailFingerprint({ ...b, subjectHash: 'other' }, t, me));
    expect(mailFingerprint(a, t, me)).not.toBe(mailFingerprint({ ...b, cc: ['c@x.io'] }, t, me));
  });

  it('returns the kept items in time order', () => {
    const items = [mail({ at: '2026-11-10T10:00:02.000Z' }), mail({ at: '2026-11-10T10:00:00.000Z' }), mail({ at: '2026-11-10T10:00:01.000Z' })];
    expect([...dedupeItems(items, items.map((i) => Date.parse(i.at)), new Set([ME])).kept]).toEqual([1, 2, 0]);
  });

  it('distinct messages with the same subject and recipients a minute apart stay distinct', () => {
    const a = mail({ from: ME, to: ['ann@partner.io'], subjectHash: 'h', at: '2026-11-10T10:00:00.000Z' });
    const b = mail({ from: ME, to: ['ann@partner.io'], subjectHash: 'h', at: '2026-11-10T10:01:00.000Z' });
    expect(extractInteractions([a, b], options()).interactions).toHaveLength(2);
  });

  it('groups copies transitively and keeps the smallest item key whatever the order', () => {
    const a = mail({ providerId: 'c', messageId: 'x@1', subjectHash: 'h1' });
    const b = mail({ providerId: 'b', messageId: 'x@1', subjectHash: 'h2', at: a.at });
    const c = mail({ providerId: 'a', messageId: 'y@1', subjectHash: 'h2', at: a.at });
    const items = [a, b, c];
    const times = items.map((i) => Date.parse(i.at));
    const result = dedupeItems(items, times, new Set([ME]));
    expect([...result.kept]).toEqual([2]);
    expect(result.dropped).toEqual([0, 1]);
    const reversed = dedupeItems([c, b, a], times, new Set([ME]));
    expect([...reversed.kept]).toEqual([0]);
    expect(reversed.dropped).toEqual([1, 2]);
  });

  it('meetings: the same occurrence key (one event in two calendars) counts once', () => {
    const m = meeting({ occurrenceKey: 'uid-1@2026-11-16T10:00:00Z' });
    const copy = meeting({ accountId: 'other', providerId: 'x', occurrenceKey: 'uid-1@2026-11-16T10:00:00Z' });
    const x = extractInteractions([m, copy], options());
    expect(x.interactions).toHaveLength(1);
    expect(x.excluded.duplicates).toBe(1);
  });
});
