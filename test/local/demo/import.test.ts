import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDemoFiles } from '#lib/local/demo/generate.ts';
import { readIcs } from '#lib/providers/files/ics.ts';
import { readMbox } from '#lib/providers/files/mbox.ts';
import type { MailItem } from '#lib/items/types.ts';

/** The demo files through the real importers (lib/providers/files), as `sinew demo` reads them. */
const dir = await mkdtemp(join(tmpdir(), 'sinew-demo-import-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
const demo = await writeDemoFiles(dir);
const mail: MailItem[] = [];
for await (const item of readMbox(demo.mboxPath, { accountId: 'demo' })) mail.push(item);
const meetings = await readIcs(demo.icsPath, {
  accountId: 'demo', owner: demo.me, expandUntil: new Date(demo.asOf.getTime() + 120 * 86_400_000),
});

describe('demo files through the importers', () => {
  it('reads every message, with its time, Message-ID and thread', () => {
    expect(mail).toHaveLength(demo.expectations.counts.messages);
    for (const m of mail) {
      expect(m.messageId).not.toBeNull();
      expect(Date.parse(m.at)).toBeLessThan(demo.asOf.getTime());
      expect(m.threadId).not.toBeNull();
      expect(m.from).not.toBeNull();
    }
    expect(new Set(mail.map((m) => m.messageId)).size).toBe(mail.length);
  });

  it('sees the signals the exclusion rules need', () => {
    expect(mail.filter((m) => m.bulkSignals.includes('list-id')).length).toBeGreaterThan(10);
    expect(mail.filter((m) => m.bulkSignals.some((s) => s.startsWith('precedence:bulk'))).length).toBeGreaterThan(3);
    expect(mail.filter((m) => m.bulkSignals.some((s) => s.startsWith('auto-submitted:'))).length).toBe(2);
    expect(mail.filter((m) => m.labels.includes('CATEGORY_PROMOTIONS')).length).toBeGreaterThan(10);
    expect(mail.filter((m) => m.labels.includes('TRASH'))).toHaveLength(2);
    expect(mail.filter((m) => m.to.length + m.cc.length === 14)).toHaveLength(1);
  });

  it('collapses the gmail.com spellings of one person to one address', () => {
    const seen = new Set(mail.flatMap((m) => [m.from, ...m.to, ...m.cc]));
    for (const [address, spellings] of Object.entries(demo.expectations.merged)) {
      expect(seen.has(address), address).toBe(true);
      for (const raw of spellings) if (raw !== address) expect(seen.has(raw), raw).toBe(false);
    }
  });

  it('expands the calendar to the scenario occurrences, with the exception and the move', () => {
    const past = meetings.filter((m) => Date.parse(m.start) < demo.asOf.getTime());
    expect(past).toHaveLength(demo.expectations.counts.pastOccurrences);
    expect(meetings.filter((m) => m.status === 'cancelled')).toHaveLength(1);
    const upcoming = meetings.filter((m) => Date.parse(m.start) >= demo.asOf.getTime());
    expect(upcoming.some((m) => m.attendees.some((a) => a.address === 'sofia.rossi@kestrel-mfg.de') || m.organizer === 'sofia.rossi@kestrel-mfg.de')).toBe(true);
    const declined = meetings.filter((m) => m.attendees.some((a) => a.address === 'alex.morgan@northwind-consulting.com' && a.response === 'declined'));
    expect(declined).toHaveLength(1);
    const series = meetings.filter((m) => m.organizer === 'priya.shah@acme-logistics.com');
    expect(series).toHaveLength(29);
    const days = new Set(series.map((m) => new Date(m.start).getUTCDay()));
    expect([...days].sort()).toEqual([2, 3]);
  });
});
