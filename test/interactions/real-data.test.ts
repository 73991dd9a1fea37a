import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractInteractions } from '#lib/interactions/extract.ts';
import { readMbox } from '#lib/providers/files/mbox.ts';
import type { Extraction } from '#lib/interactions/types.ts';
import type { MailItem } from '#lib/items/types.ts';
import { defaultSettings } from '#lib/settings.ts';
import { distinctMessages, sentCopies, sentExpectation, type SentCopy, type SentExpectation } from './sent-oracle.ts';
import { receivedCopies, receivedExpectation } from './received-oracle.ts';

/**
 * The definitions against real mail nobody on the project wrote (/work/shared/data,
 * see its README): Phillip Allen's Enron mailbox, whose sent mail sits in three folders
 * under different Message-IDs and two spellings of his address, and a mailing-list
 * archive that must never count as a relationship.
 *
 * How many messages Phillip sent, and how many he received from each contact, is checked
 * against oracles that read the raw files (./sent-oracle.ts, bodies included, and
 * ./received-oracle.ts) and share no code with the product.
 */

const DATA = '/work/shared/data';
const ENRON = `${DATA}/enron-allen-p`;
const FOLDERS = ['_sent_mail', 'all_documents', 'contacts', 'deleted_items', 'discussion_threads', 'inbox', 'notes_inbox', 'sent', 'sent_items', 'straw'];
const SENT_FOLDERS = ['_sent_mail', 'sent', 'sent_items'];
const ME = ['phillip.allen@enron.com', 'k..allen@enron.com'];
const DAY = 86_400_000;

async function read(file: string, accountId: string): Promise<MailItem[]> {
  const items: MailItem[] = [];
  for await (const item of readMbox(file, { accountId })) items.push(item);
  return items;
}

const folders = new Map<string, MailItem[]>();

/** The oracle's distinct sent messages in the given folders. */
const messagesIn = (names: readonly string[]): SentCopy[][] => distinctMessages(sentCopies(names.map((f) => `${ENRON}/${f}.mbox`), ME), ME);

beforeAll(async () => {
  if (!existsSync(ENRON)) throw new Error(`${ENRON} is missing: these tests need the shared sample data`);
  for (const f of FOLDERS) folders.set(f, await read(`${ENRON}/${f}.mbox`, 'enron'));
});

