import type { Trend } from './types.ts';

/**
 * Trend (DESIGN section 4): the interaction count of the last 30 days against the count
 * expected from the 90 days before them (days 31 to 120), `expected = baseline / 3`.
 * - `warming`: recent >= 1.5 x expected and recent >= expected + 2;
 * - `cooling`: recent <= 0.5 x expected and recent <= expected - 1;
 * - `steady` otherwise.
 * The absolute margins keep one stray message from swinging a quiet contact either way,
 * and handle a zero baseline: with nothing before, 2 or more recent interactions are
 * warming (a new relationship), fewer are steady; cooling needs a baseline of at least
 * 3 interactions (one a month). Computed in integers (times 6) so no rounding decides.
 */
export function classifyTrend(recent: number, baseline: number): Trend {
  // recent >= baseline/2 and recent >= baseline/3 + 2
  if (2 * recent >= baseline && 3 * recent >= baseline + 6) return 'warming';
  // recent <= baseline/6 and recent <= baseline/3 - 1
  if (6 * recent <= baseline && 3 * recent <= baseline - 3) return 'cooling';
  return 'steady';
}
