import { describe, expect, it } from 'vitest';
import { median, round2 } from '#lib/health/stats.ts';
import { mulberry32 } from '#lib/random.ts';

describe('median', () => {
  it('is null for no values and the middle (or mean of the two middles) otherwise', () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7, 7, 7, 1])).toBe(7);
  });

  it('agrees with sorting on 1,000 random arrays (duplicates, sorted runs)', () => {
    const rand = mulberry32(7);
    for (let k = 0; k < 1000; k++) {
      const n = 1 + Math.floor(rand() * 40);
      const values = Array.from({ length: n }, () => Math.floor(rand() * 10));
      if (k % 3 === 0) values.sort((a, b) => a - b);
      const sorted = [...values].sort((a, b) => a - b);
      const expected = n % 2 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
      expect(median(values)).toBe(expected);
    }
  });

  it('reads only the first `count` values of a reused typed buffer, whatever lies beyond', () => {
    const buffer = () => new Float64Array([9, 1, 5, -100, 100, 100]);
    expect(median(buffer(), 3)).toBe(5);
    expect(median(buffer(), 2)).toBe(5);
    expect(median(buffer(), 0)).toBeNull();
    const rand = mulberry32(11);
    for (let k = 0; k < 300; k++) {
      const n = 1 + Math.floor(rand() * 30);
      const values = Array.from({ length: n }, () => Math.floor(rand() * 8));
      const reused = new Float64Array(n + 10).fill(k % 2 ? -1e9 : 1e9);
      reused.set(values);
      expect(median(reused, n)).toBe(median([...values]));
    }
  });
});

describe('round2', () => {
  it('rounds to 2 decimals', () => {
    expect(round2(1 / 3)).toBe(0.33);
    expect(round2(2.005 + 1e-9)).toBe(2.01);
    expect(round2(7)).toBe(7);
  });
});
