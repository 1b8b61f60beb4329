/** How big a shift is (Kayenta's EffectSizes), compared with a metric's allowed and critical bounds. */
import { mean } from './statistics.js';

/** mean(canary) / mean(baseline); NaN when either mean is 0 (Kayenta's rule) or a side is empty. */
export function meanRatio(canary: readonly number[], baseline: readonly number[]): number {
  const c = mean(canary);
  const b = mean(baseline);
  return c === 0 || b === 0 ? Number.NaN : c / b;
}

/**
 * Common-language effect size (Vargha & Delaney's A): the share of (canary, baseline) pairs in
 * which the canary is higher, ties counting half, i.e. U / (nCanary·nBaseline) with U the
 * canary's Mann-Whitney statistic. Kayenta writes it (2·R₁ − m(m+1)) / (2·n·m), R₁ the canary's
 * rank sum: the same number. 0.5 is "no effect".
 */
export function cles(uCanary: number, nCanary: number, nBaseline: number): number {
  return uCanary / (nCanary * nBaseline);
}
