/** Descriptive statistics and percentiles, as Kayenta's DescriptiveStatistics computes them. */
import type { SideStats } from './types.js';

/**
 * The p-th percentile (0 ≤ p ≤ 100) of ascending `sorted` values, by linear interpolation
 * between order statistics: Hyndman & Fan's type 7, R's default `quantile(type = 7)`, NumPy's
 * `percentile(method='linear')` and Kayenta's `Percentile.EstimationType.R_7`. With n values,
 * h = (n − 1)·p/100 and the result is s[⌊h⌋] + (h − ⌊h⌋)·(s[⌊h⌋+1] − s[⌊h⌋]). NaN when empty.
 */
export function percentile(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.max(0, Math.min(n - 1, Math.floor(h)));
  const hi = Math.min(n - 1, lo + 1);
  const low = sorted[lo]!;
  return low + (h - lo) * (sorted[hi]! - low);
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** count, min, max, mean and sample standard deviation (n − 1; 0 for one value); null fields when empty. */
export function describe(values: readonly number[]): SideStats {
  const count = values.length;
  if (count === 0) return { count, min: null, max: null, mean: null, std: null };
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  return { count, min, max, mean: m, std: count > 1 ? Math.sqrt(squares / (count - 1)) : 0 };
}

export const ascending = (a: number, b: number): number => a - b;