describe('Enron allen-p', () => {
  const settings = { ...defaultSettings, includeInternal: true };
  const options = (asOf: Date) => ({ asOf, settings, me: ME, accountAddresses: [] });
  const sentByContact = (x: Extraction): Map<string, number> => {
    const out = new Map<string, number>();
    for (const i of x.interactions) if (i.kind === 'sent') out.set(i.contact, (out.get(i.contact) ?? 0) + 1);
    return out;
  };
  const receivedByContact = (x: Extraction): Map<string, number> => {
    const out = new Map<string, number>();
    for (const i of x.interactions) if (i.kind === 'received') out.set(i.contact, (out.get(i.contact) ?? 0) + 1);
    return out;
  };
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));

  it('counts each sent message once despite its copies in _sent_mail, sent and sent_items', () => {
    const asOf = new Date('2001-07-01T00:00:00.000Z');
    const sentItems = SENT_FOLDERS.flatMap((f) => folders.get(f)!);
    const x = extractInteractions(sentItems, options(asOf));
    const oracle = sentExpectation(messagesIn(SENT_FOLDERS), ME, asOf, settings.maxRecipients);
    expect(sorted(sentByContact(x))).toEqual(sorted(oracle.expectedByContact));
    // Without deduplication each folder would add its own copy.
    const sent = x.interactions.filter((i) => i.kind === 'sent');
    const perFolder = SENT_FOLDERS.map((f) => extractInteractions(folders.get(f)!, options(asOf)).interactions.filter((i) => i.kind === 'sent').length);
    expect(sent.length).toBeLessThan(0.6 * perFolder.reduce((a, b) => a + b, 0));
    expect(x.excluded.duplicates).toBeGreaterThan(400);
    // The mangled sent_items sender is Me, not a contact.
    expect(x.interactions.some((i) => ME.includes(i.contact))).toBe(false);
  });

  describe.each(['2001-07-01', '2002-01-01'])('over every folder, as of %s', (day) => {
    const asOf = new Date(`${day}T00:00:00.000Z`);
    let all: MailItem[];
    let x: Extraction;
    let oracle: SentExpectation;
    beforeAll(() => {
      all = [...folders.values()].flat();
      x = extractInteractions(all, options(asOf));
      oracle = sentExpectation(messagesIn(FOLDERS), ME, asOf, settings.maxRecipients);
    });

    it('sends each contact as many messages as the raw files hold, copies counted once', () => {
      expect(sorted(sentByContact(x))).toEqual(sorted(oracle.expectedByContact));
      expect(new Set(x.interactions.filter((i) => i.kind === 'sent').map((i) => i.itemKey)).size).toBe(oracle.messages.length);
    });

    it('receives from each contact as many messages as the raw files hold, copies counted once', () => {
      const received = receivedExpectation(receivedCopies(FOLDERS.map((f) => `${ENRON}/${f}.mbox`), ME), asOf, settings.maxRecipients);
      expect(sorted(receivedByContact(x))).toEqual(sorted(received.expectedByContact));
      expect(new Set(x.interactions.filter((i) => i.kind === 'received').map((i) => i.itemKey)).size).toBe(received.messages.length);
      // This mailbox's own received mail has no shifted copies (its Notes and Outlook
      // inboxes cover different months); the next test gives it some.
      expect(received.shiftedPairs).toEqual([]);
    });

    it('counts once each message whose Notes and Outlook copies are 10 or 12 hours apart', () => {
      const shifted = oracle.messages.filter((m) => new Set(m.map((c) => c.at)).size > 1 && new Set(m.map((c) => c.subject)).size === 1);
      expect(shifted).toHaveLength(44); // both report dates hold all of April and May 2001
      const sent = x.interactions.filter((i) => i.kind === 'sent');
      for (const m of shifted) {
        const times = new Set(m.map((c) => c.at));
        const gaps = new Set([...times].map((t) => Math.abs(t - Math.min(...times)) / 3_600_000).filter((h) => h > 0));
        expect([...gaps].every((h) => h === 10 || h === 12)).toBe(true);
        // One sent interaction per oracle message with this contact at these times (two
        // distinct messages may share them: Enron has such a pair, 2001-05-01 14:14).
        for (const contact of m[0]!.recipients.filter((a) => !ME.includes(a))) {
          const hits = sent.filter((i) => i.contact === contact && times.has(i.at)).length;
          const messages = oracle.messages.filter((o) => o[0]!.recipients.includes(contact) && o.some((c) => times.has(c.at))).length;
          expect([contact, new Date(Math.min(...times)).toISOString(), hits]).toEqual([contact, new Date(Math.min(...times)).toISOString(), messages]);
        }
      }
      // Before the rule (no folder labels, so nothing to tell exports apart) each of them
      // counted twice (and so did the two whose Outlook Subject is folded): 564 sent
      // messages as of 2001-07-01 where there are 518 now.
      const unlabelled = all.map((i) => ({ ...i, labels: i.labels.filter((l) => !l.startsWith('mbox-folder:')) }));
      const before = extractInteractions(unlabelled, options(asOf)).interactions.filter((i) => i.kind === 'sent');
      expect(new Set(before.map((i) => i.itemKey)).size - new Set(sent.map((i) => i.itemKey)).size).toBe(shifted.length + oracle.subjectVariants.length);
    });

    it('counts once the replies whose Outlook copy folds a notice into the Subject, and keeps look-alikes 3 hours apart', () => {
      // Outlook's copies of two replies carry a privilege notice folded into the Subject
      // that the Notes copies lack, on a second header line: the rule compares first lines.
      const variants = oracle.subjectVariants.map((m) => new Date(Math.min(...m.map((c) => c.at))).toISOString()).sort();
      expect(variants).toEqual(['2001-05-04T12:18:00.000Z', '2001-05-07T09:28:00.000Z']);
      const sent = x.interactions.filter((i) => i.kind === 'sent');
      for (const m of oracle.subjectVariants) {
        const times = new Set(m.map((c) => c.at));
        for (const contact of m[0]!.recipients.filter((a) => !ME.includes(a))) {
          expect([contact, sent.filter((i) => i.contact === contact && times.has(i.at)).length]).toEqual([contact, 1]);
        }
      }
      // Two real messages: same subject, same recipient, 09:59 and 12:59 (copies in three folders each).
      const jsmith = x.interactions.filter((i) => i.kind === 'sent' && i.contact === 'jsmith@austintx.com').map((i) => new Date(i.at).toISOString());
      expect(jsmith).toEqual(expect.arrayContaining(['2001-04-12T09:59:00.000Z', '2001-04-12T12:59:00.000Z']));
    });
  });

  it('counts once a received message whose Outlook copy is 12 hours off its Notes copies', () => {
    // Another Enron mailbox holds its received mail in both exports: the Outlook copy of a
    // message in the Notes inbox sits in Outlook's Inbox, its Date 12 hours later, under
    // another Message-ID. Give this mailbox such an export of its Notes inbox, written
    // from the raw file, and count against the oracle, which pairs the copies by the
    // whole-hour rule (and checks each pair's bodies agree).
    const dir = mkdtempSync(join(tmpdir(), 'sinew-enron-'));
    try {
      const outlook = join(dir, 'outlook_inbox.mbox');
      writeFileSync(outlook, outlookExportOf(readFileSync(`${ENRON}/notes_inbox.mbox`, 'latin1'), 12), 'latin1');
      const files = [...FOLDERS.map((f) => `${ENRON}/${f}.mbox`), outlook];
      const asOf = new Date('2002-01-01T00:00:00.000Z');
      const oracle = receivedExpectation(receivedCopies(files, ME), asOf, settings.maxRecipients);
      return (async () => {
        const items = [...[...folders.values()].flat(), ...(await read(outlook, 'enron'))];
        const x = extractInteractions(items, options(asOf));
        expect(sorted(receivedByContact(x))).toEqual(sorted(oracle.expectedByContact));
        // What the pairing does: without it, every paired message that counts (not
        // automated, not a broadcast) counts twice.
        const twice = [...oracle.withoutShiftRule].reduce((n, [c, k]) => n + k - (oracle.expectedByContact.get(c) ?? 0), 0);
        const counted = oracle.shiftedPairs.filter((p) => !p.a[0]!.automated && p.a[0]!.toCc.length <= settings.maxRecipients);
        expect(twice).toBe(counted.length);
        expect(counted.length).toBeGreaterThan(30);
        expect(oracle.shiftedPairs.every((p) => p.hours === 12 && p.bodyOverlap === 1)).toBe(true);
        // Every sent count is as before: the copies are received mail.
        expect(sorted(sentByContact(x))).toEqual(sorted(sentByContact(extractInteractions([...folders.values()].flat(), options(asOf)))));
      })().finally(() => rmSync(dir, { recursive: true, force: true }));
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  });

  it('drops enron.com colleagues when the connected address is his and internal is not included', () => {
    const all = [...folders.values()].flat();
    const x = extractInteractions(all, { ...options(new Date('2001-07-01T00:00:00.000Z')), settings: defaultSettings, accountAddresses: ['phillip.allen@enron.com'] });
    expect(x.internalDomains).toEqual(['enron.com']);
    expect(x.excluded.internal).toBeGreaterThan(100);
    expect(x.interactions.length).toBeGreaterThan(0);
    expect(x.interactions.every((i) => !i.contact.endsWith('@enron.com'))).toBe(true);
  });
});

