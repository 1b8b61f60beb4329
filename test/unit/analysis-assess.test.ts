/** Counters, metric assessment and retry timing: Argo Rollouts' rules, one table per rule. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assessMetric,
  assessMetricWithReason,
  effectiveCount,
  ERROR_RETRY_INTERVAL_MS,
  initialCounters,
  limitViolation,
  nextMeasurementDelay,
  recordMeasurement,
  type MetricCounters,
  type MetricLimits,
} from '../../src/domain/analysis/assess.js';
import { type AnalysisPhase, type MeasurementPhase } from '../../src/domain/analysis/phases.js';

const counters = (partial: Partial<MetricCounters> = {}): MetricCounters => ({ ...initialCounters(), ...partial });
/** The schema's defaults: count 1, no interval, failureLimit 0, inconclusiveLimit 0, consecutiveErrorLimit 4. */
const metric = (partial: Partial<MetricLimits> = {}): MetricLimits => ({
  count: 1,
  intervalMs: null,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  ...partial,
});
const record = (...phases: MeasurementPhase[]): MetricCounters => phases.reduce(recordMeasurement, initialCounters());

describe('recordMeasurement: the counters', () => {
  const rows: [string, MetricCounters, MeasurementPhase, MetricCounters][] = [
    [
      'Successful: count, successful, consecutiveSuccess +1; consecutiveError reset',
      counters({ count: 1, failed: 1, error: 2, consecutiveError: 2, consecutiveSuccess: 0 }),
      'Successful',
      counters({ count: 2, failed: 1, successful: 1, error: 2, consecutiveError: 0, consecutiveSuccess: 1 }),
    ],
    [
      'Failed: count, failed +1; consecutiveError and consecutiveSuccess reset',
      counters({ count: 2, successful: 2, consecutiveError: 1, consecutiveSuccess: 2 }),
      'Failed',
      counters({ count: 3, successful: 2, failed: 1, consecutiveError: 0, consecutiveSuccess: 0 }),
    ],
    [
      'Inconclusive: count, inconclusive +1; consecutiveError and consecutiveSuccess reset',
      counters({ count: 1, successful: 1, consecutiveError: 3, consecutiveSuccess: 1 }),
      'Inconclusive',
      counters({ count: 2, successful: 1, inconclusive: 1, consecutiveError: 0, consecutiveSuccess: 0 }),
    ],
    [
      'Error: error, consecutiveError +1; consecutiveSuccess reset; count unchanged',
      counters({ count: 3, successful: 3, consecutiveSuccess: 3, error: 1, consecutiveError: 0 }),
      'Error',
      counters({ count: 3, successful: 3, consecutiveSuccess: 0, error: 2, consecutiveError: 1 }),
    ],
  ];
  for (const [name, before, phase, after] of rows) {
    test(name, () => {
      const frozen = Object.freeze({ ...before });
      assert.deepEqual(recordMeasurement(frozen, phase), after);
    });
  }

  test('a sequence adds up; counters stay plain JSON', () => {
    const c = record('Error', 'Error', 'Successful', 'Failed', 'Error', 'Inconclusive', 'Successful', 'Successful');
    assert.deepEqual(c, { count: 5, successful: 3, failed: 1, inconclusive: 1, error: 3, consecutiveError: 0, consecutiveSuccess: 2 });
    assert.deepEqual(JSON.parse(JSON.stringify(c)), c);
  });
});

describe('effectiveCount', () => {
  const rows: [number, number | null, number | null][] = [
    [3, null, 3],
    [3, 60_000, 3],
    [0, null, 1],
    [0, 60_000, null],
  ];
  for (const [count, intervalMs, expected] of rows) {
    test(`count ${count}, interval ${intervalMs} → ${expected}`, () => assert.equal(effectiveCount({ count, intervalMs }), expected));
  }
});

