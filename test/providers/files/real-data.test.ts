/**
 * The importers on real mail nobody on the project wrote (/work/shared/data, see its
 * README): the Enron mailbox of Phillip Allen and a public mailing-list archive.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMbox } from '#lib/providers/files/mbox.ts';
import type { MailItem } from '#lib/items/types.ts';

const DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const ENRON = `${DATA}enron-allen-p/`;

async function importFile(file: string): Promise<{ items: MailItem[]; skipped: number }> {
  const items: MailItem[] = [];
  let skipped = 0;
  for await (const item of readMbox(file, { accountId: 'enron', onSkip: () => skipped++ })) items.push(item);
  return { items, skipped };
}

/** What `grep -c '^From '` counts: the messages of an mbox. */
const fromLines = (file: string): number => (readFileSync(file, 'latin1').match(/^From /gm) ?? []).length;

describe('Enron (allen-p), every folder', () => {
  const folders = readdirSync(ENRON).filter((f) => f.endsWith('.mbox')).sort();
  const byFolder = new Map<string, MailItem[]>();

  beforeAll(async () => {
    for (const folder of folders) byFolder.set(folder, (await importFile(`${ENRON}${folder}`)).items);
  });

  it('imports as many messages per folder as the mbox holds, 3,034 in all', () => {
    expect(folders).toHaveLength(10);
    for (const folder of folders) expect([folder, byFolder.get(folder)!.length]).toEqual([folder, fromLines(`${ENRON}${folder}`)]);
    expect([...byFolder.values()].reduce((n, items) => n + items.length, 0)).toBe(3034);
  });

  it('converts PST and PDT dates to UTC', () => {
    const all = [...byFolder.values()].flat();
    const find = (id: string) => all.find((i) => i.messageId === id)!;
    // Date: Mon, 30 Oct 2000 01:14:00 -0800 (PST)
    expect(find('10768151.1075855680607.javamail.evans@thyme').at).toBe('2000-10-30T09:14:00.000Z');
    // Date: Mon, 23 Apr 2001 03:31:00 -0700 (PDT)
    expect(find('31572025.1075855714122.javamail.evans@thyme').at).toBe('2001-04-23T10:31:00.000Z');
  });

  it('keeps Phillip under both of his addresses, with his X-From name', () => {
    const sentItems = byFolder.get('sent_items.mbox')!;
    const froms = new Set(sentItems.map((i) => i.from));
    expect(froms.has('k..allen@enron.com')).toBe(true);
    expect(froms.has('phillip.allen@enron.com')).toBe(true);
    const sent = byFolder.get('_sent_mail.mbox')!;
    // 4 of the 602 were sent by his assistant, Ina Rangel.
    expect(sent.filter((i) => i.from === 'phillip.allen@enron.com')).toHaveLength(598);
    expect(sent.filter((i) => i.from === 'ina.rangel@enron.com')).toHaveLength(4);
    expect(sent[0]!.names['phillip.allen@enron.com']).toBe('Phillip K Allen');
  });

  it('finds the same sent message in several folders with the same Date, mostly', () => {
    // A copy's fingerprint: recipients + subject hash + time. Measured: `sent` matches
    // `_sent_mail` at the same instant for 555 of 562 messages; 7 differ by exactly 10 or
    // 12 hours (a Notes conversion fault, e.g. 03:31 vs 13:31 for one reply).
    const key = (i: MailItem) => `${[...i.to, ...i.cc, ...i.bcc].sort().join(',')}|${i.subjectHash}`;
    const base = new Map<string, number[]>();
    for (const i of byFolder.get('_sent_mail.mbox')!) base.set(key(i), [...(base.get(key(i)) ?? []), Date.parse(i.at)]);
    let identical = 0;
    const gapsHours: number[] = [];
    for (const i of byFolder.get('sent.mbox')!) {
      const times = base.get(key(i)) ?? [];
      const gap = Math.min(...times.map((t) => Math.abs(t - Date.parse(i.at))));
      if (gap === 0) identical++;
      else gapsHours.push(gap / 3_600_000);
    }
    expect(identical).toBe(555);
    expect(gapsHours.sort()).toEqual([10, 10, 10, 10, 10, 10, 12]);
  });

  it('never finds a mailing-list signal where Enron has none', () => {
    const withSignals = [...byFolder.values()].flat().filter((i) => i.bulkSignals.length > 0);
    expect(withSignals).toHaveLength(0);
  });
});

describe('mailing-list archive (mboxrd)', () => {
  let items: MailItem[] = [];
  let skipped = -1;

  beforeAll(async () => {
    ({ items, skipped } = await importFile(`${DATA}mailing-list/apparmor-2019-2021.mbox`));
  });

  it('imports all 400 messages, none skipped', () => {
    expect(items).toHaveLength(400);
    expect(skipped).toBe(0);
  });

  it('gives every message a bulk signal, including bug-tracker notifications', () => {
    expect(items.filter((i) => i.bulkSignals.length === 0)).toHaveLength(0);
    expect(items.every((i) => i.bulkSignals.includes('list-id'))).toBe(true);
    const launchpad = items.filter((i) => i.from?.endsWith('@bugs.launchpad.net'));
    expect(launchpad.length).toBeGreaterThan(0);
    expect(launchpad.every((i) => i.bulkSignals.includes('precedence:bulk'))).toBe(true);
  });

  it('reads replies and dates of 2019 to 2021', () => {
    expect(items.filter((i) => i.replyTo.length > 0).length).toBeGreaterThan(100);
    const years = new Set(items.map((i) => i.at.slice(0, 4)));
    expect([...years].sort()).toEqual(['2019', '2020', '2021']);
  });
});
