/**
 * One analysis run (Argo's AnalysisRun): measures each metric on its own schedule, counts the
 * measurements, and lets src/domain/analysis decide — a metric that fails, errors or is
 * inconclusive ends the run. A child of the stage workflow, so its measurements form a record
 * of their own. A background analysis runs until the stage sends `terminateAnalysis`.
 */
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import { assessMetricWithReason, assessRun, initialCounters, nextMeasurementDelay, recordMeasurement, type MetricCounters, type RunSummary } from '../src/domain/analysis/assess.js';
import type { Measurement } from '../src/domain/analysis/measurement.js';
import { AnalysisPhase, isCompleted } from '../src/domain/analysis/phases.js';
import type { JudgeSpec, MetricSpec } from '../src/schema/pipeline.js';
import { measurement } from './activity-options.js';

const { measureMetric, judgeCanary } = proxyActivities<RampActivities>(measurement);

/** Measurements kept per metric in the record (Argo keeps 10 too). */
export const MEASUREMENTS_KEPT = 10;

export interface AnalysisInput {
  /** What the run is for, for people: `step 2: analysis success-rate`. */
  label: string;
  /** The metrics of the referenced templates. */
  metrics: MetricSpec[];
  /** Their judges (canary vs baseline), each judged `count` times, `interval` apart. */
  judges?: { name: string; judge: JudgeSpec }[];
  /** Values for `{{args.*}}` and `{{ramp.*}}` in queries. */
  args: Record<string, string>;
}

export interface MetricRecord {
  name: string;
  dryRun: boolean;
  phase: AnalysisPhase;
  message: string | null;
  counters: MetricCounters;
  /** The latest measurements, oldest first. */
  measurements: Measurement[];
}

export interface AnalysisResult {
  label: string;
  phase: AnalysisPhase;
  /** Why, when not Successful: the metric that decided and its limit. */
  message: string | null;
  metrics: MetricRecord[];
  runSummary: RunSummary;
  dryRunSummary: RunSummary;
  startedAt: string;
  finishedAt: string | null;
}

/** Ends a background analysis: metrics that violated no limit count as Successful. */
export const terminateAnalysisSignal = defineSignal<[reason: string]>('terminateAnalysis');
export const analysisStatusQuery = defineQuery<AnalysisResult>('analysisStatus');

const now = (): string => new Date(Date.now()).toISOString();

/** The limits a judge runs under, as a metric: first judgement after one interval (or lookback). */
function judgeAsMetric(name: string, judge: JudgeSpec): MetricSpec {
  return {
    name: `judge:${name}`,
    count: judge.count,
    intervalMs: judge.intervalMs,
    initialDelayMs: judge.intervalMs ?? judge.lookbackMs,
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    dryRun: false,
    provider: { kind: 'prometheus', address: judge.metrics[0]?.canary.address ?? '', query: '(judge)', timeoutMs: 30_000, headers: [] },
  };
}

/** A deciding metric in one of these phases ends the run (Argo's "terminating"). */
const ENDING: ReadonlySet<AnalysisPhase> = new Set([AnalysisPhase.Failed, AnalysisPhase.Error, AnalysisPhase.Inconclusive]);

export async function analysisWorkflow(input: AnalysisInput): Promise<AnalysisResult> {
  const startedMs = Date.now();
  // A judge is measured like a metric: one judgement per interval, `count` of them, and Argo's
  // limits at their strictest (a judgement below marginal fails; the last must reach pass).
  const judged: { metric: MetricSpec; judge: JudgeSpec | null }[] = [
    ...input.metrics.map((metric) => ({ metric, judge: null })),
    ...(input.judges ?? []).map(({ name, judge }) => ({ metric: judgeAsMetric(name, judge), judge })),
  ];
  const metrics = judged.map(({ metric, judge }) => {
    const record: MetricRecord = { name: metric.name, dryRun: metric.dryRun, phase: AnalysisPhase.Pending, message: null, counters: initialCounters(), measurements: [] };
    return { metric, judge, counters: initialCounters(), nextAt: startedMs + metric.initialDelayMs, record };
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
    const terminating = terminated !== null || metrics.some((m) => !m.metric.dryRun && ENDING.has(m.record.phase));
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
        m.judge ? judgeCanary({ judge: m.judge, args: input.args, final: m.counters.count + 1 >= m.judge.count }) : measureMetric({ metric: m.metric, args: input.args }),
      ),
    );
    due.forEach((m, i) => {
      const taken = measured[i]!;
      m.counters = recordMeasurement(m.counters, taken.phase);
      m.record.counters = m.counters;
      m.record.measurements = [...m.record.measurements, taken].slice(-MEASUREMENTS_KEPT);
      m.record.phase = AnalysisPhase.Pending;
      m.nextAt = Date.now() + nextMeasurementDelay(m.metric, taken);
    });
  }
}
