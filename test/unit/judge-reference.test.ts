/**
 * The judge against reference values computed independently in Python with SciPy
 * (test/fixtures/judge/generate.py → reference.json): another language, another rank function,
 * another root finder (scipy.optimize.brentq), another normal distribution (Cephes), and exact
 * searches over the pairwise differences.
 *
 * Tolerances, and why:
 * - U: exact (a multiple of ½).
 * - p-value: relative 1e-9. Both sides compute z from the same exact U and σ; only Φ differs
 *   (Cody here, Cephes there), by ~1e-15 relative even in the far tail.
 * - Confidence bounds and the estimate: 1e-9 × max(|muMin|, |muMax|). They are jumps of step
 *   functions at pairwise differences; both root finders stop within 1e-12 of that scale
 *   (+ 4ε·|root|) of the same jump, so 1e-9 leaves a margin of 1000. (With R's absolute 1e-4
 *   tolerance the bounds would move by up to 1e-4, see `confidenceIntervalAtRTolerance`.)
 * - Descriptive statistics, mean ratio, CLES, fences, percentiles: relative 1e-12 (summation order).
 * - Normal quantile and distribution function: relative 1e-14 against mpmath at 50 digits, and
 *   1e-12 against SciPy, whose far tail is the less accurate of the two (Φ(−37): Cody
 *   5.725571222524577e-300, mpmath 5.7255712225245768e-300, SciPy 5.7255712225239266e-300).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import {
  judge,
  mannWhitneyUTest,
  normalCdf,
  normalQuantile,
  outlierFences,
  percentile,
  preprocess,
  type JudgeMetricConfig,
  type MannWhitneyResult,
  type SideStats,
} from '../../src/domain/judge/index.js';

interface ExpectedTest {
  u: number;
  pValue: number;
  estimate: number;
  confidenceInterval: [number, number];
  exact: { confidenceInterval: [number, number]; estimateStretch: [number, number] };
  muRange: [number, number];
  comparison: { medianPairwiseDifference: number; tieFree: boolean; rEstimateNoCorrection: number };
}

interface Case {
  name: string;
  description: string;
  config: Omit<JudgeMetricConfig, 'name'>;
  baseline: (number | null)[];
  canary: (number | null)[];
  expected: {
    classification: string;
    shortCircuit?: string;
    baseline: SideStats;
    canary: SideStats;
    preprocessing: { baseline: { nans: number; outliers: number }; canary: { nans: number; outliers: number } };
    fences?: { baseline?: [number, number]; canary?: [number, number] };
    transformed?: { baseline: number[]; canary: number[] };
    tested?: { baseline: number[]; canary: number[] };
    test?: ExpectedTest;
    meanRatio?: number | null;
    cles?: number;
    effectSize?: { measure: string; value: number | null };
    tolerance?: number;
  };
}

interface Reference {
  versions: Record<string, string>;
  normal: { quantile: { p: number; x: number; mpmath: number }[]; cdf: { x: number; p: number; mpmath: number }[] };
  percentiles: { values: number[]; p: number; expected: number }[];
  cases: Case[];
}

const reference = JSON.parse(await readFile(new URL('../fixtures/judge/reference.json', import.meta.url), 'utf8')) as Reference;

// Every describe below loops over the reference; an empty or truncated file would pass them all.
test('the reference holds every generated set (generate.py: 18 cases, 20 quantiles, 20 CDF points, 35 percentiles, 8 tie-free tests)', () => {
  const sizes = {
    cases: reference.cases.length,
    quantile: reference.normal.quantile.length,
    cdf: reference.normal.cdf.length,
    percentiles: reference.percentiles.length,
    tieFree: reference.cases.filter((k) => k.expected.test?.comparison.tieFree).length,
  };
  assert.deepEqual(sizes, { cases: 18, quantile: 20, cdf: 20, percentiles: 35, tieFree: 8 });
});

function relativelyClose(actual: number | null | undefined, expected: number | null | undefined, rel: number, what: string): void {
  if (expected === null || expected === undefined || actual === null || actual === undefined) {
    assert.equal(actual, expected, what);
    return;
  }
  const error = Math.abs(actual - expected);
  assert.ok(error <= rel * Math.abs(expected) || error === 0, `${what}: ${actual} vs ${expected} (relative error ${error / Math.abs(expected)} > ${rel})`);
}

function absolutelyClose(actual: number, expected: number, abs: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= abs, `${what}: ${actual} vs ${expected} (error ${Math.abs(actual - expected)} > ${abs})`);
}

function sameStats(actual: SideStats, expected: SideStats, what: string): void {
  assert.equal(actual.count, expected.count, `${what}.count`);
  for (const key of ['min', 'max', 'mean', 'std'] as const) relativelyClose(actual[key], expected[key], 1e-12, `${what}.${key}`);
}

function sameTest(actual: MannWhitneyResult, expected: ExpectedTest, what: string): void {
  const scale = Math.max(Math.abs(expected.muRange[0]), Math.abs(expected.muRange[1]));
  assert.equal(actual.u, expected.u, `${what}: U`);
  relativelyClose(actual.pValue, expected.pValue, 1e-9, `${what}: p-value`);
  absolutelyClose(actual.estimate, expected.estimate, 1e-9 * scale, `${what}: estimate`);
  absolutelyClose(actual.confidenceInterval[0], expected.confidenceInterval[0], 1e-9 * scale, `${what}: lower bound`);
  absolutelyClose(actual.confidenceInterval[1], expected.confidenceInterval[1], 1e-9 * scale, `${what}: upper bound`);
  // And against the exact search, which used no root finder at all.
  absolutelyClose(actual.confidenceInterval[0], expected.exact.confidenceInterval[0], 1e-9 * scale, `${what}: lower bound (exact)`);
  absolutelyClose(actual.confidenceInterval[1], expected.exact.confidenceInterval[1], 1e-9 * scale, `${what}: upper bound (exact)`);
  const [left, right] = expected.exact.estimateStretch;
  absolutelyClose(actual.estimate, (left + right) / 2, 1e-9 * scale, `${what}: estimate (exact centre)`);
}

describe(`normal distribution against mpmath ${reference.versions.mpmath} and scipy.stats.norm ${reference.versions.scipy}`, () => {
  for (const { p, x, mpmath } of reference.normal.quantile) {
    test(`Φ⁻¹(${p}) = ${mpmath}`, () => {
      relativelyClose(normalQuantile(p), mpmath, 1e-14, `Φ⁻¹(${p}) vs mpmath`);
      relativelyClose(normalQuantile(p), x, 1e-12, `Φ⁻¹(${p}) vs SciPy`);
    });
  }
  for (const { x, p, mpmath } of reference.normal.cdf) {
    test(`Φ(${x}) = ${mpmath}`, () => {
      relativelyClose(normalCdf(x), mpmath, 1e-14, `Φ(${x}) vs mpmath`);
      relativelyClose(normalCdf(x), p, 1e-12, `Φ(${x}) vs SciPy`);
    });
  }
});

describe('percentile (type 7) against numpy.percentile(method="linear")', () => {
  for (const { values, p, expected } of reference.percentiles) {
    test(`P${p} of ${values.length} values`, () => {
      relativelyClose(
        percentile(
          [...values].sort((a, b) => a - b),
          p,
        ),
        expected,
        1e-12,
        `P${p}`,
      );
    });
  }
});

describe('reference cases', () => {
  for (const c of reference.cases) {
    const e = c.expected;
    test(`${c.name}: ${c.description} → ${e.classification}`, () => {
      const result = judge({ metrics: [{ name: 'm', ...c.config }] }, { m: { baseline: c.baseline, canary: c.canary } });
      const m = result.metrics[0]!;
      assert.equal(m.classification, e.classification, m.reason);
      assert.deepEqual(m.preprocessing, e.preprocessing);
      sameStats(m.baseline, e.baseline, 'baseline');
      sameStats(m.canary, e.canary, 'canary');

      const options = {
        nanStrategy: c.config.nanStrategy ?? 'remove',
        removeOutliers: c.config.outliers?.strategy === 'remove',
        outlierFactor: c.config.outliers?.factor ?? 3,
      } as const;
      if (e.transformed) {
        assert.deepEqual(preprocess(c.baseline, options).values, e.transformed.baseline);
        assert.deepEqual(preprocess(c.canary, options).values, e.transformed.canary);
      }
      for (const side of ['baseline', 'canary'] as const) {
        const fences = e.fences?.[side];
        if (!fences) continue;
        const values = preprocess(c[side], { ...options, removeOutliers: false }).values;
        const actual = outlierFences(values, options.outlierFactor);
        relativelyClose(actual.lower, fences[0], 1e-12, `${side} lower fence`);
        relativelyClose(actual.upper, fences[1], 1e-12, `${side} upper fence`);
      }

      if (e.test && e.shortCircuit === undefined) {
        assert.ok(m.test, 'the judge ran the test');
        sameTest(m.test, e.test, 'judge');
        relativelyClose(m.meanRatio, e.meanRatio, 1e-12, 'mean ratio');
        relativelyClose(m.effectSize?.value, e.effectSize?.value, 1e-12, 'effect size');
        assert.equal(m.effectSize?.measure, e.effectSize?.measure);
        relativelyClose(m.tolerance, e.tolerance, 1e-9, 'tolerance');
      } else {
        assert.equal(m.test, null, 'no test on short-circuited data');
      }
      if (e.test) {
        // The test function on its own, on exactly the values the reference tested.
        const x = e.tested?.canary ?? e.transformed?.canary ?? (c.canary as number[]);
        const y = e.tested?.baseline ?? e.transformed?.baseline ?? (c.baseline as number[]);
        const outcome = mannWhitneyUTest(x, y);
        assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
        sameTest(outcome.result, e.test, 'mannWhitneyUTest');
      }
    });
  }

  test('the deterministic spread of single-valued sides matches the reference (same Φ⁻¹ positions)', () => {
    const c = reference.cases.find((k) => k.name === 'single-value-per-side')!;
    assert.ok(c.expected.tested);
    // Reproduced through the judge: its test statistics equal the reference's on the spread values.
    const m = judge({ metrics: [{ name: 'm' }] }, { m: { baseline: c.baseline, canary: c.canary } }).metrics[0]!;
    assert.ok(m.test);
    sameTest(m.test, c.expected.test!, 'spread');
  });
});

describe('Hodges-Lehmann: root-found estimate vs the median of pairwise differences (tie-free cases)', () => {
  // The estimate is the centre of the stretch where f(mu, 0) = 0. With nx·ny even that stretch
  // lies between the two middle pairwise differences and its centre IS their median; with nx·ny
  // odd the continuity correction widens it to the median's neighbours, so they differ (by less
  // than half the stretch) unless those coincide (tiny-samples: −3 three times). R's own
  // estimate drops the correction and is the median.
  for (const c of reference.cases.filter((k) => k.expected.test?.comparison.tieFree)) {
    const t = c.expected.test!;
    const n = c.canary.length * c.baseline.length;
    test(`${c.name} (nx·ny = ${n}, ${n % 2 === 0 ? 'even' : 'odd'})`, () => {
      const scale = Math.max(Math.abs(t.muRange[0]), Math.abs(t.muRange[1]));
      const [left, right] = t.exact.estimateStretch;
      const median = t.comparison.medianPairwiseDifference;
      assert.ok(median >= left - 1e-9 * scale && median <= right + 1e-9 * scale, 'the median lies in the stretch');
      assert.ok(Math.abs(t.estimate - median) <= (right - left) / 2 + 1e-9 * scale);
      if (n % 2 === 0) absolutelyClose(t.estimate, median, 1e-9 * scale, 'even: the centre is the median');
      else if (right - left > 1e-9 * scale) assert.ok(Math.abs(t.estimate - median) > 1e-9 * scale, 'odd: close but not the median');
      absolutelyClose(t.comparison.rEstimateNoCorrection, median, 1e-9 * scale, "R's uncorrected estimate is the median");
    });
  }
});