describe('limitViolation: checked in order, each overwriting the one before', () => {
  const rows: [string, Partial<MetricLimits>, Partial<MetricCounters>, AnalysisPhase | null, string | null][] = [
    ['nothing violated', {}, { count: 1, successful: 1 }, null, null],
    ['failed > failureLimit → Failed', { failureLimit: 1 }, { failed: 2 }, 'Failed', 'failed (2) > failureLimit (1)'],
    ['failed == failureLimit is tolerated', { failureLimit: 2 }, { failed: 2 }, null, null],
    ['failureLimit -1 disables the check', { failureLimit: -1 }, { failed: 50 }, null, null],
    [
      'inconclusive > inconclusiveLimit → Inconclusive',
      { inconclusiveLimit: 0 },
      { inconclusive: 1 },
      'Inconclusive',
      'inconclusive (1) > inconclusiveLimit (0)',
    ],
    ['inconclusive == inconclusiveLimit is tolerated', { inconclusiveLimit: 1 }, { inconclusive: 1 }, null, null],
    [
      'consecutiveError > consecutiveErrorLimit → Error',
      { consecutiveErrorLimit: 4 },
      { consecutiveError: 5, error: 5 },
      'Error',
      'consecutiveErrors (5) > consecutiveErrorLimit (4)',
    ],
    ['consecutiveError == consecutiveErrorLimit is tolerated', { consecutiveErrorLimit: 4 }, { consecutiveError: 4, error: 4 }, null, null],
    [
      'consecutiveErrorLimit defaults to 4',
      { consecutiveErrorLimit: undefined },
      { consecutiveError: 5, error: 5 },
      'Error',
      'consecutiveErrors (5) > consecutiveErrorLimit (4)',
    ],
    ['cumulative errors do not count, consecutive ones do', { consecutiveErrorLimit: 1 }, { error: 9, consecutiveError: 1 }, null, null],
    ['Inconclusive wins over Failed', {}, { failed: 1, inconclusive: 1 }, 'Inconclusive', 'inconclusive (1) > inconclusiveLimit (0)'],
    [
      'Error wins over Inconclusive and Failed',
      { consecutiveErrorLimit: 0 },
      { failed: 1, inconclusive: 1, consecutiveError: 1 },
      'Error',
      'consecutiveErrors (1) > consecutiveErrorLimit (0)',
    ],
  ];
  for (const [name, limits, c, phase, message] of rows) {
    test(name, () => assert.deepEqual(limitViolation(metric(limits), counters(c)), phase === null ? null : { phase, message }));
  }
});

