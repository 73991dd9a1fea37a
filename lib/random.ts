/**
 * The one seeded pseudo-random generator, so the demo mailbox, benchmark mailboxes and
 * synthetic test data are the same bytes on every machine and every run (Math.random
 * cannot be seeded).
 *
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state advanced by a Weyl
 * sequence (+0x6D2B79F5) and mixed with two multiply-xorshift rounds. Period 2^32, good
 * enough for test data, not for anything secret.
 */

/** mulberry32 from `seed` as is: floats in [0, 1). Same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** mulberry32 with the draws test data needs (ranges, picks, latencies, tokens). */
export class Random {
  /** Uniform float in [0, 1). */
  readonly next: () => number;

  constructor(seed: number) {
    // Spread small seeds (1, 2, 3) apart so neighbouring seeds diverge at once.
    this.next = mulberry32((Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0);
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /**
   * A log-normally distributed value with the given median: the shape of human reply
   * latencies (most within hours, a long tail of days).
   */
  logNormal(median: number, sigma: number): number {
    // Box-Muller; 1 - next() keeps the logarithm's argument in (0, 1].
    const u = 1 - this.next();
    const v = this.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * z);
  }

  /** A lower-case alphanumeric token of the given length (ids, Message-ID local parts). */
  token(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
}
