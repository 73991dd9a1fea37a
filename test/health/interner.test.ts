import { describe, expect, it } from 'vitest';
import { StringInterner } from '#lib/health/interner.ts';

describe('StringInterner', () => {
  it('gives dense ids in order of first sight, the same id for equal content, across growth', () => {
    const interner = new StringInterner(4);
    const ids: number[] = [];
    for (let k = 0; k < 5000; k++) ids.push(interner.intern(`thread-${k}`));
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, k) => k));
    // Distinct string objects with equal content (built at run time) find the same id.
    for (let k = 4999; k >= 0; k -= 7) expect(interner.intern(['thread', String(k)].join('-'))).toBe(k);
    expect(interner.size).toBe(5000);
    expect(interner.keys[1234]).toBe('thread-1234');
  });

  it('tells apart strings whose hashes may collide in the table', () => {
    const interner = new StringInterner();
    const words = ['', 'a', 'b', 'ab', 'ba', 'Aa', 'BB', 'x'.repeat(200), 'x'.repeat(201)];
    const ids = words.map((w) => interner.intern(w));
    expect(new Set(ids).size).toBe(words.length);
    expect(words.map((w) => interner.intern(w))).toEqual(ids);
  });

  it('starts over at id 0 after reset, with or without a new table, and drops its keys', () => {
    const interner = new StringInterner(4);
    for (let k = 0; k < 3000; k++) interner.intern(`a${k}`);
    interner.reset(3000); // same table, cleared
    expect(interner.size).toBe(0);
    expect(interner.keys).toEqual([]);
    expect(interner.intern('a2999')).toBe(0);
    expect(interner.intern('b')).toBe(1);
    expect(interner.intern('a2999')).toBe(0);
    interner.reset(1); // far too large a table: a small one replaces it
    expect(interner.intern('b')).toBe(0);
    interner.reset(100_000); // too small: a larger one
    const ids = Array.from({ length: 5000 }, (_, k) => interner.intern(`c${k}`));
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, k) => k));
    expect(interner.intern('c4321')).toBe(4321);
  });
});
