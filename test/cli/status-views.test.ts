/**
 * The human status's newer parts, from hand-built status objects: analysis runs with their
 * measured values, the operator hint for every kind of wait, and the one-screen layout of
 * `status --watch` (fits rows × columns, header first, finished stages on one line).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analysisLines, describeMeasurement, metricLine } from '../../cli/render/analysis.js';
import { truncate, visibleLength } from '../../cli/render/format.js';
import { hintLine, operatorHint } from '../../cli/render/operator-hint.js';
import { renderStatus, renderStatusScreen } from '../../cli/render/status.js';
import { redrawScreen } from '../../cli/screen.js';
import { initialCounters, recordMeasurement } from '../../src/domain/analysis/assess.js';
import { evaluateMeasurement } from '../../src/domain/analysis/evaluate.js';
import type { MeasuredValue, Measurement } from '../../src/domain/analysis/measurement.js';
import type { AnalysisResult, MetricRecord } from '../../workflows/analysis.js';
import type { StageStatus } from '../../workflows/messages.js';
import { at, production, promotion, utc } from './status-fixtures.js';

/** A measurement as the analysis workflow records it: judged by the real evaluateMeasurement. */
function measured(conditions: { successCondition?: string; failureCondition?: string }, value: MeasuredValue | { error: string }): Measurement {
  const evaluation = evaluateMeasurement(conditions, value);
  return { ...evaluation, value: typeof value === 'object' && !Array.isArray(value) ? null : value, startedAt: at(30), finishedAt: at(31), query: 'q' };
}

function metric(name: string, measurements: Measurement[], phase: MetricRecord['phase'], message: string | null): MetricRecord {
  return { name, dryRun: false, phase, message, counters: measurements.reduce((c, m) => recordMeasurement(c, m.phase), initialCounters()), measurements };
}

const demo = { successCondition: 'size(result) > 0 && result[0] < 0.05', failureCondition: 'size(result) > 0 && result[0] > 0.1' };

describe('a measurement for people: the value against its condition, or why there is none', () => {
  const cases: [string, Measurement, string][] = [
    ['failureCondition holds', measured({ failureCondition: 'result[0] > 0.05' }, [0.297]), '0.297 > 0.05 (failed)'],
    ['failureCondition does not hold', measured({ failureCondition: 'result[0] > 0.05' }, [0.01]), '0.01, not > 0.05 (successful)'],
    ['successCondition holds, scalar', measured({ successCondition: 'result >= 0.95' }, 0.99), '0.99 >= 0.95 (successful)'],
    ['successCondition does not hold', measured({ successCondition: 'result[0] >= 0.95' }, [0.5]), '0.5, not >= 0.95 (failed)'],
    ['guarded conditions, neither holds', measured(demo, [0.07]), '0.07: neither < 0.05 nor > 0.1 (inconclusive)'],
    ['guarded conditions, failure', measured(demo, [0.297]), '0.297 > 0.1 (failed)'],
    ['an empty result: why it is inconclusive', measured(demo, []), 'empty result: the query returned no series (inconclusive)'],
    [
      'a provider error',
      measured(demo, { error: 'Prometheus at http://p:9090 answered 503: service unavailable' }),
      'error: Prometheus at http://p:9090 answered 503: service unavailable',
    ],
    [
      'a condition that cannot be evaluated on an empty vector',
      measured({ successCondition: 'result[0] < 0.05' }, []),
      'error: empty result: the query returned no series, so successCondition `result[0] < 0.05` could not be evaluated (guard it with `size(result) == 0 || ...` if that is acceptable)',
    ],
    [
      'a condition too complex to rewrite is quoted',
      measured({ successCondition: 'size(result) == 2 && result[1] < 0.05' }, [0.01, 0.02]),
      'result = [0.01, 0.02]: `size(result) == 2 && result[1] < 0.05` holds (successful)',
    ],
    [
      'several series, a simple condition',
      measured({ failureCondition: 'result[0] > 0.05' }, [0.297, 0.1]),
      'result = [0.297, 0.1]: `result[0] > 0.05` holds (failed)',
    ],
    ['no conditions', measured({}, 3), '3 (successful)'],
    ['rounded to three significant digits', measured({ failureCondition: 'result[0] > 0.1' }, [0.29743589743589743]), '0.297 > 0.1 (failed)'],
    [
      'a vector, rounded',
      measured({ failureCondition: 'result[0] > 0.1' }, [1234.56789, 0.000123456]),
      'result = [1234.568, 0.000123]: `result[0] > 0.1` holds (failed)',
    ],
  ];
  for (const [name, m, expected] of cases) {
    test(name, () => {
      assert.equal(describeMeasurement(m), expected);
    });
  }
});