describe('assessMetric: the branches in order', () => {
  const rows: [string, Partial<MetricLimits>, Partial<MetricCounters>, { terminating?: boolean; measuring?: boolean }, AnalysisPhase][] = [
    // 1. nothing measured yet, or a measurement in flight
    ['no measurement yet → Pending', {}, {}, {}, 'Pending'],
    ['no measurement yet, terminating → Successful', {}, {}, { terminating: true }, 'Successful'],
    ['a measurement in flight → Running', {}, {}, { measuring: true }, 'Running'],
    ['in flight wins over a violated limit', {}, { count: 1, failed: 1 }, { measuring: true }, 'Running'],
    ['in flight while terminating → Running', {}, { count: 1, successful: 1 }, { measuring: true, terminating: true }, 'Running'],
    ['only errors so far is not "no measurement"', { count: 3, intervalMs: 1_000 }, { error: 1, consecutiveError: 1 }, {}, 'Running'],
    // 2. limits
    ['failed > failureLimit → Failed (before the count is reached)', { count: 10, intervalMs: 1_000 }, { count: 1, failed: 1 }, {}, 'Failed'],
    ['inconclusive > inconclusiveLimit → Inconclusive', { count: 10, intervalMs: 1_000 }, { count: 1, inconclusive: 1 }, {}, 'Inconclusive'],
    ['consecutiveError > limit → Error', { count: 10, intervalMs: 1_000 }, { error: 5, consecutiveError: 5 }, {}, 'Error'],
    ['a violated limit wins over terminating', {}, { count: 1, failed: 1 }, { terminating: true }, 'Failed'],
    [
      'a violated limit wins over a reached consecutiveSuccessLimit',
      { consecutiveSuccessLimit: 1, count: 5, intervalMs: 1 },
      { count: 2, failed: 1, successful: 1, consecutiveSuccess: 1 },
      {},
      'Failed',
    ],
    // 3. consecutiveSuccessLimit
    [
      'consecutiveSuccessLimit reached → Successful before the count',
      { consecutiveSuccessLimit: 2, count: 10, intervalMs: 1, failureLimit: 3 },
      { count: 3, failed: 1, successful: 2, consecutiveSuccess: 2 },
      {},
      'Successful',
    ],
    [
      'consecutiveSuccessLimit not reached, count not reached → Running',
      { consecutiveSuccessLimit: 3, count: 10, intervalMs: 1 },
      { count: 2, successful: 2, consecutiveSuccess: 2 },
      {},
      'Running',
    ],
    // 4. count reached
    ['count reached → Successful', { count: 3, intervalMs: 1 }, { count: 3, successful: 3 }, {}, 'Successful'],
    [
      'count reached with tolerated failures → Successful',
      { count: 3, intervalMs: 1, failureLimit: 1 },
      { count: 3, successful: 2, failed: 1 },
      {},
      'Successful',
    ],
    ['errors do not reach the count', { count: 3, intervalMs: 1 }, { count: 2, successful: 2, error: 1, consecutiveError: 1 }, {}, 'Running'],
    [
      'count reached, both limits apply, consecutiveSuccess short → Inconclusive',
      { count: 4, intervalMs: 1, failureLimit: 2, consecutiveSuccessLimit: 3 },
      { count: 4, successful: 2, failed: 2, consecutiveSuccess: 1 },
      {},
      'Inconclusive',
    ],
    [
      'count reached, only consecutiveSuccessLimit applies (failureLimit -1) → Failed',
      { count: 4, intervalMs: 1, failureLimit: -1, consecutiveSuccessLimit: 3 },
      { count: 4, successful: 2, failed: 2, consecutiveSuccess: 2 },
      {},
      'Failed',
    ],
    [
      'count reached, failureLimit -1 alone → Successful even if every measurement failed',
      { count: 2, intervalMs: 1, failureLimit: -1 },
      { count: 2, failed: 2 },
      {},
      'Successful',
    ],
    ['count 0 without interval means one measurement', { count: 0, intervalMs: null }, { count: 1, successful: 1 }, {}, 'Successful'],
    // 5. still counting
    ['still counting → Running', { count: 5, intervalMs: 1 }, { count: 2, successful: 2 }, {}, 'Running'],
    ['still counting, terminating → Successful', { count: 5, intervalMs: 1 }, { count: 2, successful: 2 }, { terminating: true }, 'Successful'],
    ['unbounded (count 0 with interval) → Running', { count: 0, intervalMs: 1 }, { count: 99, successful: 99 }, {}, 'Running'],
    ['unbounded, terminating → Successful', { count: 0, intervalMs: 1 }, { count: 99, successful: 99 }, { terminating: true }, 'Successful'],
  ];
  for (const [name, limits, c, options, phase] of rows) {
    test(name, () => assert.equal(assessMetric(metric(limits), counters(c), options), phase));
  }

  test('reasons say which limit or count decided', () => {
    assert.deepEqual(assessMetricWithReason(metric({ failureLimit: 1 }), record('Failed', 'Failed')), {
      phase: 'Failed',
      message: 'failed (2) > failureLimit (1)',
    });
    assert.deepEqual(assessMetricWithReason(metric({ count: 2, intervalMs: 1 }), record('Successful', 'Successful')), {
      phase: 'Successful',
      message: 'count (2) reached',
    });
    assert.deepEqual(assessMetricWithReason(metric({ count: 2, intervalMs: 1 }), record('Successful')), { phase: 'Running', message: null });
  });

  test('five errors in a row with the default limit → Error; a success in between resets them', () => {
    const m = metric({ count: 3, intervalMs: 60_000 });
    assert.equal(assessMetric(m, record('Error', 'Error', 'Error', 'Error')), 'Running');
    assert.equal(assessMetric(m, record('Error', 'Error', 'Error', 'Error', 'Error')), 'Error');
    assert.equal(assessMetric(m, record('Error', 'Error', 'Error', 'Successful', 'Error', 'Error')), 'Running');
  });
});

describe('nextMeasurementDelay', () => {
  const m = { intervalMs: 60_000, initialDelayMs: 30_000 };
  const rows: [string, { intervalMs: number | null; initialDelayMs: number }, MeasurementPhase | null, number][] = [
    ['before the first measurement: the initial delay', m, null, 30_000],
    ['no initial delay: at once', { intervalMs: 60_000, initialDelayMs: 0 }, null, 0],
    ['after a Successful measurement: the interval', m, 'Successful', 60_000],
    ['after a Failed measurement: the interval', m, 'Failed', 60_000],
    ['after an Inconclusive measurement: the interval', m, 'Inconclusive', 60_000],
    ['after an Error: 10 s, however long the interval', m, 'Error', ERROR_RETRY_INTERVAL_MS],
    ['after an Error: 10 s, even when the interval is shorter', { intervalMs: 1_000, initialDelayMs: 0 }, 'Error', 10_000],
    ['no interval: 10 s (Argo)', { intervalMs: null, initialDelayMs: 0 }, 'Successful', 10_000],
  ];
  for (const [name, spec, phase, ms] of rows) {
    test(name, () => assert.equal(nextMeasurementDelay(spec, phase === null ? null : { phase }), ms));
  }
  test("ERROR_RETRY_INTERVAL_MS is Argo's 10 s", () => assert.equal(ERROR_RETRY_INTERVAL_MS, 10_000));
});
