/**
 * One analysis run (Argo's AnalysisRun): measures each metric on its own schedule, counts the
 * measurements, and lets src/domain/analysis decide — a metric that fails, errors or is
 * inconclusive ends the run. A child of the stage workflow, so its measurements form a record
 * of their own. A background analysis runs until the stage sends `terminateAnalysis`.
 */
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import { assessMetricWithReason, assessRun, initialCounters, isTerminating, nextMeasurementDelay, recordMeasurement } from '../src/domain/analysis/assess.js';
import { judgeSchedule, type Schedule } from '../src/domain/analysis/judge-limits.js';
import { AnalysisPhase, isCompleted } from '../src/domain/analysis/phases.js';
import type { JudgeSpec, MetricSpec } from '../src/schema/pipeline.js';
import { measurement } from './activity-options.js';
import { observe } from './observe.js';
import { analysisStatusQuery, terminateAnalysisSignal, type AnalysisInput, type AnalysisResult, type MetricRecord } from './analysis-messages.js';

export type { AnalysisInput, AnalysisResult, MetricRecord } from './analysis-messages.js';

const { measureMetric, judgeCanary } = proxyActivities<RampActivities>(measurement);

/** Measurements kept per metric in the record (Argo keeps 10 too). */
export const MEASUREMENTS_KEPT = 10;

const now = (): string => new Date(Date.now()).toISOString();

export async function analysisWorkflow(input: AnalysisInput): Promise<AnalysisResult> {
  const startedMs = Date.now();
  // For the worker's metrics: the stage's `{{ramp.*}}` variables say whose analysis this is.
  const where = { pipeline: input.args['ramp.pipeline'] ?? '', stage: input.args['ramp.stage'] ?? '' };
  // A judge is measured like a metric: one judgement per interval, `count` of them, and Argo's
  // limits at their strictest (a judgement below marginal fails; the last must reach pass).
  const judged: { metric: Schedule; spec: MetricSpec | null; judge: JudgeSpec | null }[] = [
    ...input.metrics.map((metric) => ({ metric, spec: metric, judge: null })),
    ...(input.judges ?? []).map(({ name, judge }) => ({ metric: judgeSchedule(name, judge), spec: null, judge })),
  ];
  const metrics = judged.map(({ metric, spec, judge }) => {
    const record: MetricRecord = {
      name: metric.name,
      dryRun: metric.dryRun,
      phase: AnalysisPhase.Pending,
      message: null,
      counters: initialCounters(),
      measurements: [],
    };
    return { metric, spec, judge, counters: initialCounters(), nextAt: startedMs + metric.initialDelayMs, record };
  });
  const result: AnalysisResult = {
    label: input.label,
    phase: AnalysisPhase.Pending,
    message: null,
    metrics: metrics.map((m) => m.record),
    runSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 },
    dryRunSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 },
    startedAt: now(),
    finishedAt: null,
  };
  let terminated: string | null = null;
  setHandler(terminateAnalysisSignal, (reason) => {
    terminated ??= reason;
  });
  setHandler(analysisStatusQuery, () => result);

  for (;;) {
    // Assess: a completed metric keeps its phase; the run ends when it is decided.
    const terminating = isTerminating(
      metrics.map((m) => ({ phase: m.record.phase, dryRun: m.metric.dryRun })),
      terminated !== null,
    );
    for (const m of metrics) {
      if (isCompleted(m.record.phase)) continue;
      const assessed = assessMetricWithReason(m.metric, m.counters, { terminating });
      m.record.phase = assessed.phase;
      m.record.message = assessed.message;
    }
    const run = assessRun(
      metrics.map((m) => ({ name: m.metric.name, phase: m.record.phase, dryRun: m.metric.dryRun, message: m.record.message })),
      { terminate: terminated !== null },
    );
    result.phase = run.phase;
    result.message = run.message;
    result.runSummary = run.runSummary;
    result.dryRunSummary = run.dryRunSummary;
    if (isCompleted(run.phase)) {
      result.finishedAt = now();
      observe({ kind: 'analysis-run', ...where, phase: run.phase });
      return result;
    }

    // Measure whatever is due, all at once; otherwise sleep until the next is due.
    const due = metrics.filter((m) => !isCompleted(m.record.phase) && m.nextAt <= Date.now());
    if (due.length === 0) {
      const wakeAt = Math.min(...metrics.filter((m) => !isCompleted(m.record.phase)).map((m) => m.nextAt));
      await condition(() => terminated !== null, Math.max(1, wakeAt - Date.now()));
      continue;
    }
    for (const m of due) m.record.phase = AnalysisPhase.Running;
    const measured = await Promise.all(
      due.map((m) =>
        m.judge
          ? judgeCanary({ judge: m.judge, args: input.args, final: m.counters.count + 1 >= m.judge.count })
          : measureMetric({ metric: m.spec!, args: input.args }),
      ),
    );
    due.forEach((m, i) => {
      const taken = measured[i]!;
      m.counters = recordMeasurement(m.counters, taken.phase);
      m.record.counters = m.counters;
      m.record.measurements = [...m.record.measurements, taken].slice(-MEASUREMENTS_KEPT);
      m.record.phase = AnalysisPhase.Pending;
      m.nextAt = Date.now() + nextMeasurementDelay(m.metric, taken);
      observe({ kind: 'analysis-measurement', ...where, metric: m.metric.name, phase: taken.phase });
      // A judgement's value is the judge's score (0–100).
      if (m.judge && typeof taken.value === 'number' && Number.isFinite(taken.value)) observe({ kind: 'judge-score', ...where, score: taken.value });
    });
  }
}