function failedRun(): AnalysisResult {
  const ratio = metric('error-ratio', [measured({ failureCondition: 'result[0] > 0.05' }, [0.297])], 'Failed', 'failed (1) > failureLimit (0)');
  const latency = metric('p99-latency', [measured({ successCondition: 'result[0] < 0.5' }, [0.2])], 'Running', null);
  return {
    label: 'step 2: analysis error-rate',
    phase: 'Failed',
    message: 'Metric "error-ratio" assessed Failed due to failed (1) > failureLimit (0)',
    metrics: [ratio, latency],
    runSummary: { count: 2, successful: 1, failed: 1, inconclusive: 0, error: 0 },
    dryRunSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 },
    startedAt: at(30),
    finishedAt: at(31),
  };
}

function inconclusiveRun(): AnalysisResult {
  return {
    ...failedRun(),
    label: 'step 2: analysis success-rate',
    phase: 'Inconclusive',
    message: 'Metric "error-ratio" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
    metrics: [metric('error-ratio', [measured(demo, [])], 'Inconclusive', 'inconclusive (1) > inconclusiveLimit (0)')],
  };
}

describe('analysis runs in the human status', () => {
  test('each metric: its latest value against its condition, and the verdict', () => {
    assert.deepEqual(analysisLines(failedRun(), false), [
      '✖ step 2: analysis error-rate  Failed',
      '  ✖ error-ratio  0.297 > 0.05 (failed); failed (1) > failureLimit (0)',
      '  ◌ p99-latency  0.2 < 0.5 (successful)',
    ]);
    assert.equal(metricLine(metric('x', [], 'Pending', null), false), '· x  not measured yet');
  });

  test('an overridden verdict is on the record, never a pass', () => {
    const steps = production().steps.map((step, i) => (i === 1 ? { ...step, label: 'analysis error-rate', status: 'Overridden' as const } : step));
    const out = renderStatus(
      promotion(),
      production({
        phase: 'Progressing',
        pauseReason: null,
        steps,
        overrides: [{ kind: 'Inconclusive', actor: 'carol', at: at(40), what: 'step 2: analysis error-rate: Inconclusive' }],
      }),
      utc,
    );
    assert.match(out, /^ {20}⚠ 2\. analysis error-rate$/m);
    assert.match(out, /^ {6}Overrides: {4}⚠ carol resumed past step 2: analysis error-rate: Inconclusive$/m);
  });

  test('renderStatus shows them under the stage, and an inconclusive one says why and what to type', () => {
    const stage = production({
      phase: 'Paused',
      pauseReason: 'InconclusiveAnalysis',
      message: 'analysis inconclusive. ramp resume web@1.4.2 continues, ramp abort rolls back',
      analyses: [inconclusiveRun()],
    });
    const out = renderStatus(promotion(), stage, utc);
    assert.match(out, /^ {6}Analysis: {5}‖ step 2: analysis success-rate {2}Inconclusive$/m);
    assert.match(out, /^ {22}‖ error-ratio {2}empty result: the query returned no series \(inconclusive\); inconclusive \(1\) > inconclusiveLimit \(0\)$/m);
    assert.match(out, /^Waiting: {6}stage production is paused: analysis inconclusive \(error-ratio: empty result: the query returned no series\)$/m);
    assert.match(out, /^To continue: {2}ramp resume web@1\.4\.2 --stage production --as USER$/m);
    assert.match(out, /^To roll back: ramp abort web@1\.4\.2 --reason "\.\.\."$/m);
  });
});

