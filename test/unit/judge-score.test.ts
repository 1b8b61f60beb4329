/** One table per scoring rule (Kayenta's WeightedSumScorer and ThresholdScoreClassifier). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  classifyScore,
  DEFAULT_THRESHOLDS,
  JudgeClassification,
  MetricClassification,
  OverrideReason,
  round2,
  scoreRun,
  type MetricResult,
  type RunScore,
} from '../../src/domain/judge/index.js';

const { Pass, High, Low, Nodata, NodataFailMetric, Error: Err } = MetricClassification;

/** A metric result as the scorer sees it: only name, groups, classification, critical and muted matter. */
function metric(classification: MetricClassification, groups: string[] = ['g'], extra: Partial<MetricResult> = {}): MetricResult {
  const empty = { count: 0, min: null, max: null, mean: null, std: null };
  return {
    name: extra.name ?? `${classification}-${groups.join('+')}`,
    groups,
    classification,
    reason: `classified ${classification}`,
    critical: false,
    muted: false,
    baseline: empty,
    canary: empty,
    preprocessing: { baseline: { nans: 0, outliers: 0 }, canary: { nans: 0, outliers: 0 } },
    test: null,
    tolerance: null,
    effectSize: null,
    meanRatio: null,
    ...extra,
  };
}

const run = (metrics: MetricResult[], weights: Record<string, number> = {}, thresholds = DEFAULT_THRESHOLDS): RunScore =>
  scoreRun(metrics, weights, thresholds);

describe('group score: 100 × Pass / (Pass + High + Low + NodataFailMetric)', () => {
  const rows: [string, MetricClassification[], number, boolean][] = [
    ['3 Pass, 1 High', [Pass, Pass, Pass, High], 75, false],
    ['1 Pass, 1 Low', [Pass, Low], 50, false],
    ['Nodata and Error do not count', [Pass, Nodata, Err], 100, false],
    ['NodataFailMetric counts as a failure', [Pass, NodataFailMetric], 50, false],
    ['only Nodata and Error: a noData group', [Nodata, Err], 0, true],
    ['2 of 3', [Pass, Pass, High], 200 / 3, false],
  ];
  for (const [name, classes, score, noData] of rows) {
    test(`${name}: ${score.toFixed(2)}${noData ? ' (noData)' : ''}`, () => {
      // Padded with a second, passing group so the Nodata override does not hide the group score.
      const [group] = run([...classes.map((c) => metric(c)), metric(Pass, ['other']), metric(Pass, ['other']), metric(Pass, ['other'])]).groupScores;
      assert.equal(group?.name, 'g');
      assert.equal(group.score, score);
      assert.equal(group.noData, noData);
    });
  }
  test('counts per classification', () => {
    assert.deepEqual(run([metric(Pass), metric(High), metric(High), metric(Err)]).groupScores[0]?.counts, {
      Pass: 1,
      High: 2,
      Low: 0,
      Nodata: 0,
      NodataFailMetric: 0,
      Error: 1,
    });
  });
  test('a metric in two groups counts in both', () => {
    const groups = run([metric(High, ['a', 'b']), metric(Pass, ['a'])]).groupScores;
    assert.deepEqual(
      groups.map((g) => [g.name, g.score]),
      [
        ['a', 50],
        ['b', 0],
      ],
    );
  });
});

