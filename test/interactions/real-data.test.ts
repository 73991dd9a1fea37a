import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractInteractions } from '../../lib/interactions/extract.ts';
import { readMbox } from '../../lib/providers/files/mbox.ts';
import type { MailItem } from '../../lib/providers/types.ts';
import { defaultSettings } from '../../lib/settings.ts';

/**
 * The definitions against real mail nobody on the project wrote (/work/shared/data,
 * see its README): Phillip Allen's Enron mailbox, whose sent mail sits in three folders
 * under different Message-IDs and two spellings of his address, and a mailing-list
 * archive that must never count as a relationship.
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

beforeAll(async () => {
  if (!existsSync(ENRON)) throw new Error(`${ENRON} is missing: these tests need the shared sample data`);
  for (const f of FOLDERS) folders.set(f, await read(`${ENRON}/${f}.mbox`, 'enron'));
});

/** An independent count of distinct sent messages: (Date, sorted recipients, subject), as the brief defines them. */
function distinctSent(items: MailItem[], asOf: Date, maxRecipients: number): Map<string, number> {
  const me = new Set(ME);
  const out = new Map<string, number>();
  for (const it of items) {
    const t = Date.parse(it.at);
    if (t >= asOf.getTime() || t < asOf.getTime() - 400 * DAY) continue;
    if (!it.from || !me.has(it.from) || it.bulkSignals.length > 0) continue;
    const recipients = [...new Set([...it.to, ...it.cc, ...it.bcc])];
    const others = recipients.filter((a) => !me.has(a));
    if (others.length === 0 || recipients.length > maxRecipients) continue;
    out.set(`${it.at}|${recipients.sort().join(',')}|${it.subjectHash}`, others.length);
  }
  return out;
}

describe('Enron allen-p', () => {
  const asOf = new Date('2001-07-01T00:00:00.000Z');
  const settings = { ...defaultSettings, includeInternal: true };
  const opts = { asOf, settings, me: ME, accountAddresses: [] };

  it('counts each sent message once despite its copies in _sent_mail, sent and sent_items', () => {
    const sentItems = SENT_FOLDERS.flatMap((f) => folders.get(f)!);
    const x = extractInteractions(sentItems, opts);
    const sent = x.interactions.filter((i) => i.kind === 'sent');
    const expected = distinctSent(sentItems, asOf, settings.maxRecipients);

    expect(new Set(sent.map((i) => i.itemKey)).size).toBe(expected.size);
    expect(sent.length).toBe([...expected.values()].reduce((a, b) => a + b, 0));
    // Without deduplication each folder would add its own copy.
    const perFolder = SENT_FOLDERS.map((f) => extractInteractions(folders.get(f)!, opts).interactions.filter((i) => i.kind === 'sent').length);
    expect(sent.length).toBeLessThan(0.6 * perFolder.reduce((a, b) => a + b, 0));
    expect(x.excluded.duplicates).toBeGreaterThan(400);
    // The mangled sent_items sender is Me, not a contact.
    expect(x.interactions.some((i) => ME.includes(i.contact))).toBe(false);
  });

  it('over the whole mailbox, no two sent interactions with a contact share Date and subject', () => {
    const all = [...folders.values()].flat();
    const x = extractInteractions(all, opts);
    const byItem = new Map(all.map((it) => [`enron:${it.providerId}`, it]));
    const seen = new Set<string>();
    for (const i of x.interactions.filter((i) => i.kind === 'sent')) {
      const it = byItem.get(i.itemKey)!;
      const key = `${i.contact}|${it.at}|${it.subjectHash}|${[...it.to, ...it.cc, ...it.bcc].filter((a) => !ME.includes(a)).sort().join(',')}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    expect(new Set(x.interactions.filter((i) => i.kind === 'sent').map((i) => i.itemKey)).size).toBe(distinctSent(all, asOf, settings.maxRecipients).size);
  });

  it('drops enron.com colleagues when the connected address is his and internal is not included', () => {
    const all = [...folders.values()].flat();
    const x = extractInteractions(all, { ...opts, settings: defaultSettings, accountAddresses: ['phillip.allen@enron.com'] });
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
