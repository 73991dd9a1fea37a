import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '#lib/items/normalize.ts';
import { DEMO_AS_OF, generateDemoMailbox, writeDemoFiles } from '#lib/local/demo/generate.ts';
import { first, mboxEntries } from './mbox-entries.ts';

const demo = generateDemoMailbox();
const entries = mboxEntries(demo.mbox);
const addressesIn = (value: string | undefined): string[] =>
  value ? [...value.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)].map((m) => m[1]!) : [];

describe('generateDemoMailbox', () => {
  it('is deterministic for an asOf and seed, and varies with the seed', () => {
    const again = generateDemoMailbox({ asOf: new Date(DEMO_AS_OF.getTime()) });
    expect(again.mbox).toBe(demo.mbox);
    expect(again.ics).toBe(demo.ics);
    expect(again.expectations).toEqual(demo.expectations);
    const other = generateDemoMailbox({ seed: 99 });
    expect(other.mbox).not.toBe(demo.mbox);
    expect(other.ics).not.toBe(demo.ics);
  });

  it('places everything before asOf, relative to it', () => {
    const asOf = new Date('2025-03-05T12:00:00.000Z');
    const shifted = generateDemoMailbox({ asOf });
    expect(shifted.asOf).toBe(asOf);
    expect(shifted.expectations.asOf).toBe(asOf.toISOString());
    const times = mboxEntries(shifted.mbox).map((e) => Date.parse(first(e, 'date')!.replace(/ \(\w+\)$/, '')));
    expect(Math.max(...times)).toBeLessThan(asOf.getTime());
    expect(Math.min(...times)).toBeGreaterThan(asOf.getTime() - 366 * 86_400_000);
  });

  it('rejects a bad asOf or seed', () => {
    expect(() => generateDemoMailbox({ asOf: new Date('nope') })).toThrow(/asOf/);
    expect(() => generateDemoMailbox({ seed: 1.5 })).toThrow(/seed/);
  });

  it('writes a well-formed mbox: separators, Message-ID, parseable Date, escaped From lines', () => {
    expect(entries.length).toBe(demo.expectations.counts.messages);
    expect(entries.length).toBeGreaterThan(800);
    for (const e of entries) {
      expect(e.separator).toMatch(/^From \d+@xxx \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \+0000 \d{4}$/);
      expect(first(e, 'message-id')).toMatch(/^<[^<>\s]+@[^<>\s]+>$/);
      expect(Number.isNaN(Date.parse(first(e, 'date')!.replace(/ \(\w+\)$/, '')))).toBe(false);
      expect(first(e, 'from')).toBeDefined();
      expect(first(e, 'x-gmail-labels')).toBeDefined();
      expect(e.body).not.toMatch(/^From /m);
    }
    expect(demo.mbox).toMatch(/^>From /m);
    const ids = entries.map((e) => first(e, 'message-id'));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('writes dates in several zones and header shapes', () => {
    const zones = new Set(entries.map((e) => /([+-]\d{4})/.exec(first(e, 'date')!)![1]));
    expect(zones.size).toBeGreaterThanOrEqual(4);
    expect(entries.some((e) => /^\d/.test(first(e, 'date')!))).toBe(true);
    expect(entries.some((e) => /\((EST|EDT|GMT|BST|CET|CEST)\)$/.test(first(e, 'date')!))).toBe(true);
    expect(demo.mbox).toContain('=?UTF-8?Q?Lukas_Wei=C3=9F?=');
    expect(demo.mbox).toContain('"Shah, Priya" <priya.shah@acme-logistics.com>');
  });

  it('has threads with and without In-Reply-To, and most but not all X-GM-THRID', () => {
    const replies = entries.filter((e) => /^Re: /.test(first(e, 'subject') ?? ''));
    const linked = replies.filter((e) => e.headers.has('in-reply-to') && e.headers.has('references'));
    expect(linked.length).toBeGreaterThan(replies.length / 2);
    expect(replies.length - linked.length).toBeGreaterThan(20);
    const withThread = entries.filter((e) => e.headers.has('x-gm-thrid')).length;
    expect(withThread).toBeGreaterThan(entries.length * 0.75);
    expect(withThread).toBeLessThan(entries.length);
  });

  it('carries every kind of noise the report must exclude', () => {
    const has = (pred: (e: (typeof entries)[number]) => boolean): number => entries.filter(pred).length;
    expect(has((e) => e.headers.has('list-id') && e.headers.has('list-unsubscribe'))).toBeGreaterThan(10);
    expect(has((e) => first(e, 'precedence') === 'bulk' && !e.headers.has('list-id'))).toBeGreaterThan(3);
    expect(has((e) => first(e, 'auto-submitted') === 'auto-replied' && /hannah\.cole/.test(first(e, 'from')!))).toBe(1);
    expect(has((e) => /<noreply@/.test(first(e, 'from')!))).toBeGreaterThan(10);
    expect(has((e) => first(e, 'x-gmail-labels')!.includes('Category Promotions'))).toBeGreaterThan(10);
    const broadcast = entries.filter((e) => addressesIn(first(e, 'to')).length + addressesIn(first(e, 'cc')).length === 14);
    expect(broadcast).toHaveLength(1);
    expect(has((e) => /northwind-consulting\.com>$/.test(first(e, 'from')!) && /sarah\.jenkins/.test(first(e, 'to') ?? ''))).toBeGreaterThan(10);
    expect(has((e) => first(e, 'x-gmail-labels')!.split(',').includes('Trash'))).toBe(2);
  });

  it('copies one sent message under a second Message-ID', () => {
    const key = (e: (typeof entries)[number]): string => [first(e, 'date'), first(e, 'from'), first(e, 'to'), first(e, 'subject')].join('|');
    const counts = new Map<string, number>();
    for (const e of entries) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([2]);
    expect(demo.expectations.excludedMessages.duplicates).toBe(1);
  });

  it('sends some mail from the alias, and both addresses are Me', () => {
    expect(demo.me).toEqual(['alex.morgan@northwind-consulting.com', 'alex@northwind-consulting.com']);
    expect(entries.some((e) => first(e, 'from') === 'Alex Morgan <alex@northwind-consulting.com>'
      && first(e, 'x-gmail-labels')!.includes('Sent'))).toBe(true);
  });

  it('names only addresses that really appear in the files', () => {
    const inMbox = new Set<string>();
    for (const e of entries) for (const h of ['from', 'to', 'cc']) for (const a of addressesIn(first(e, h))) inMbox.add(normalizeAddress(a)!);
    const inIcs = new Set([...demo.ics.replace(/\r\n /g, '').matchAll(/mailto:([^\s\r\n;:]+)/g)].map((m) => normalizeAddress(m[1])!));
    const ex = demo.expectations;
    const people = [
      ...ex.fading.include, ...ex.fading.exclude, ...ex.owedReplies.include, ...ex.owedReplies.exclude,
      ...ex.awaitingReply.include, ...ex.awaitingReply.exclude, ...ex.noFaceTime.include, ...ex.noFaceTime.exclude,
      ...ex.warming, ...ex.healthy, ...ex.excluded.automated, ...ex.excluded.broadcast, ...ex.excluded.internal,
    ];
    for (const a of people) expect(inMbox.has(a) || inIcs.has(a), a).toBe(true);
    for (const d of [...ex.singleThreaded.include, ...ex.singleThreaded.exclude]) {
      expect([...inMbox].some((a) => a.endsWith(`@${d}`)), d).toBe(true);
    }
    expect(ex.merged['jdoe@gmail.com']).toEqual(['jdoe@googlemail.com', 'j.doe@gmail.com', 'j.doe+work@gmail.com']);
    for (const spellings of Object.values(ex.merged)) for (const raw of spellings) expect(demo.mbox).toContain(`<${raw}>`);
  });
});

describe('writeDemoFiles', () => {
  it('writes demo.mbox and demo.ics and returns their paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sinew-demo-'));
    try {
      const out = await writeDemoFiles(join(dir, 'nested'));
      expect(out.mboxPath).toBe(join(dir, 'nested', 'demo.mbox'));
      expect(out.icsPath).toBe(join(dir, 'nested', 'demo.ics'));
      expect(await readFile(out.mboxPath, 'utf8')).toBe(demo.mbox);
      expect(await readFile(out.icsPath, 'utf8')).toBe(demo.ics);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