describe('summary: Σ group score × weight / 100, noData groups count 100', () => {
  const rows: [string, MetricResult[], Record<string, number>, number, Record<string, number>][] = [
    ['one group', [metric(Pass), metric(High)], {}, 50, { g: 100 }],
    ['configured weights', [metric(Pass, ['a']), metric(Pass, ['b']), metric(High, ['b'])], { a: 70, b: 30 }, 85, { a: 70, b: 30 }],
    ['unweighted groups share the remainder equally', [metric(Pass, ['a']), metric(High, ['b']), metric(Pass, ['c'])], { a: 50 }, 75, { a: 50, b: 25, c: 25 }],
    ['no weights: equal shares', [metric(Pass, ['a']), metric(High, ['b']), metric(Pass, ['c']), metric(Pass, ['d'])], {}, 75, { a: 25, b: 25, c: 25, d: 25 }],
    ['weights reaching 100 starve the unweighted groups', [metric(Pass, ['a']), metric(High, ['b'])], { a: 100 }, 100, { a: 100, b: 0 }],
    [
      'weights above 100: the share is 0, not negative',
      [metric(Pass, ['a']), metric(High, ['b']), metric(Pass, ['c'])],
      { a: 60, c: 60 },
      120,
      { a: 60, b: 0, c: 60 },
    ],
    ['a weight of a group without metrics still takes its part', [metric(Pass, ['a']), metric(High, ['b'])], { z: 50 }, 25, { a: 25, b: 25 }],
    [
      'a noData group counts as 100',
      [metric(Nodata, ['a']), metric(Err, ['a']), metric(High, ['b']), metric(Pass, ['b']), metric(Pass, ['c'])],
      {},
      83.33,
      { a: 100 / 3, b: 100 / 3, c: 100 / 3 },
    ],
    ['rounded to 2 decimals', [metric(Pass, ['a']), metric(Pass, ['a']), metric(High, ['a'])], {}, 66.67, { a: 100 }],
  ];
  for (const [name, metrics, weights, score, expectedWeights] of rows) {
    test(`${name}: ${score}`, () => {
      const result = run(metrics, weights);
      assert.equal(result.score, score);
      assert.deepEqual(Object.fromEntries(result.groupScores.map((g) => [g.name, g.weight])), expectedWeights);
    });
  }
  test('a metric without groups is scored in a group named after it', () => {
    // (judge() resolves groups: [] to [name]; see judge-behaviour.test.ts.)
    const result = run([metric(Pass, ['latency']), metric(High, ['errors'])]);
    assert.deepEqual(
      result.groupScores.map((g) => g.name),
      ['latency', 'errors'],
    );
    assert.equal(result.score, 50);
  });
  test('muted metrics are left out', () => {
    const result = run([metric(Pass), metric(High, ['g'], { muted: true })]);
    assert.equal(result.score, 100);
    assert.equal(result.groupScores[0]?.counts.High, 0);
  });
});

describe("round2: half away from zero on the shortest decimal form (Kayenta's Precision.round)", () => {
  const rows: [number, number][] = [
    [1.005, 1.01],
    [2.675, 2.68],
    [66.666666, 66.67],
    [83.335, 83.34],
    [99.994999, 99.99],
    [100, 100],
    [0, 0],
    [-1.005, -1.01],
    [1e-7, 0],
  ];
  for (const [x, expected] of rows) test(`${x} → ${expected}`, () => assert.equal(round2(x), expected));
});