describe('the operator hint: the exact command that answers each wait', () => {
  const failedPromotion = promotion({
    phase: 'Failed',
    message: 'stage production failed: analysis failed; ramp retry web@1.4.2 re-runs it',
    activeStage: null,
    stages: [
      promotion().stages[0]!,
      {
        name: 'production',
        workflowId: 'web/production',
        attempt: 1,
        phase: 'RolledBack',
        result: production({ phase: 'RolledBack', failure: { reason: 'AnalysisFailed', message: 'step 2: analysis error-rate: Failed' } }),
      },
      promotion().stages[2]!,
    ],
  });
  const cases: [string, Parameters<typeof operatorHint>[0], string | null][] = [
    [
      'an approval step',
      {
        promotion: promotion(),
        activeStage: production({ phase: 'Paused', pauseReason: 'AwaitingApproval', message: 'waiting for 1 approval(s) of step 3 from alice' }),
      },
      'stage production is waiting for 1 approval(s) of step 3 from alice. To approve: ramp approve web@1.4.2 --stage production --as USER; To reject: ramp reject web@1.4.2 --stage production --as USER --reason "..."',
    ],
    [
      'an inconclusive analysis',
      { promotion: promotion(), activeStage: production({ pauseReason: 'InconclusiveAnalysis', analyses: [failedRun(), inconclusiveRun()] }) },
      'stage production is paused: analysis inconclusive (error-ratio: empty result: the query returned no series). To continue: ramp resume web@1.4.2 --stage production --as USER; To roll back: ramp abort web@1.4.2 --reason "..."',
    ],
    [
      'paused by an operator',
      { promotion: promotion(), activeStage: production({ pauseReason: 'UserPaused', message: 'paused by rm (ramp resume to continue)' }) },
      'stage production is paused by rm (ramp resume to continue). To resume: ramp resume web@1.4.2 --stage production',
    ],
    [
      'a failed promotion waiting for retry',
      { promotion: failedPromotion, activeStage: null },
      'stage production failed (attempt 1): step 2: analysis error-rate: Failed; the promotion waits for a retry. To retry: ramp retry web@1.4.2 --as USER; To give up: ramp abort web@1.4.2 --reason "..."',
    ],
    [
      'a busy environment',
      {
        promotion: promotion({
          phase: 'WaitingForEnvironment',
          message: 'waiting for environment production, held by web@1.4.1',
          waitingFor: { stage: 'production', heldBy: 'web@1.4.1' },
          activeStage: null,
        }),
        activeStage: null,
      },
      'waiting for environment production, held by web@1.4.1; it starts when that promotion leaves',
    ],
    [
      'a rewritten branch',
      { promotion: promotion(), activeStage: production({ pauseReason: 'HistoryRewritten', message: 'canary 1.4.2 at 60%: ramp wrote nothing, ...' }) },
      'stage production wrote nothing: the branch no longer holds its commits (force-push?); restore the branch, then check again. To check again: ramp resume web@1.4.2 --stage production; To give up: ramp abort web@1.4.2 --reason "..."',
    ],
    [
      'a webhook confirmation: nothing to type',
      { promotion: promotion(), activeStage: production({ pauseReason: 'AwaitingConfirmation', message: 'waiting for confirm-promotion webhook(s) smoke' }) },
      'stage production is waiting for confirm-promotion webhook(s) smoke',
    ],
    ['running: nothing to answer', { promotion: promotion(), activeStage: production({ phase: 'Progressing', pauseReason: null }) }, null],
    ['succeeded', { promotion: promotion({ phase: 'Succeeded', activeStage: null, finishedAt: at(50) }), activeStage: null }, null],
    ['another promotion in the environment', { promotion: promotion(), activeStage: production({ promotionId: 'web@1.5.0' }) }, null],
  ];
  for (const [name, snapshot, expected] of cases) {
    test(name, () => {
      const hint = operatorHint(snapshot, utc);
      assert.equal(hint && hintLine(hint), expected);
    });
  }
});

/** A long-running promotion: many commits, events and steps, a stage live. */
function busy(): { promotion: ReturnType<typeof promotion>; stage: StageStatus } {
  const steps = Array.from({ length: 12 }, (_, i) => ({
    index: i,
    label: i % 2 === 0 ? `setWeight ${(i + 2) * 5}` : 'pause 30s',
    status: i < 7 ? ('Succeeded' as const) : i === 7 ? ('Running' as const) : ('Pending' as const),
    startedAt: null,
    finishedAt: null,
  }));
  const events = Array.from({ length: 40 }, (_, i) => ({ at: at(i + 11), kind: 'commit', message: `canary 1.4.2 at ${i}%: ${'x'.repeat(150)}` }));
  const stage = production({
    phase: 'Progressing',
    pauseReason: null,
    currentStep: 7,
    steps,
    commits: Array.from({ length: 8 }, (_, i) => ({ sha: `${i}`.repeat(40), step: `1/${i}/canary/${i * 5}`, at: at(i) })),
    events,
    analyses: [failedRun(), inconclusiveRun()],
  });
  return { promotion: promotion(), stage };
}

