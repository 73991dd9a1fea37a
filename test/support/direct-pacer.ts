import type { RequestPacer } from '#lib/providers/pacer.ts';

/** A pacer that calls straight through: for tests of a source's own logic. */
export const directPacer: RequestPacer = {
  run: (_cost, fn) => fn(),
};
