import { describe, expect, it } from 'vitest';
import { Random } from '#lib/random.ts';

describe('Random (mulberry32)', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const seq = (seed: number): number[] => {
      const r = new Random(seed);
      return Array.from({ length: 50 }, () => r.next());
    };
    expect(seq(7)).toEqual(seq(7));
    expect(seq(7)).not.toEqual(seq(8));
  });

  it('stays in range and spreads evenly', () => {
    const r = new Random(1);
    const buckets = new Array<number>(10).fill(0);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = r.next();
      min = Math.min(min, x);
      max = Math.max(max, x);
      buckets[Math.floor(x * 10)]!++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const b of buckets) expect(b).toBeGreaterThan(1_800);
    const ints = new Set(Array.from({ length: 500 }, () => r.int(3, 5)));
    expect([...ints].sort()).toEqual([3, 4, 5]);
  });

  it('draws log-normal values around the median', () => {
    const r = new Random(3);
    const xs = Array.from({ length: 5_001 }, () => r.logNormal(4, 1)).sort((a, b) => a - b);
    expect(xs[2_500]).toBeGreaterThan(3.5);
    expect(xs[2_500]).toBeLessThan(4.5);
    expect(xs[0]).toBeGreaterThan(0);
  });
});
