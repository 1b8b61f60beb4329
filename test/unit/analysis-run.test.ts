/** Phase order and run aggregation: the worst deciding metric, dry runs excluded. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assessRun, isTerminating, type RunMetric } from '../../src/domain/analysis/assess.js';
import { ANALYSIS_PHASE_ORDER, type AnalysisPhase, isCompleted, worstPhase } from '../../src/domain/analysis/phases.js';

describe('worstPhase: Successful < Running < Pending < Inconclusive < Error < Failed', () => {
  const order: AnalysisPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];
  test('the order', () => assert.deepEqual(ANALYSIS_PHASE_ORDER, order));
  for (const [i, a] of order.entries()) {
    for (const [j, b] of order.entries()) {
      const expected = order[Math.max(i, j)]!;
      test(`${a} vs ${b} → ${expected}`, () => assert.equal(worstPhase(a, b), expected));
    }
  }
  test('completed phases', () => assert.deepEqual(order.filter(isCompleted), ['Successful', 'Inconclusive', 'Error', 'Failed']));
});

const m = (name: string, phase: AnalysisPhase, dryRun = false, message: string | null = null): RunMetric => ({ name, phase, dryRun, message });
const summary = (count: number, s = 0, f = 0, i = 0, e = 0) => ({ count, successful: s, failed: f, inconclusive: i, error: e });

describe('assessRun', () => {
  const rows: [string, RunMetric[], { terminate?: boolean }, AnalysisPhase][] = [
    ['every metric Successful → Successful', [m('a', 'Successful'), m('b', 'Successful')], {}, 'Successful'],
    ['a metric still Running → Running', [m('a', 'Successful'), m('b', 'Running')], {}, 'Running'],
    ['a metric still Pending → Running', [m('a', 'Successful'), m('b', 'Pending')], {}, 'Running'],
    ['the worst completed metric decides', [m('a', 'Inconclusive'), m('b', 'Failed'), m('c', 'Error')], {}, 'Failed'],
    ['Error is worse than Inconclusive', [m('a', 'Inconclusive'), m('b', 'Error')], {}, 'Error'],
    ['Inconclusive is worse than Successful', [m('a', 'Successful'), m('b', 'Inconclusive')], {}, 'Inconclusive'],
    ['a Failed metric ends the run while others still run (terminating)', [m('a', 'Failed'), m('b', 'Running')], {}, 'Failed'],
    ['an Inconclusive metric ends the run while others are pending', [m('a', 'Pending'), m('b', 'Inconclusive')], {}, 'Inconclusive'],
    ['no metrics → Running (nothing decided)', [], {}, 'Running'],
    ['terminated before any metric completed → Successful', [m('a', 'Running')], { terminate: true }, 'Successful'],
    ['terminated: the worst so far', [m('a', 'Successful'), m('b', 'Running')], { terminate: true }, 'Successful'],
    // dry run
    ['a Failed dry-run metric does not decide', [m('a', 'Successful'), m('dry', 'Failed', true)], {}, 'Successful'],
    ['an Error dry-run metric does not terminate the run', [m('a', 'Running'), m('dry', 'Error', true)], {}, 'Running'],
    ['only dry-run metrics, completed → Successful', [m('dry', 'Failed', true), m('dry2', 'Inconclusive', true)], {}, 'Successful'],
    ['only dry-run metrics, one running → Running', [m('dry', 'Failed', true), m('dry2', 'Running', true)], {}, 'Running'],
    ['a deciding metric still runs behind a completed dry run → Running', [m('dry', 'Successful', true), m('a', 'Running')], {}, 'Running'],
  ];
  for (const [name, metrics, options, phase] of rows) {
    test(name, () => assert.equal(assessRun(metrics, options).phase, phase));
  }

  test('run and dry-run summaries count metrics by phase', () => {
    const run = assessRun([
      m('a', 'Successful'),
      m('b', 'Failed'),
      m('c', 'Running'),
      m('d', 'Error'),
      m('x', 'Failed', true),
      m('y', 'Inconclusive', true),
      m('z', 'Successful', true),
    ]);
    assert.deepEqual(run.runSummary, summary(4, 1, 1, 0, 1));
    assert.deepEqual(run.dryRunSummary, summary(3, 1, 1, 1, 0));
  });

  test('the message names the metric that decided and why', () => {
    const run = assessRun([
      m('latency', 'Inconclusive', false, 'inconclusive (1) > inconclusiveLimit (0)'),
      m('errors', 'Failed', false, 'failed (1) > failureLimit (0)'),
      m('dry', 'Error', true, 'consecutiveErrors (5) > consecutiveErrorLimit (4)'),
      m('ok', 'Successful', false, 'count (1) reached'),
    ]);
    assert.equal(run.phase, 'Failed');
    assert.equal(run.message, 'Metric "errors" assessed Failed due to failed (1) > failureLimit (0)');
    assert.equal(assessRun([m('ok', 'Successful', false, 'count (1) reached')]).message, null);
    assert.equal(assessRun([m('a', 'Running')]).message, null);
    assert.equal(assessRun([m('a', 'Successful')], { terminate: true }).message, 'run terminated');
  });
});

describe('isTerminating', () => {
  const rows: [string, RunMetric[], boolean, boolean][] = [
    ['all running', [m('a', 'Running'), m('b', 'Pending')], false, false],
    ['told to terminate', [m('a', 'Running')], true, true],
    ['a deciding metric Failed', [m('a', 'Failed'), m('b', 'Running')], false, true],
    ['a deciding metric Error', [m('a', 'Error')], false, true],
    ['a deciding metric Inconclusive', [m('a', 'Inconclusive')], false, true],
    ['a deciding metric Successful does not terminate the others', [m('a', 'Successful'), m('b', 'Running')], false, false],
    ['a dry-run metric Failed does not', [m('a', 'Failed', true), m('b', 'Running')], false, false],
  ];
  for (const [name, metrics, terminate, expected] of rows) {
    test(name, () => assert.equal(isTerminating(metrics, terminate), expected));
  }
});
