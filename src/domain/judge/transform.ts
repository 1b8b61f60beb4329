/**
 * What the judge does to each side's samples before comparing them (Kayenta's Transforms and
 * IQRDetector): the NaN strategy, outlier removal, and the deterministic stand-in for Kayenta's
 * Gaussian noise on single-valued data.
 */
import { normalQuantile } from './normal.js';
import { ascending, percentile } from './statistics.js';
import { DEGENERATE_NOISE_SCALE, NanStrategy, type SidePreprocessing } from './types.js';

/**
 * `remove` drops NaN (and null, a NaN that went through JSON); `replace` sets them to 0.
 * Returns the values and how many were NaN.
 */
export function applyNanStrategy(values: readonly (number | null)[], strategy: NanStrategy): { values: number[]; nans: number } {
  const out: number[] = [];
  let nans = 0;
  for (const v of values) {
    if (v === null || Number.isNaN(v)) {
      nans++;
      if (strategy === NanStrategy.Replace) out.push(0);
    } else {
      out.push(v);
    }
  }
  return { values: out, nans };
}

export interface Fences {
  lower: number;
  upper: number;
}

/**
 * Kayenta's IQR detector with reduced sensitivity: with Q1, Q3, P1 and P99 the 25th, 75th, 1st
 * and 99th percentiles (type 7, see `percentile`) and IQR = Q3 − Q1,
 * `lower = min(P1, Q1 − factor·IQR)` and `upper = max(P99, Q3 + factor·IQR)`. Values strictly
 * outside are outliers; so nothing between P1 and P99 is ever dropped. NaN fences when empty.
 */
export function outlierFences(values: readonly number[], factor: number): Fences {
  const sorted = [...values].sort(ascending);
  const q1 = percentile(sorted, 25);
  const q3 = percentile(sorted, 75);
  const iqr = q3 - q1;
  return {
    lower: Math.min(percentile(sorted, 1), q1 - factor * iqr),
    upper: Math.max(percentile(sorted, 99), q3 + factor * iqr),
  };
}

/** The values inside the fences (order kept), and how many were dropped. */
export function removeOutliers(values: readonly number[], factor: number): { values: number[]; outliers: number } {
  if (values.length === 0) return { values: [], outliers: 0 };
  const { lower, upper } = outlierFences(values, factor);
  const kept = values.filter((v) => !(v < lower || v > upper));
  return { values: kept, outliers: values.length - kept.length };
}

/** One side through the NaN strategy, then (if asked) outlier removal. */
export function preprocess(
  values: readonly (number | null)[],
  options: { nanStrategy: NanStrategy; removeOutliers: boolean; outlierFactor: number },
): { values: number[] } & SidePreprocessing {
  const afterNans = applyNanStrategy(values, options.nanStrategy);
  if (!options.removeOutliers) return { values: afterNans.values, nans: afterNans.nans, outliers: 0 };
  const afterOutliers = removeOutliers(afterNans.values, options.outlierFactor);
  return { values: afterOutliers.values, nans: afterNans.nans, outliers: afterOutliers.outliers };
}

/**
 * Spreads a side whose samples all equal one value v, so the rank test has something to rank.
 * Kayenta adds random Gaussian noise with σ = v × 1e-5 here; ramp must be deterministic (it runs
 * in workflows, and a verdict must be reproducible), so the i-th of n values gets
 * σ·Φ⁻¹((i + ½)/n) instead: the same scale, and the positions a normal sample of that size is
 * expected to take. Their sum is 0 (up to rounding), and a single value gets no noise at all.
 */
export function spreadSingleValue(values: readonly number[]): number[] {
  const n = values.length;
  return values.map((v, i) => v + v * DEGENERATE_NOISE_SCALE * normalQuantile((i + 0.5) / n));
}
