import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FormatError, InputError } from '#lib/errors.ts';
import { subjectHash } from '#lib/items/normalize.ts';
import { readMbox } from '#lib/providers/files/mbox.ts';
import type { MailItem } from '#lib/items/types.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/files/${name}`, import.meta.url));

async function importAll(file: string): Promise<{ items: MailItem[]; skipped: string[]; progress: [number, number][] }> {
  const items: MailItem[] = [];
  const skipped: string[] = [];
  const progress: [number, number][] = [];
  for await (const item of readMbox(file, {
    accountId: 'acct-1',
    onSkip: (reason) => skipped.push(reason),
    onProgress: (read, total) => progress.push([read, total]),
  })) {
    items.push(item);
  }
  return { items, skipped, progress };
}

describe('readMbox on a Takeout-style sample', async () => {
  const { items, skipped, progress } = await importAll(fixture('takeout-sample.mbox'));
  const [labelled, bulk, enronStyle] = items;

  it('yields every message with a time and reports the one without', () => {
    expect(items).toHaveLength(3);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/message 3: neither a Date header nor the From line/);
    expect(items.every((i) => i.kind === 'mail' && i.source === 'mbox' && i.accountId === 'acct-1')).toBe(true);
  });

  it('normalizes addresses, gmail aliases, groups and Enron quoted local parts', () => {
    expect(labelled!.from).toBe('memyself@gmail.com');
    expect(labelled!.to).toEqual(['ann@acme.com', 'juergen@example.de']);
    expect(labelled!.cc).toEqual(['bob@acme.com', 'carol@acme.com']);
    // `<'dave'@example.org>` is repaired; `nobody-at-all` has no @ and is dropped.
    expect(labelled!.bcc).toEqual(['dave@example.org']);
    expect(enronStyle!.from).toBe('k..allen@enron.com');
  });

  it('keeps display names, decoding RFC 2047 and falling back to X-From', () => {
    expect(labelled!.names).toEqual({
      'memyself@gmail.com': 'Me Myself',
      'ann@acme.com': 'Lee, Ann',
      'juergen@example.de': 'Jürgen Müller',
      'carol@acme.com': 'Carol C.',
    });
    expect(enronStyle!.names).toEqual({ 'k..allen@enron.com': 'Allen, Phillip K.' });
  });

  it('maps Takeout labels to Gmail API names and keeps user labels', () => {
    expect(labelled!.labels).toEqual(['SENT', 'CATEGORY_PROMOTIONS', 'Clients, 2024', 'TRASH']);
    expect(bulk!.labels).toEqual(['INBOX', 'UNREAD', 'IMPORTANT', 'STARRED']);
    expect(enronStyle!.labels).toEqual([]);
  });

  it('reads ids, threads and reply references', () => {
    expect(labelled!.messageId).toBe('abc.123@mail.example.com');
    expect(labelled!.providerId).toBe('abc.123@mail.example.com');
    expect(labelled!.threadId).toBe('1790000000000000001');
    expect(labelled!.replyTo).toEqual(['parent@mail.example.com', 'root@mail.example.com']);
    // Decoded subject "Re: Quarterly plan" and "Fwd: RE: Quarterly plan" share one hash.
    expect(labelled!.subjectHash).toBe(subjectHash('Quarterly plan'));
    expect(enronStyle!.subjectHash).toBe(labelled!.subjectHash);
    // No X-GM-THRID: the subject hash is the thread.
    expect(enronStyle!.threadId).toBe(enronStyle!.subjectHash);
  });

  it('identifies a message without Message-ID by a stable hash of its headers', async () => {
    expect(bulk!.messageId).toBeNull();
    expect(bulk!.providerId).toMatch(/^[0-9a-f]{32}$/);
    expect(enronStyle!.providerId).not.toBe(bulk!.providerId);
    const again = await importAll(fixture('takeout-sample.mbox'));
    expect(again.items.map((i) => i.providerId)).toEqual(items.map((i) => i.providerId));
  });

  it('converts Date headers to UTC and falls back to the From line', () => {
    expect(labelled!.at).toBe('2024-10-01T12:00:00.000Z');
    expect(bulk!.at).toBe('2024-10-02T08:30:00.000Z');
    expect(enronStyle!.at).toBe('2024-11-01T08:00:00.000Z');
  });

  it('records only the bulk signals DESIGN names', () => {
    expect(bulk!.bulkSignals).toEqual(['list-id', 'list-unsubscribe', 'precedence:bulk', 'auto-submitted:auto-generated']);
    // `Precedence: first-class` and `Auto-Submitted: no` are not bulk.
    expect(enronStyle!.bulkSignals).toEqual([]);
    expect(labelled!.bulkSignals).toEqual([]);
  });

  it('never carries the subject or body', () => {
    const text = JSON.stringify(items);
    expect(text).not.toMatch(/Quarterly|Weekly digest|body|never be read/i);
  });

  it('reports progress up to the file size', () => {
    expect(progress.length).toBe(4);
    const [read, total] = progress.at(-1)!;
    expect(total).toBeGreaterThan(1000);
    expect(read).toBe(total);
  });
});

describe('readMbox input handling', () => {
  it('reads a gzipped mbox', async () => {
    const { items } = await importAll(fixture('gzipped.mbox.gz'));
    expect(items.map((i) => [i.messageId, i.from, i.to, i.at])).toEqual([
      ['gz@example.com', 'alice@example.com', ['bob@example.com'], '2025-01-06T10:00:00.000Z'],
    ]);
  });

  it('names a missing file in an InputError', async () => {
    const missing = fixture('no-such-file.mbox');
    const run = importAll(missing);
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(missing);
  });

  it('rejects a file that is not an mbox with a FormatError naming it', async () => {
    const file = fixture('not-an-mbox.eml');
    const run = importAll(file);
    await expect(run).rejects.toBeInstanceOf(FormatError);
    await expect(run).rejects.toThrow(`${file}: not an mbox file: expected a line starting with 'From '`);
  });

  it('stops reading when the consumer stops', async () => {
    let seen = 0;
    for await (const _item of readMbox(fixture('takeout-sample.mbox'), { accountId: 'a' })) {
      seen++;
      break;
    }
    expect(seen).toBe(1);
  });

  it('keeps the first line of a folded Subject as a separate hash, only when it differs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sinew-mbox-'));
    const file = join(dir, 'folded.mbox');
    const message = (id: string, subject: string): string =>
      `From x@y Fri May 04 05:18:00 2001\nMessage-ID: <${id}@x>\nDate: Fri, 4 May 2001 05:18:00 -0700\nFrom: a@x.com\nTo: b@y.com\n${subject}\nX-Folder: Sent\n\nbody\n\n`;
    writeFileSync(file, [
      message('folded', 'Subject: Re: Western Wholesale Activities\n Privileged & Confidential\nMime-Version: 1.0'),
      message('plain', 'Subject: Re: Western Wholesale Activities'),
      message('folded-long', 'Subject:\n Western Wholesale Activities'),
    ].join(''));
    const { items } = await importAll(file);
    const [folded, plain, foldedAfterName] = items;
    expect(folded!.subjectHash).toBe(subjectHash('Western Wholesale Activities Privileged & Confidential'));
    expect(folded!.subjectHeadHash).toBe(plain!.subjectHash);
    expect(plain).not.toHaveProperty('subjectHeadHash');
    // An empty first line (the whole subject folded down) tells nothing more.
    expect(foldedAfterName!.subjectHash).toBe(plain!.subjectHash);
    expect(foldedAfterName).not.toHaveProperty('subjectHeadHash');
  });
});
