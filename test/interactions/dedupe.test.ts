import { describe, expect, it } from 'vitest';
import { dedupeItems, mailFingerprint } from '#lib/interactions/dedupe.ts';
import { extractInteractions } from '#lib/interactions/extract.ts';
import type { MailItem } from '#lib/items/types.ts';
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

  it('input already in time order (the usual case, where the sort is skipped) keeps ties in input order, as the sort does', () => {
    const at = ['2026-11-10T10:00:00.000Z', '2026-11-10T10:00:00.000Z', '2026-11-10T10:00:01.000Z', '2026-11-10T10:00:01.000Z'];
    const items = at.map((a, k) => mail({ at: a, from: `p${k}@x.io`, providerId: `m${k}`, messageId: `id${k}@x` }));
    const times = items.map((i) => Date.parse(i.at));
    expect([...dedupeItems(items, times, new Set([ME])).kept]).toEqual([0, 1, 2, 3]);
    // One item out of order takes the sorting path: the same ties, the same order.
    const swapped = [items[2]!, items[0]!, items[1]!, items[3]!];
    const kept = dedupeItems(swapped, swapped.map((i) => Date.parse(i.at)), new Set([ME])).kept;
    expect([...kept].map((k) => swapped[k]!.providerId)).toEqual(['m0', 'm1', 'm2', 'm3']);
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

describe('shifted archive copies (one message, sent or received, its Date off by whole hours between exports)', () => {
  const PHILLIP = 'phillip.allen@enron.com';
  const opts = options({ me: [PHILLIP, 'k..allen@enron.com'], accountAddresses: [] });
  // Folders as the Enron conversion names them: a Lotus Notes export and an Outlook one.
  const NOTES_SENT = "mbox-folder:\\Phillip_Allen_June2001\\Notes Folders\\Sent";
  const NOTES_ALL = 'mbox-folder:\\Phillip_Allen_June2001\\Notes Folders\\All documents';
  const NOTES_SENT_MAIL = "mbox-folder:\\Phillip_Allen_June2001\\Notes Folders\\'sent mail";
  const OUTLOOK_SENT = 'mbox-folder:\\PALLEN (Non-Privileged)\\Allen, Phillip K.\\Sent Items';
  const OUTLOOK_SENT_MAIL = "mbox-folder:\\Phillip_Allen_Jan2002_1\\Allen, Phillip K.\\'Sent Mail";
  const T = Date.parse('2026-11-10T07:50:00.000Z');
  const HOUR = 3_600_000;

  /** Phillip's copy of one message to jsmith, filed in `folder`, `hours` after T. */
  const copy = (folder: string, hours: number, overrides: Partial<MailItem> = {}): MailItem =>
    mail({ source: 'mbox', from: PHILLIP, to: ['jsmith@austintx.com'], subjectHash: 'release', labels: [folder], at: new Date(T + hours * HOUR).toISOString(), ...overrides });
  const sent = (items: MailItem[]) => extractInteractions(items, opts).interactions.filter((i) => i.kind === 'sent');

  it('merges copies in different folders whose times differ by 10 or 12 whole hours, keeping the smallest item key', () => {
    for (const hours of [10, 12, 1, 14]) {
      const a = copy(NOTES_SENT, 0);
      const b = copy(OUTLOOK_SENT, hours, { from: 'k..allen@enron.com' });
      const x = extractInteractions([b, a], opts);
      expect([hours, x.interactions.length, x.excluded.duplicates]).toEqual([hours, 1, 1]);
      const kept = [a, b].sort((p, q) => (p.providerId < q.providerId ? -1 : 1))[0]!;
      expect(x.interactions[0]).toMatchObject({ contact: 'jsmith@austintx.com', itemKey: `acct:${kept.providerId}`, at: Date.parse(kept.at) });
    }
  });

  it('matches a copy whose archive folded a notice into the Subject by the folded first line', () => {
    const notes = copy(NOTES_SENT, 0);
    const outlook = copy(OUTLOOK_SENT, 10, { subjectHash: 'release privileged', subjectHeadHash: 'release' });
    expect(sent([notes, outlook])).toHaveLength(1);
    // A different first line is a different message.
    expect(sent([notes, copy(OUTLOOK_SENT, 10, { subjectHash: 'other privileged', subjectHeadHash: 'other' })])).toHaveLength(2);
    // The exact-time fingerprint keeps comparing whole subjects.
    expect(sent([notes, copy(OUTLOOK_SENT, 0, { subjectHash: 'release privileged', subjectHeadHash: 'release' })])).toHaveLength(2);
  });

  it('keeps copies in the same folder apart: one folder never holds two copies of one message', () => {
    expect(sent([copy(NOTES_SENT, 0), copy(NOTES_SENT, 10)])).toHaveLength(2);
  });

  it('keeps apart shifts that are not whole hours, or longer than 14 hours', () => {
    expect(sent([copy(NOTES_SENT, 0), copy(OUTLOOK_SENT, 2.5)])).toHaveLength(2);
    expect(sent([copy(NOTES_SENT, 0), copy(OUTLOOK_SENT, 10 + 30 / 3600)])).toHaveLength(2); // 30 s off
    expect(sent([copy(NOTES_SENT, 0), copy(OUTLOOK_SENT, 15)])).toHaveLength(2);
    expect(sent([copy(NOTES_SENT, 0), copy(OUTLOOK_SENT, 24)])).toHaveLength(2);
  });

  it('keeps apart copies that differ in recipients or subject', () => {
    expect(sent([copy(NOTES_SENT, 0), copy(OUTLOOK_SENT, 10, { subjectHash: 'other' })])).toHaveLength(2);
    expect(sent([copy(NOTES_SENT, 0), copy(OUTLOOK_SENT, 10, { cc: ['ann@partner.io'] })])).toHaveLength(3);
  });

  it('merges received copies the same way: one message in the Notes and Outlook inboxes, 12 hours apart', () => {
    // DESIGN section 3: the rule holds for sent and received alike (another Enron mailbox
    // counted 33 received messages twice this way).
    const NOTES_INBOX = "mbox-folder:\\Phillip_Allen_June2001\\Notes Folders\\Notes inbox";
    const OUTLOOK_INBOX = 'mbox-folder:\\Phillip_Allen_Jan2002_1\\Allen, Phillip K.\\Inbox';
    const inbound = (folder: string, hours: number, overrides: Partial<MailItem> = {}) =>
      copy(folder, hours, { from: 'jsmith@austintx.com', to: [PHILLIP], ...overrides });
    const x = extractInteractions([inbound(OUTLOOK_INBOX, 12), inbound(NOTES_INBOX, 0), inbound(NOTES_ALL, 0)], opts);
    expect(x.interactions.map((i) => [i.kind, i.contact])).toEqual([['received', 'jsmith@austintx.com']]);
    expect(x.excluded.duplicates).toBe(2);
    // The same limits as for sent mail: one folder holding both, a shift that is not whole
    // hours, another sender, or an ambiguous twin keeps them apart.
    const received = (items: MailItem[]) => extractInteractions(items, opts).interactions.filter((i) => i.kind === 'received');
    expect(received([inbound(NOTES_INBOX, 0), inbound(NOTES_INBOX, 12)])).toHaveLength(2);
    expect(received([inbound(NOTES_INBOX, 0), inbound(OUTLOOK_INBOX, 12.5)])).toHaveLength(2);
    expect(received([inbound(NOTES_INBOX, 0), inbound(OUTLOOK_INBOX, 12, { from: 'ann@partner.io' })])).toHaveLength(2);
    expect(received([inbound(NOTES_INBOX, 0), inbound(NOTES_INBOX, 4), inbound(OUTLOOK_INBOX, 12)])).toHaveLength(3);
  });

  it('leaves alone mail that is not from an archive with folders', () => {
    expect(sent([copy(NOTES_SENT, 0, { source: 'gmail', labels: ['SENT'] }), copy(OUTLOOK_SENT, 10, { source: 'graph-mail', labels: ['folder:sentitems'] })])).toHaveLength(2);
    expect(sent([copy(NOTES_SENT, 0, { labels: [] }), copy(OUTLOOK_SENT, 10, { labels: [] })])).toHaveLength(2); // Takeout-style mbox
  });

  it('keeps two real messages 3 hours apart though each has copies in several folders', () => {
    // Enron: the same subject to jsmith at 09:59 and 12:59, each in 'sent mail, Sent and
    // All documents. Across folders (Sent at 09:59, All documents at 12:59) the pair looks
    // shifted, but Sent holds both, so they are two messages.
    const first = [copy(NOTES_SENT, 0), copy(NOTES_ALL, 0), copy(NOTES_SENT_MAIL, 0)];
    const second = [copy(NOTES_SENT, 3), copy(NOTES_ALL, 3), copy(NOTES_SENT_MAIL, 3)];
    const x = extractInteractions([...first, ...second], opts);
    expect(x.interactions).toHaveLength(2);
    expect(x.excluded.duplicates).toBe(4);
  });

  it('joins a Notes group and an Outlook group of copies into one message', () => {
    const notes = [copy(NOTES_SENT, 0), copy(NOTES_ALL, 0), copy(NOTES_SENT_MAIL, 0)];
    const outlook = [copy(OUTLOOK_SENT, 10, { from: 'k..allen@enron.com' }), copy(OUTLOOK_SENT_MAIL, 10)];
    const x = extractInteractions([...outlook, ...notes], opts);
    expect(x.interactions).toHaveLength(1);
    expect(x.excluded.duplicates).toBe(4);
  });

  it('leaves an ambiguous copy apart rather than merge two real messages', () => {
    // The Outlook copy at +10 h could be the twin of the message at 0 or of the one at
    // +3 h (7 h apart): neither pairing is certain, so all three count.
    const x = extractInteractions([copy(NOTES_SENT, 0), copy(NOTES_SENT, 3), copy(OUTLOOK_SENT, 10)], opts);
    expect(x.interactions).toHaveLength(3);
    // With only one candidate it pairs, whichever it is.
    expect(sent([copy(NOTES_SENT, 3), copy(OUTLOOK_SENT, 10)])).toHaveLength(1);
  });

  it('gives the same result whatever the order of the items', () => {
    const items = [
      copy(NOTES_SENT, 0), copy(NOTES_ALL, 0), copy(OUTLOOK_SENT, 10), copy(OUTLOOK_SENT_MAIL, 10), // one message
      copy(NOTES_SENT, 100), copy(NOTES_ALL, 100), copy(NOTES_SENT, 103), copy(NOTES_ALL, 103), // two
      copy(NOTES_SENT, 200), copy(OUTLOOK_SENT, 202), copy(OUTLOOK_SENT, 212), // ambiguous: three
    ];
    const keptKeys = (list: MailItem[]) => {
      const { kept, dropped } = dedupeItems(list, list.map((i) => Date.parse(i.at)), new Set([PHILLIP]));
      return { kept: [...kept].map((k) => list[k]!.providerId), dropped: dropped.length };
    };
    const expected = keptKeys(items);
    expect(expected.kept).toHaveLength(6);
    expect(expected.dropped).toBe(5);
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let round = 0; round < 20; round++) {
      const shuffled = [...items];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      expect(keptKeys(shuffled)).toEqual(expected);
    }
  });
});