describe('status --watch on a terminal: one screen', () => {
  for (const [columns, rows] of [
    [100, 32],
    [80, 24],
    [60, 12],
    [40, 5],
  ] as const) {
    test(`fits ${columns}×${rows}: at most rows-1 lines, none wider than columns-1, the header first`, () => {
      const { promotion: p, stage } = busy();
      for (const color of [false, true]) {
        const lines = renderStatusScreen(p, stage, { ...utc, color, columns, rows });
        assert.ok(lines.length <= rows - 1, `${lines.length} lines`);
        for (const line of lines) assert.ok(visibleLength(line) <= columns - 1, line);
        // eslint-disable-next-line no-control-regex
        assert.match(lines[0]!, /^Promotion: {4}(\u001b\[1m)?web@1\.4\.2/);
      }
    });
  }

  test('100×32: the live stage in detail, finished ones on a line, the latest events fill the rest', () => {
    const { promotion: p, stage } = busy();
    const lines = renderStatusScreen(p, stage, { ...utc, columns: 100, rows: 32 });
    assert.equal(lines.length, 31, lines.join('\n'));
    assert.ok(lines.includes('  ✔ preview     Promoted     attempt 1  1.4.2 is stable in preview'), lines.join('\n'));
    assert.ok(lines.includes('      Steps:        ✔ ✔ ✔ ✔ ✔ ✔ ✔ ◌ · · · ·  8. pause 30s'), lines.join('\n'));
    assert.ok(lines.includes(`      Commits:      7777777  1/7/canary/35  (latest of 8)`), lines.join('\n'));
    assert.ok(
      lines.some((l) => l.startsWith('      Analysis:     ‖ step 2: analysis success-rate')),
      'the latest analysis run only',
    );
    assert.ok(!lines.some((l) => l.includes('analysis error-rate')), 'not the earlier one');
    const events = lines.slice(lines.findIndex((l) => l.startsWith('Events (last ')) + 1);
    assert.ok(events.length >= 3, lines.join('\n'));
    assert.match(events.at(-1)!, /^ {2}09:00:50 {2}production {2}commit {2}- {2}canary 1\.4\.2 at 39%: x+…$/);
  });

  test('a finished promotion: every stage on a line', () => {
    const done = promotion({
      phase: 'Succeeded',
      activeStage: null,
      finishedAt: at(59),
      stages: promotion().stages.map((s) => ({
        ...s,
        phase: 'Promoted' as const,
        result: { ...production(), stage: s.name, phase: 'Promoted' as const, message: `1.4.2 is stable in ${s.name}` },
      })),
    });
    const lines = renderStatusScreen(done, null, { ...utc, columns: 100, rows: 32 });
    assert.deepEqual(lines.slice(lines.indexOf('Stages:') + 1, lines.indexOf('Stages:') + 4), [
      '  ✔ preview     Promoted  attempt 1  1.4.2 is stable in preview',
      '  ✔ production  Promoted  attempt 1  1.4.2 is stable in production',
      '  ✔ dr          Promoted  attempt 1  1.4.2 is stable in dr',
    ]);
    assert.ok(lines.includes('Finished:     2026-11-21 09:00:59'));
  });

  test('what it waits for wraps instead of being cut', () => {
    const waiting = production({
      phase: 'AwaitingApproval',
      pauseReason: null,
      message: `waiting for 1 approval(s) from ${Array.from({ length: 12 }, (_, i) => `approver-${i}`).join(', ')}`,
    });
    const lines = renderStatusScreen(promotion(), waiting, { ...utc, columns: 60, rows: 40 });
    const at = lines.findIndex((l) => l.startsWith('Waiting:'));
    const text = [
      lines[at]!.slice(14),
      ...lines
        .slice(
          at + 1,
          lines.findIndex((l) => l.startsWith('To approve:')),
        )
        .map((l) => l.slice(14)),
    ].join(' ');
    assert.equal(text, `stage production is ${waiting.message}`);
    assert.ok(!lines.slice(0, at + 4).some((l) => l.endsWith('…')), lines.join('\n'));
  });

  test('too small for everything: cut, saying where the rest is', () => {
    const { promotion: p, stage } = busy();
    const lines = renderStatusScreen(p, stage, { ...utc, columns: 100, rows: 12 });
    assert.equal(lines.length, 11);
    assert.match(lines.at(-1)!, /^… \d+ more lines: ramp status web@1\.4\.2 shows everything$/);
  });

  test('truncate counts what shows, keeps colours balanced', () => {
    assert.equal(truncate('abcdef', 6), 'abcdef');
    assert.equal(truncate('abcdefg', 6), 'abcde…');
    assert.equal(truncate('\u001b[32m✔ abcdefg\u001b[0m', 5), '\u001b[32m✔ ab…\u001b[0m');
    assert.equal(truncate('\u001b[32m✔\u001b[0m abcdefg', 5), '\u001b[32m✔\u001b[0m ab…');
  });

  test('a frame is drawn from the top, each line cleared first, the rest of the screen cleared after', () => {
    assert.equal(redrawScreen(['a', 'b'], true), '\u001b[2J\u001b[H\u001b[2Ka\n\u001b[2Kb\n\u001b[J');
    assert.equal(redrawScreen(['a'], false), '\u001b[H\u001b[2Ka\n\u001b[J');
  });
});
