/**
 * Small numeric helpers shared by the metrics: a linear-time median (the input order is
 * by time, not by value, and sorting each contact's gaps or latencies would cost
 * n log n) and the 2-decimal rounding of the JSON report.
 */

/**
 * Median of the first `count` of `values` (mean of the two middle values for an even
 * count), or null when there are none. Reorders them in place (quickselect, expected
 * linear time). A typed array lets the callers reuse one buffer for every contact.
 */
export function median(values: number[] | Float64Array, count = values.length): number | null {
  const n = count;
  if (n === 0) return null;
  const upper = select(values, n, n >> 1);
  if (n % 2 === 1) return upper;
  // After selecting rank n/2, everything left of it is <= it: the lower middle is their max.
  let lower = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/** Hoare-style quickselect over `a[0 .. n - 1]`: the k-th smallest value, partitioned around. */
function select(a: number[] | Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    // Median-of-three pivot keeps time-ordered (often nearly sorted) input linear.
    const mid = (lo + hi) >> 1;
    const pivot = medianOfThree(a[lo]!, a[mid]!, a[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function medianOfThree(x: number, y: number, z: number): number {
  if (x < y) return y < z ? y : x < z ? z : x;
  return x < z ? x : y < z ? z : y;
}

/** Rounds to 2 decimals, the precision of every fractional number in the report. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
