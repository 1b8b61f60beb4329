/**
 * judge() end to end: the behavioural trio (same distribution → Pass, a small shift → Marginal,
 * a clear shift → Fail), and its promise never to throw for bad data.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Direction,
  judge,
  JudgeClassification,
  MetricClassification,
  OverrideReason,
  type JudgeConfig,
  type MetricSamples,
} from '../../src/domain/judge/index.js';

/** A seeded generator (mulberry32) and normal draws (Box-Muller): the same samples on every run. */
function normalSampler(seed: number): (mean: number, sd: number) => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (mean, sd) => {
    const u = 1 - uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

// Five metrics of one service, one group, all "higher is worse". Their noise differs: the median
// latency is tight (σ = 1 % of its mean), the others vary by 10 %.
const METRICS = [
  { name: 'latency-p50', mean: 100, sd: 1 },
  { name: 'latency-p99', mean: 400, sd: 40 },
  { name: 'cpu', mean: 50, sd: 5 },
  { name: 'memory', mean: 512, sd: 51.2 },
  { name: 'queue-depth', mean: 30, sd: 3 },
];
const CONFIG: JudgeConfig = {
  metrics: METRICS.map((m) => ({ name: m.name, groups: ['service'], direction: Direction.Increase })),
};

/** 60 baseline and 60 canary samples per metric; the canary's means are `1 + shift` times the baseline's. */
function samples(shift: number, seed = 42): Record<string, MetricSamples> {
  const draw = normalSampler(seed);
  return Object.fromEntries(
    METRICS.map((m) => [
      m.name,
      {
        baseline: Array.from({ length: 60 }, () => draw(m.mean, m.sd)),
        canary: Array.from({ length: 60 }, () => draw(m.mean * (1 + shift), m.sd)),
      },
    ]),
  );
}

const verdicts = (shift: number): Record<string, MetricClassification> =>
  Object.fromEntries(judge(CONFIG, samples(shift)).metrics.map((m) => [m.name, m.classification]));

describe('the behavioural trio', () => {
  test('the same distribution (fresh draws, not the same values) → every metric Pass → score 100 → Pass', () => {
    const result = judge(CONFIG, samples(0));
    assert.deepEqual(verdicts(0), { 'latency-p50': 'Pass', 'latency-p99': 'Pass', cpu: 'Pass', memory: 'Pass', 'queue-depth': 'Pass' });
    assert.equal(result.score, 100);
    assert.equal(result.classification, JudgeClassification.Pass);
  });

  test('a small shift (+3 %) → only the tight metric sees it → 4 of 5 → score 80 → Marginal', () => {
    // +3 % is 3 σ for latency-p50: its 98 % interval clears the ±25 % band. For the others it is
    // 0.3 σ, and with 60 samples a side the interval is about ±0.44 σ wide: they pass. One High
    // among five equally weighted metrics leaves 80, between marginal (75) and pass (95).
    // Seed 42 is not special: over seeds 1–200 the trio gives Pass 199, Marginal 147 (the rest:
    // a 0.3 σ shift that happened to look bigger in a noisy metric too) and Fail 200 times.
    const result = judge(CONFIG, samples(0.03));
    assert.deepEqual(verdicts(0.03), { 'latency-p50': 'High', 'latency-p99': 'Pass', cpu: 'Pass', memory: 'Pass', 'queue-depth': 'Pass' });
    assert.equal(result.score, 80);
    assert.equal(result.classification, JudgeClassification.Marginal);
  });

  test('a clear shift (+30 %) → every metric High → score 0 → Fail', () => {
    // +30 % is 3 σ even for the noisy metrics: every interval clears its band.
    const result = judge(CONFIG, samples(0.3));
    assert.deepEqual(verdicts(0.3), { 'latency-p50': 'High', 'latency-p99': 'High', cpu: 'High', memory: 'High', 'queue-depth': 'High' });
    assert.equal(result.score, 0);
    assert.equal(result.classification, JudgeClassification.Fail);
  });

  test('the same small shift on a critical metric fails the run outright', () => {
    const config: JudgeConfig = { metrics: CONFIG.metrics.map((m) => (m.name === 'latency-p50' ? { ...m, critical: true } : m)) };
    const result = judge(config, samples(0.03));
    assert.equal(result.score, 0);
    assert.equal(result.classification, JudgeClassification.Fail);
    assert.deepEqual(
      result.overrides.map((o) => [o.reason, o.metric]),
      [[OverrideReason.CriticalMetric, 'latency-p50']],
    );
  });

  test('deterministic, and plain JSON (no NaN, survives a Temporal payload)', () => {
    const a = judge(CONFIG, samples(0.03));
    assert.deepEqual(a, judge(CONFIG, samples(0.03)));
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  });
});

describe('judge(): never throws for bad data', () => {
  const good = samples(0)['cpu']!;
  const cases: [string, JudgeConfig, Record<string, unknown>, MetricClassification[]][] = [
    ['samples missing for a metric', { metrics: [{ name: 'a' }, { name: 'b' }] }, { a: good }, [MetricClassification.Pass, MetricClassification.Nodata]],
    ['a string among the values', { metrics: [{ name: 'a' }] }, { a: { baseline: [1, 2, 'x'], canary: [1, 2] } }, [MetricClassification.Error]],
    ['samples that are not lists', { metrics: [{ name: 'a' }] }, { a: { baseline: 'oops', canary: 7 } }, [MetricClassification.Error]],
    ['samples that are null', { metrics: [{ name: 'a' }] }, { a: null }, [MetricClassification.Nodata]],
    ['an infinite value', { metrics: [{ name: 'a' }] }, { a: { baseline: [1, 2, 3], canary: [-Infinity, 2] } }, [MetricClassification.Error]],
    ['σ = 0', { metrics: [{ name: 'a' }] }, { a: { baseline: [3], canary: [4] } }, [MetricClassification.Error]],
    [
      'a metric configured twice: the second is an Error',
      { metrics: [{ name: 'a' }, { name: 'a' }] },
      { a: good },
      [MetricClassification.Pass, MetricClassification.Error],
    ],
    ['an invalid metric config', { metrics: [{ name: 'a', outliers: { strategy: 'remove', factor: -1 } }] }, { a: good }, [MetricClassification.Error]],
    [
      'a metric named like an Object property',
      { metrics: [{ name: 'constructor' }, { name: '__proto__' }] },
      {},
      [MetricClassification.Nodata, MetricClassification.Nodata],
    ],
  ];
  for (const [name, config, input, expected] of cases) {
    test(name, () => {
      const result = judge(config, input as Record<string, MetricSamples>);
      assert.deepEqual(
        result.metrics.map((m) => m.classification),
        expected,
      );
      for (const m of result.metrics) assert.ok(m.reason.length > 0);
    });
  }

  test('no samples object at all (null from a payload): every metric Nodata', () => {
    const result = judge({ metrics: [{ name: 'a' }] }, null as unknown as Record<string, MetricSamples>);
    assert.deepEqual(
      result.metrics.map((m) => m.classification),
      [MetricClassification.Nodata],
    );
    assert.equal(result.overrides[0]?.reason, OverrideReason.TooManyNodata);
  });

  test('a critical metric that cannot be judged fails the run', () => {
    const result = judge({ metrics: [{ name: 'a', critical: true }, { name: 'b' }] }, { a: { baseline: [3], canary: [4] }, b: good });
    assert.equal(result.metrics[0]?.classification, MetricClassification.Error);
    assert.equal(result.classification, JudgeClassification.Fail);
    assert.equal(result.overrides[0]?.reason, OverrideReason.CriticalMetric);
  });

  test('samples of unconfigured metrics are ignored; results follow the configured order', () => {
    const result = judge({ metrics: [{ name: 'b' }, { name: 'a' }] }, { a: good, b: good, c: good });
    assert.deepEqual(
      result.metrics.map((m) => m.name),
      ['b', 'a'],
    );
  });

  test('defaults: a metric without groups is its own group; thresholds 95 / 75', () => {
    const result = judge({ metrics: [{ name: 'a' }] }, { a: good });
    assert.deepEqual(result.metrics[0]?.groups, ['a']);
    assert.deepEqual(
      result.groupScores.map((g) => [g.name, g.weight]),
      [['a', 100]],
    );
    assert.deepEqual(result.thresholds, { pass: 95, marginal: 75 });
  });

  test('no metrics: score 0, Fail, with the reason', () => {
    const result = judge({ metrics: [] }, {});
    assert.deepEqual([result.score, result.classification, result.reason], [0, JudgeClassification.Fail, 'no metric to judge']);
  });
});
