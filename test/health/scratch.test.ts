import { describe, expect, it } from 'vitest';
import { computeHealth } from '#lib/health/index.ts';
import { Scratch } from '#lib/health/scratch.ts';
import { mulberry32 } from '#lib/random.ts';
import { syntheticExtraction } from '#test/support/synthetic.ts';
import type { Extraction } from '#lib/interactions/types.ts';
import { InputError } from '#lib/errors.ts';
import { defaultSettings } from '#lib/settings.ts';
import { AS_OF } from './build.ts';

describe('Scratch', () => {
  it('hands out one buffer per name, reused while it is large enough and replaced when not', () => {
    const scratch = new Scratch();
    const a = scratch.int32('x', 100);
    a[99] = 7;
    const b = scratch.int32('x', 50);
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(50);
    expect(scratch.int32('x', 100)[99]).toBe(7); // old contents: users write before they read
    expect(scratch.uint8('y', 10).buffer).not.toBe(a.buffer);
    const grown = scratch.float64('x', 1000);
    expect(grown.length).toBe(1000);
    expect(grown.buffer).not.toBe(a.buffer);
  });

  it('release forgets the interned thread ids', () => {
    const scratch = new Scratch();
    scratch.threads.intern('t1');
    scratch.release();
    expect(scratch.threads.size).toBe(0);
    expect(scratch.threads.intern('t2')).toBe(0);
  });
});

/** A synthetic extraction with split threads, mail without a thread and shared Message-IDs. */
function tangled(n: number, seed: number): Extraction {
  const x = syntheticExtraction(n, seed, AS_OF);
  const rand = mulberry32(seed * 7);
  const ids: string[] = [];
  const interactions = x.interactions.map((it, i) => {
    if (it.kind === 'meeting') return it;
    const r = rand();
    const threadId = r < 0.1 ? `split${i % 13}` : r < 0.15 ? null : it.threadId;
    const replyTo = rand() < 0.2 && ids.length > 0 ? [...it.replyTo, ids[Math.floor(rand() * ids.length)]!] : it.replyTo;
    const messageId = rand() < 0.03 && ids.length > 0 ? ids[ids.length - 1]! : it.messageId;
    if (messageId !== null) ids.push(messageId);
    return { ...it, threadId, replyTo, messageId };
  });
  return { ...x, interactions };
}

describe('computeHealth with reused working memory', () => {
  it('gives every call the answer of a first call, whatever ran before (larger, smaller, tangled)', () => {
    const opts = { asOf: AS_OF, settings: defaultSettings };
    const small = tangled(3_000, 5);
    const large = tangled(12_000, 6);
    const firstSmall = JSON.stringify(computeHealth(small, opts));
    const firstLarge = JSON.stringify(computeHealth(large, opts));
    expect(JSON.stringify(computeHealth(small, opts))).toBe(firstSmall);
    expect(JSON.stringify(computeHealth(large, opts))).toBe(firstLarge);
    expect(JSON.stringify(computeHealth(syntheticExtraction(500, 1, AS_OF), opts))).not.toBe(firstSmall);
    expect(JSON.stringify(computeHealth(small, opts))).toBe(firstSmall);
    // A call that throws (a bad feedback time) leaves nothing behind for the next one.
    expect(() => computeHealth(large, { ...opts, feedback: [{ contact: 'x@y.example', action: 'mute', at: 'nope' }] })).toThrow(InputError);
    expect(JSON.stringify(computeHealth(large, opts))).toBe(firstLarge);
  });
});
