/** One table per classification rule of a metric (Kayenta's MannWhitneyClassifier). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ALL_TIED_REASON,
  classifyMetric,
  Direction,
  EffectMeasure,
  MetricClassification,
  NanStrategy,
  resolveMetricConfig,
  type JudgeMetricConfig,
  type MetricResult,
  type MetricSamples,
} from '../../src/domain/judge/index.js';

// 30 evenly spaced values. Against it, canary = base + 20: estimate 20, 98 % interval [14, 26],
// mean ratio 134.5/114.5 = 1.175, CLES 0.944. base + 7: interval [1, 13], which excludes 0 but
// not the band ±0.25·7 = ±1.75. base + 0.5: interval [−5.5, 6.5].
const base = Array.from({ length: 30 }, (_, i) => 100 + i);
const shifted = (by: number): number[] => base.map((v) => v + by);
const UP: MetricSamples = { baseline: base, canary: shifted(20) };
const DOWN: MetricSamples = { baseline: base, canary: shifted(-20) };
const SAME_DISTRIBUTION: MetricSamples = { baseline: base, canary: shifted(0.5) };

function classify(config: Omit<JudgeMetricConfig, 'name'>, samples: MetricSamples | undefined): MetricResult {
  return classifyMetric(resolveMetricConfig({ name: 'latency', ...config }), samples);
}

type Row = [name: string, config: Omit<JudgeMetricConfig, 'name'>, samples: MetricSamples | undefined, classification: MetricClassification, critical: boolean];

function table(rows: Row[]): void {
  for (const [name, config, samples, classification, critical] of rows) {
    test(`${name} → ${classification}${critical ? ' (critical)' : ''}`, () => {
      const r = classify(config, samples);
      assert.equal(r.classification, classification, r.reason);
      assert.equal(r.critical, critical, r.reason);
      assert.ok(r.reason.length > 0);
    });
  }
}

describe('missing data', () => {
  const noCanary: MetricSamples = { baseline: base, canary: [] };
  const noBaseline: MetricSamples = { baseline: [], canary: base };
  const nanCanary: MetricSamples = { baseline: base, canary: [Number.NaN, null] };
  table([
    ['no canary data', {}, noCanary, MetricClassification.Nodata, false],
    ['no baseline data', {}, noBaseline, MetricClassification.Nodata, false],
    ['no samples at all', {}, undefined, MetricClassification.Nodata, false],
    ['only NaN/null canary values (removed)', {}, nanCanary, MetricClassification.Nodata, false],
    ['mustHaveData', { mustHaveData: true }, noCanary, MetricClassification.NodataFailMetric, false],
    ['critical', { critical: true }, noCanary, MetricClassification.Nodata, true],
    ['critical and mustHaveData: critical wins (Nodata, critical)', { critical: true, mustHaveData: true }, noBaseline, MetricClassification.Nodata, true],
    ['nanStrategy replace, a side empty', { nanStrategy: NanStrategy.Replace }, noCanary, MetricClassification.Pass, false],
    [
      'nanStrategy replace, critical and mustHaveData: still Pass',
      { nanStrategy: NanStrategy.Replace, critical: true, mustHaveData: true },
      noCanary,
      MetricClassification.Pass,
      false,
    ],
  ]);
  test('nanStrategy replace turns an all-NaN side into zeros: data, not missing', () => {
    const r = classify({ nanStrategy: NanStrategy.Replace }, nanCanary);
    assert.equal(r.canary.count, 2);
    assert.equal(r.classification, MetricClassification.Low);
  });
  test('the reason names the empty side', () => assert.match(classify({}, noCanary).reason, /no data for the canary/));
});

describe('nothing to compare', () => {
  table([
    ['the same values in another order', {}, { baseline: [3, 1, 2, 5], canary: [5, 2, 3, 1] }, MetricClassification.Pass, false],
    ['one distinct value across both sides', {}, { baseline: [7, 7, 7], canary: [7, 7] }, MetricClassification.Pass, false],
    ['identical, even for a critical metric', { critical: true }, { baseline: base, canary: [...base].reverse() }, MetricClassification.Pass, false],
  ]);
  test('identical data: no test is run', () => {
    const r = classify({}, { baseline: [3, 1, 2], canary: [1, 2, 3] });
    assert.equal(r.test, null);
    assert.equal(r.reason, 'the canary and baseline data are identical');
    assert.equal(r.meanRatio, 1);
  });
});

describe('one distinct value per side: spread deterministically, then tested', () => {
  table([
    ['20 × 12 against 20 × 10', {}, { baseline: Array<number>(20).fill(10), canary: Array<number>(20).fill(12) }, MetricClassification.High, false],
    ['20 × 10 against 20 × 12', {}, { baseline: Array<number>(20).fill(12), canary: Array<number>(20).fill(10) }, MetricClassification.Low, false],
    ['zeros (no noise) against 20 × 3', {}, { baseline: Array<number>(20).fill(3), canary: Array<number>(20).fill(0) }, MetricClassification.Low, false],
    ['σ = 0: one value each (nothing to spread)', {}, { baseline: [5], canary: [7] }, MetricClassification.Error, false],
    ['σ = 0 on a critical metric: Error stays critical', { critical: true }, { baseline: [5], canary: [7] }, MetricClassification.Error, true],
  ]);
  test('the same verdict and numbers every time (no randomness)', () => {
    const samples = { baseline: Array<number>(20).fill(10), canary: Array<number>(20).fill(12) };
    assert.deepEqual(classify({}, samples), classify({}, samples));
    const r = classify({}, samples);
    assert.ok(r.test && Math.abs(r.test.estimate - 2) < 1e-4);
  });
  test('σ = 0 is an Error with the reason, not a throw', () => {
    const r = classify({}, { baseline: [5], canary: [7] });
    assert.equal(r.reason, ALL_TIED_REASON);
    assert.equal(r.canary.count, 1, 'the statistics are still reported');
  });
});

describe('High and Low by direction', () => {
  table([
    ['increase, canary higher', { direction: Direction.Increase }, UP, MetricClassification.High, false],
    ['increase, canary lower', { direction: Direction.Increase }, DOWN, MetricClassification.Pass, false],
    ['decrease, canary higher', { direction: Direction.Decrease }, UP, MetricClassification.Pass, false],
    ['decrease, canary lower', { direction: Direction.Decrease }, DOWN, MetricClassification.Low, false],
    ['either, canary higher', { direction: Direction.Either }, UP, MetricClassification.High, false],
    ['either, canary lower', { direction: Direction.Either }, DOWN, MetricClassification.Low, false],
    ['either (default), same distribution', {}, SAME_DISTRIBUTION, MetricClassification.Pass, false],
  ]);
});

describe('tolerance band ±0.25·|estimate|', () => {
  test('a significant shift whose interval does not clear the band passes', () => {
    const r = classify({}, { baseline: base, canary: shifted(7) });
    assert.ok(r.test);
    assert.equal(r.test.estimate, 7);
    assert.equal(r.tolerance, 1.75);
    assert.ok(r.test.confidenceInterval[0] > 0 && r.test.confidenceInterval[0] < 1.75, `${r.test.confidenceInterval[0]}`);
    assert.ok(r.test.pValue < 0.01);
    assert.equal(r.classification, MetricClassification.Pass);
  });
  test('the interval clears the band: High, with the numbers in the reason', () => {
    const r = classify({}, UP);
    assert.equal(r.tolerance, 5);
    assert.match(r.reason, /the canary is higher: the 98 % interval of the shift \[14, 26\] lies above \+5 and its meanRatio is 1\.175/);
  });
});

describe('allowed bounds on the effect size', () => {
  table([
    ['meanRatio 1.175 ≥ allowedIncrease 1.1', { effectSize: { allowedIncrease: 1.1 } }, UP, MetricClassification.High, false],
    ['meanRatio 1.175 < allowedIncrease 1.2', { effectSize: { allowedIncrease: 1.2 } }, UP, MetricClassification.Pass, false],
    ['meanRatio 0.825 ≤ allowedDecrease 0.9', { effectSize: { allowedDecrease: 0.9 } }, DOWN, MetricClassification.Low, false],
    ['meanRatio 0.825 > allowedDecrease 0.8', { effectSize: { allowedDecrease: 0.8 } }, DOWN, MetricClassification.Pass, false],
    ['cles 0.944 ≥ default 0.5', { effectSize: { measure: EffectMeasure.Cles } }, UP, MetricClassification.High, false],
    ['cles 0.944 < allowedIncrease 0.95', { effectSize: { measure: EffectMeasure.Cles, allowedIncrease: 0.95 } }, UP, MetricClassification.Pass, false],
    ['cles 0.056 ≤ allowedDecrease 0.1', { effectSize: { measure: EffectMeasure.Cles, allowedDecrease: 0.1 } }, DOWN, MetricClassification.Low, false],
    ['cles 0.056 > allowedDecrease 0.05', { effectSize: { measure: EffectMeasure.Cles, allowedDecrease: 0.05 } }, DOWN, MetricClassification.Pass, false],
  ]);
  test('the effect sizes reported', () => {
    const ratio = classify({}, UP);
    assert.deepEqual(ratio.effectSize, { measure: EffectMeasure.MeanRatio, value: 134.5 / 114.5 });
    const c = classify({ effectSize: { measure: EffectMeasure.Cles } }, UP);
    assert.equal(c.effectSize?.measure, EffectMeasure.Cles);
    assert.ok(Math.abs((c.effectSize?.value ?? Number.NaN) - 850 / 900) < 1e-12);
    assert.equal(c.meanRatio, 134.5 / 114.5, 'the mean ratio is reported whatever the measure');
  });
  test('a mean of 0: the mean ratio is not computable (null) and the bound is ignored', () => {
    const zeroMean = [-3, -2, -1, 0, 1, 2, 3, -4, 4, -5, 5, 0];
    const r = classify({ effectSize: { allowedIncrease: 1000 } }, { baseline: zeroMean, canary: zeroMean.map((v) => v + 20) });
    assert.equal(r.meanRatio, null);
    assert.deepEqual(r.effectSize, { measure: EffectMeasure.MeanRatio, value: null });
    assert.equal(r.classification, MetricClassification.High);
  });
});

describe('critical bounds', () => {
  table([
    ['not critical: High never is', { effectSize: { criticalIncrease: 1.1 } }, UP, MetricClassification.High, false],
    ['critical High, meanRatio 1.175 ≥ criticalIncrease 1.1', { critical: true, effectSize: { criticalIncrease: 1.1 } }, UP, MetricClassification.High, true],
    ['critical High, meanRatio 1.175 < criticalIncrease 1.5', { critical: true, effectSize: { criticalIncrease: 1.5 } }, UP, MetricClassification.High, false],
    ['critical Low, meanRatio 0.825 ≤ criticalDecrease 0.9', { critical: true, effectSize: { criticalDecrease: 0.9 } }, DOWN, MetricClassification.Low, true],
    ['critical Low, meanRatio 0.825 > criticalDecrease 0.5', { critical: true, effectSize: { criticalDecrease: 0.5 } }, DOWN, MetricClassification.Low, false],
    ['critical with default bounds (1): any High', { critical: true }, UP, MetricClassification.High, true],
    ['critical Pass is not critical', { critical: true }, SAME_DISTRIBUTION, MetricClassification.Pass, false],
    ['critical, Pass by direction', { critical: true, direction: Direction.Decrease }, UP, MetricClassification.Pass, false],
  ]);
  test('a critical High with a non-computable effect is critical', () => {
    const zeroMean = [-3, -2, -1, 0, 1, 2, 3, -4, 4, -5, 5, 0];
    const r = classify({ critical: true, effectSize: { criticalIncrease: 1000 } }, { baseline: zeroMean, canary: zeroMean.map((v) => v + 20) });
    assert.equal(r.classification, MetricClassification.High);
    assert.equal(r.critical, true);
  });
});

describe('bad data and configuration: Error, never a throw', () => {
  const bad = (values: unknown): MetricSamples => ({ baseline: base, canary: values as number[] });
  table([
    ['a string among the samples', {}, bad([1, 'two', 3]), MetricClassification.Error, false],
    ['an infinite value', {}, bad([1, Infinity]), MetricClassification.Error, false],
    ['samples that are not a list', {}, bad({ 0: 1 }), MetricClassification.Error, false],
    ['an unknown direction', { direction: 'up' as Direction }, UP, MetricClassification.Error, false],
    ['an unknown NaN strategy', { nanStrategy: 'drop' as NanStrategy }, UP, MetricClassification.Error, false],
    ['outliers.factor 0', { outliers: { strategy: 'remove', factor: 0 } }, UP, MetricClassification.Error, false],
    ['an unknown effect measure', { effectSize: { measure: 'cohen' as EffectMeasure } }, UP, MetricClassification.Error, false],
    ['bad data on a critical metric: Error, critical', { critical: true }, bad([Infinity]), MetricClassification.Error, true],
  ]);
  test('the reason says what is wrong', () => {
    assert.match(classify({}, bad([1, 'two'])).reason, /canary samples hold "two", not a number/);
    assert.match(classify({ direction: 'up' as Direction }, UP).reason, /unknown direction "up"/);
  });
});

describe('outliers and NaN in the pipeline', () => {
  test('outliers are removed per side before the statistics and the test', () => {
    const samples = { baseline: [...base, 10_000], canary: shifted(0.5) };
    const kept = classify({}, samples);
    const removed = classify({ outliers: { strategy: 'remove' } }, samples);
    assert.deepEqual(removed.preprocessing.baseline, { nans: 0, outliers: 1 });
    assert.deepEqual([removed.baseline.count, removed.baseline.max], [30, 129]);
    assert.deepEqual([kept.baseline.count, kept.baseline.max], [31, 10_000]);
    assert.equal(removed.test?.u, 465, 'U over 30 × 30 pairs');
    assert.equal(removed.classification, MetricClassification.Pass);
  });
  test('reduced sensitivity: with 32 values P99 lies between the two largest, so only the largest goes', () => {
    const r = classify({ outliers: { strategy: 'remove' } }, { baseline: [...base, 10_000, 12_000], canary: shifted(0.5) });
    assert.equal(r.preprocessing.baseline.outliers, 1);
    assert.equal(r.baseline.max, 10_000);
  });
  test('NaN counts are reported per side', () => {
    const r = classify({}, { baseline: [...base, Number.NaN], canary: [null, ...shifted(20)] });
    assert.deepEqual(r.preprocessing, { baseline: { nans: 1, outliers: 0 }, canary: { nans: 1, outliers: 0 } });
    assert.equal(r.classification, MetricClassification.High);
  });
});
