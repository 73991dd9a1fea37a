import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { enronThreadSize, writeBigMbox } from '#lib/local/demo/big-mbox.ts';
import { Random } from '#lib/random.ts';
import { first, mboxEntries } from './mbox-entries.ts';

const dir = await mkdtemp(join(tmpdir(), 'sinew-big-mbox-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeBigMbox', () => {
  it('writes about the requested size, as a well-formed Enron-like mbox', async () => {
    const file = join(dir, 'a.mbox');
    const result = await writeBigMbox(file, 200_000, 1);
    expect(result.bytes).toBeGreaterThanOrEqual(200_000);
    expect(result.bytes).toBeLessThan(200_000 + 80_000);
    expect((await stat(file)).size).toBe(result.bytes);
    const text = await readFile(file, 'utf8');
    const entries = mboxEntries(text);
    expect(entries).toHaveLength(result.messages);
    for (const e of entries) {
      expect(first(e, 'message-id')).toMatch(/^<\d+\.\d+\.JavaMail\.evans@thyme>$/);
      expect(first(e, 'date')).toMatch(/^\w{3}, \d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2} -0[78]00 \(P[DS]T\)$/);
      expect(first(e, 'x-folder')).toBeDefined();
      expect(e.body).not.toMatch(/^From /m);
    }
    // Realistic sizes: 1 GB should hold a few hundred thousand messages.
    const average = result.bytes / result.messages;
    expect(average).toBeGreaterThan(1_500);
    expect(average).toBeLessThan(8_000);
  });

  it('is deterministic per seed', async () => {
    await writeBigMbox(join(dir, 'b1.mbox'), 50_000, 5);
    await writeBigMbox(join(dir, 'b2.mbox'), 50_000, 5);
    await writeBigMbox(join(dir, 'c.mbox'), 50_000, 6);
    const b1 = await readFile(join(dir, 'b1.mbox'), 'utf8');
    expect(await readFile(join(dir, 'b2.mbox'), 'utf8')).toBe(b1);
    expect(await readFile(join(dir, 'c.mbox'), 'utf8')).not.toBe(b1);
  });

  it('draws thread sizes like Enron: mean about 4.1, median 2', () => {
    const rng = new Random(11);
    const sizes = Array.from({ length: 30_000 }, () => enronThreadSize(rng)).sort((a, b) => a - b);
    const mean = sizes.reduce((s, n) => s + n, 0) / sizes.length;
    expect(mean).toBeGreaterThan(3.8);
    expect(mean).toBeLessThan(4.4);
    expect(sizes[sizes.length / 2]).toBe(2);
    expect(sizes.filter((n) => n === 2).length / sizes.length).toBeCloseTo(16_736 / 30_091, 1);
  });

  it('rejects a size that is not a positive number', async () => {
    await expect(writeBigMbox(join(dir, 'x.mbox'), 0, 1)).rejects.toThrow(/positive/);
  });
});