describe('mailing list (apparmor 2019-2021)', () => {
  it('yields no interaction at all, whatever the report date', async () => {
    const items = await read(`${DATA}/mailing-list/apparmor-2019-2021.mbox`, 'list');
    expect(items.length).toBe(400);
    const judged = new Set<number>();
    for (const asOf of ['2020-06-01', '2021-07-01', '2021-12-01'].map((d) => new Date(`${d}T00:00:00.000Z`))) {
      const x = extractInteractions(items, { asOf, settings: defaultSettings, me: ['me@example.com'], accountAddresses: [] });
      expect(x.interactions).toEqual([]);
      expect(x.upcoming).toEqual([]);
      const inWindow = items.map((_, i) => i).filter((i) => Date.parse(items[i]!.at) < asOf.getTime() && Date.parse(items[i]!.at) >= asOf.getTime() - 400 * DAY);
      const { automated, broadcast, duplicates } = x.excluded;
      expect(automated + broadcast + duplicates).toBe(inWindow.length);
      expect(automated).toBeGreaterThan(0);
      for (const i of inWindow) judged.add(i);
    }
    expect(judged.size).toBe(items.length); // the three report dates saw every message
  });
});

/**
 * An Outlook export of an mbox of Lotus Notes folders, as the Enron conversion wrote them:
 * each message under another Message-ID, its Date `hours` later, filed in Outlook's Inbox.
 */
function outlookExportOf(mbox: string, hours: number): string {
  let n = 0;
  return mbox.replace(/^(From .*\r?\n)([\s\S]*?)(\r?\n\r?\n)/gm, (_, fromLine: string, headers: string, blank: string) => {
    n++;
    const shifted = headers
      .replace(/^Message-ID: .*$/im, `Message-ID: <outlook.${n}@enron.test>`)
      .replace(/^Date: (.*)$/im, (_line, date: string) => `Date: ${new Date(Date.parse(date.replace(/\s*\(.*\)\s*$/, '')) + hours * 3_600_000).toUTCString()}`)
      .replace(/^X-Folder: .*$/im, 'X-Folder: \\Phillip_Allen_Jan2002_1\\Allen, Phillip K.\\Inbox');
    return `${fromLine}${shifted}${blank}`;
  });
}