describe('overrides: the score is forced to 0', () => {
  const rows: [string, MetricResult[], number, OverrideReason[]][] = [
    ['a critical High', [metric(High, ['g'], { critical: true, name: 'p99' }), metric(Pass), metric(Pass)], 0, [OverrideReason.CriticalMetric]],
    ['a critical Nodata', [metric(Nodata, ['g'], { critical: true }), metric(Pass), metric(Pass)], 0, [OverrideReason.CriticalMetric]],
    ['a critical Error', [metric(Err, ['g'], { critical: true }), metric(Pass), metric(Pass)], 0, [OverrideReason.CriticalMetric]],
    ['a High not marked critical (below its critical bound): no override', [metric(High), metric(Pass), metric(Pass), metric(Pass)], 75, []],
    ['a muted critical failure: no override', [metric(High, ['g'], { critical: true, muted: true }), metric(Pass)], 100, []],
    ['Nodata in 1 of 2 metrics (50 %)', [metric(Nodata), metric(Pass)], 0, [OverrideReason.TooManyNodata]],
    ['Nodata in 1 of 3 metrics (33 %)', [metric(Nodata), metric(Pass), metric(Pass)], 100, []],
    ['NodataFailMetric is not Nodata for the 50 % rule', [metric(NodataFailMetric), metric(Pass)], 50, []],
    ['muted metrics do not count towards 50 %', [metric(Nodata), metric(Pass), metric(Pass, ['g'], { muted: true })], 0, [OverrideReason.TooManyNodata]],
    ['both, critical first', [metric(Nodata, ['g'], { critical: true }), metric(Nodata)], 0, [OverrideReason.CriticalMetric, OverrideReason.TooManyNodata]],
    ['no metrics at all', [], 0, [OverrideReason.NoMetrics]],
    ['only muted metrics', [metric(Pass, ['g'], { muted: true })], 0, [OverrideReason.NoMetrics]],
  ];
  for (const [name, metrics, score, reasons] of rows) {
    test(`${name}: ${score}`, () => {
      const result = run(metrics);
      assert.equal(result.score, score);
      assert.deepEqual(
        result.overrides.map((o) => o.reason),
        reasons,
      );
      if (reasons.length > 0) {
        assert.equal(result.classification, JudgeClassification.Fail);
        assert.equal(result.reason, result.overrides[0]?.message);
      }
    });
  }
  test('the critical override names the metric and its reason', () => {
    const [override] = run([metric(High, ['g'], { critical: true, name: 'p99', reason: 'the canary is higher' })]).overrides;
    assert.deepEqual(override, { reason: OverrideReason.CriticalMetric, metric: 'p99', message: 'critical metric p99 is High: the canary is higher' });
  });
  test('group scores are still reported under an override', () => {
    assert.equal(run([metric(High, ['g'], { critical: true }), metric(Pass)]).groupScores[0]?.score, 50);
  });
});

describe('classification: score ≥ pass → Pass, ≥ marginal → Marginal, else Fail (inclusive)', () => {
  const rows: [number, { pass: number; marginal: number }, JudgeClassification][] = [
    [100, DEFAULT_THRESHOLDS, JudgeClassification.Pass],
    [95, DEFAULT_THRESHOLDS, JudgeClassification.Pass],
    [94.99, DEFAULT_THRESHOLDS, JudgeClassification.Marginal],
    [75, DEFAULT_THRESHOLDS, JudgeClassification.Marginal],
    [74.99, DEFAULT_THRESHOLDS, JudgeClassification.Fail],
    [0, DEFAULT_THRESHOLDS, JudgeClassification.Fail],
    [80, { pass: 80, marginal: 60 }, JudgeClassification.Pass],
    [60, { pass: 80, marginal: 60 }, JudgeClassification.Marginal],
    [59.99, { pass: 80, marginal: 60 }, JudgeClassification.Fail],
    [0, { pass: 0, marginal: 0 }, JudgeClassification.Pass],
  ];
  for (const [score, thresholds, expected] of rows) {
    test(`${score} with pass ${thresholds.pass}, marginal ${thresholds.marginal}: ${expected}`, () => assert.equal(classifyScore(score, thresholds), expected));
  }
  test('through the scorer: 19 of 20 pass → 95 → Pass; 3 of 4 → 75 → Marginal; 7 of 10 → 70 → Fail', () => {
    const of = (pass: number, total: number): MetricResult[] => Array.from({ length: total }, (_, i) => metric(i < pass ? Pass : High));
    assert.deepEqual([run(of(19, 20)).score, run(of(19, 20)).classification], [95, JudgeClassification.Pass]);
    assert.deepEqual([run(of(3, 4)).score, run(of(3, 4)).classification], [75, JudgeClassification.Marginal]);
    assert.deepEqual([run(of(7, 10)).score, run(of(7, 10)).classification], [70, JudgeClassification.Fail]);
  });
});
