/**
 * Measurements → a metric's phase → a run's phase: Argo Rollouts' `runMeasurements` counters,
 * `assessMetricStatus` (+ `assessMetricFailureInconclusiveOrError`) and `assessRunStatus`
 * (anchors.md §2.2), as pure functions over small, serialisable counters that a workflow keeps
 * in its state.
 */
import { AnalysisPhase, isCompleted, MeasurementPhase, worstPhase } from './phases.js';

/** After an Error measurement the next attempt comes this much later (Argo's `DefaultErrorRetryInterval`). */
export const ERROR_RETRY_INTERVAL_MS = 10_000;
/** consecutiveErrorLimit when a metric does not set one (Argo's `DefaultConsecutiveErrorLimit`). */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

/** What a metric's measurements add up to so far. Plain numbers: keep them in workflow state. */
export interface MetricCounters {
  /** Measurements that produced a value to judge: Successful + Failed + Inconclusive (not Error). */
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  consecutiveSuccess: number;
}

/** Counters before the first measurement. */
export function initialCounters(): MetricCounters {
  return { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0, consecutiveError: 0, consecutiveSuccess: 0 };
}

/**
 * The counters after one more measurement (a new object):
 * - Successful, Failed, Inconclusive: `count + 1`, their own counter + 1, `consecutiveError = 0`;
 * - only Successful increments `consecutiveSuccess`; every other phase resets it;
 * - Error: `error + 1`, `consecutiveError + 1`, and `count` stays: errors are retried, not counted.
 */
export function recordMeasurement(counters: MetricCounters, phase: MeasurementPhase): MetricCounters {
  switch (phase) {
    case MeasurementPhase.Successful:
      return {
        ...counters,
        count: counters.count + 1,
        successful: counters.successful + 1,
        consecutiveError: 0,
        consecutiveSuccess: counters.consecutiveSuccess + 1,
      };
    case MeasurementPhase.Failed:
      return { ...counters, count: counters.count + 1, failed: counters.failed + 1, consecutiveError: 0, consecutiveSuccess: 0 };
    case MeasurementPhase.Inconclusive:
      return { ...counters, count: counters.count + 1, inconclusive: counters.inconclusive + 1, consecutiveError: 0, consecutiveSuccess: 0 };
    case MeasurementPhase.Error:
      return { ...counters, error: counters.error + 1, consecutiveError: counters.consecutiveError + 1, consecutiveSuccess: 0 };
    default: {
      const never: never = phase;
      throw new TypeError(`unknown measurement phase ${String(never)}`);
    }
  }
}

/** The parts of a metric that decide its phase. A normalised `MetricSpec` fits. */
export interface MetricLimits {
  /** Measurements to take; 0 means one without an interval, unbounded with one (Argo's `EffectiveCount`). */
  count: number;
  intervalMs: number | null;
  /** Failed measurements tolerated; -1 disables the check. */
  failureLimit: number;
  inconclusiveLimit: number;
  /** @default 4 */
  consecutiveErrorLimit?: number | undefined;
  /** Successful once this many consecutive measurements succeed; 0 or absent: off. */
  consecutiveSuccessLimit?: number | undefined;
}

/** How many measurements make a metric complete, or null when it runs until the run ends. */
export function effectiveCount(metric: Pick<MetricLimits, 'count' | 'intervalMs'>): number | null {
  if (metric.count > 0) return metric.count;
  return metric.intervalMs === null ? 1 : null;
}

export interface MetricAssessment {
  phase: AnalysisPhase;
  /** Why, when a limit or the count decided it: `failed (2) > failureLimit (1)`. */
  message: string | null;
}

/**
 * Which limit the counters violate, checked in Argo's order where a later check overwrites an
 * earlier one: failed > failureLimit (unless -1) → Failed; inconclusive > inconclusiveLimit →
 * Inconclusive; consecutiveError > consecutiveErrorLimit → Error. So Error wins over
 * Inconclusive, which wins over Failed. Null when no limit is violated.
 */
export function limitViolation(metric: MetricLimits, counters: MetricCounters): MetricAssessment | null {
  let violation: MetricAssessment | null = null;
  if (metric.failureLimit >= 0 && counters.failed > metric.failureLimit) {
    violation = { phase: AnalysisPhase.Failed, message: `failed (${counters.failed}) > failureLimit (${metric.failureLimit})` };
  }
  if (counters.inconclusive > metric.inconclusiveLimit) {
    violation = {
      phase: AnalysisPhase.Inconclusive,
      message: `inconclusive (${counters.inconclusive}) > inconclusiveLimit (${metric.inconclusiveLimit})`,
    };
  }
  const consecutiveErrorLimit = metric.consecutiveErrorLimit ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT;
  if (counters.consecutiveError > consecutiveErrorLimit) {
    violation = {
      phase: AnalysisPhase.Error,
      message: `consecutiveErrors (${counters.consecutiveError}) > consecutiveErrorLimit (${consecutiveErrorLimit})`,
    };
  }
  return violation;
}

export interface AssessOptions {
  /** The run is ending (a metric failed, errored or was inconclusive, or it was terminated): no more measurements. */
  terminating?: boolean;
  /** A measurement of this metric is in flight. */
  measuring?: boolean;
}

/**
 * A metric's phase from its counters, in Argo's order:
 * 1. a measurement in flight → Running; none taken yet → Successful if terminating, else Pending;
 * 2. a violated limit (see `limitViolation`) → Failed, Inconclusive or Error;
 * 3. consecutiveSuccessLimit > 0 and reached → Successful;
 * 4. the effective count reached → Inconclusive if both failureLimit (≥ 0) and consecutiveSuccessLimit
 *    apply, Failed if only consecutiveSuccessLimit does, else Successful;
 * 5. still counting → Successful if terminating, else Running.
 * A completed phase is final: once a metric is completed, stop measuring it and keep its phase.
 */
export function assessMetricWithReason(metric: MetricLimits, counters: MetricCounters, options: AssessOptions = {}): MetricAssessment {
  const { terminating = false, measuring = false } = options;
  if (measuring) return { phase: AnalysisPhase.Running, message: null };
  if (counters.count + counters.error === 0) {
    return terminating
      ? { phase: AnalysisPhase.Successful, message: 'run terminated before the first measurement' }
      : { phase: AnalysisPhase.Pending, message: null };
  }
  const violation = limitViolation(metric, counters);
  if (violation !== null) return violation;

  const consecutiveSuccessLimit = metric.consecutiveSuccessLimit ?? 0;
  if (consecutiveSuccessLimit > 0 && counters.consecutiveSuccess >= consecutiveSuccessLimit) {
    return {
      phase: AnalysisPhase.Successful,
      message: `consecutiveSuccess (${counters.consecutiveSuccess}) reached consecutiveSuccessLimit (${consecutiveSuccessLimit})`,
    };
  }
  const count = effectiveCount(metric);
  if (count !== null && counters.count >= count) {
    const failureApplies = metric.failureLimit >= 0;
    const successApplies = consecutiveSuccessLimit > 0;
    if (failureApplies && successApplies) {
      return {
        phase: AnalysisPhase.Inconclusive,
        message: `count (${count}) reached: consecutiveSuccessLimit (${consecutiveSuccessLimit}) not reached and failureLimit (${metric.failureLimit}) not violated`,
      };
    }
    if (successApplies) {
      return { phase: AnalysisPhase.Failed, message: `count (${count}) reached: consecutiveSuccessLimit (${consecutiveSuccessLimit}) not reached` };
    }
    return { phase: AnalysisPhase.Successful, message: `count (${count}) reached` };
  }
  if (terminating) return { phase: AnalysisPhase.Successful, message: 'run terminated' };
  return { phase: AnalysisPhase.Running, message: null };
}

/** `assessMetricWithReason(...).phase`. */
export function assessMetric(metric: MetricLimits, counters: MetricCounters, options: AssessOptions = {}): AnalysisPhase {
  return assessMetricWithReason(metric, counters, options).phase;
}

/**
 * How long to wait before measuring again, in ms from the end of `last`: the initial delay
 * before the first measurement, 10 s after an Error (`ERROR_RETRY_INTERVAL_MS`), otherwise the
 * interval (10 s when the metric has none, as in Argo). Ask only while `assessMetric` says the
 * metric is not completed.
 */
export function nextMeasurementDelay(metric: { intervalMs: number | null; initialDelayMs: number }, last: { phase: MeasurementPhase } | null): number {
  if (last === null) return metric.initialDelayMs;
  if (last.phase === MeasurementPhase.Error) return ERROR_RETRY_INTERVAL_MS;
  return metric.intervalMs ?? ERROR_RETRY_INTERVAL_MS;
}

/** One metric of a run, as `assessRun` reads it. */
export interface RunMetric {
  name: string;
  phase: AnalysisPhase;
  dryRun: boolean;
  /** From `assessMetricWithReason`; shown when this metric decides the run. */
  message?: string | null;
}

/** Argo's `RunSummary`: metrics (not measurements) by their phase; count is every metric. */
export interface RunSummary {
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
}

export interface RunAssessment {
  phase: AnalysisPhase;
  /** `Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)`, or null. */
  message: string | null;
  /** Metrics that decide, by phase. */
  runSummary: RunSummary;
  /** Dry-run metrics, by phase: shown, never deciding. */
  dryRunSummary: RunSummary;
}

/**
 * The run is terminating when it was told to (`terminate`) or a deciding (non-dry-run) metric
 * completed Failed, Error or Inconclusive: the other metrics stop measuring.
 */
export function isTerminating(metrics: readonly Pick<RunMetric, 'phase' | 'dryRun'>[], terminate = false): boolean {
  if (terminate) return true;
  return metrics.some((m) => !m.dryRun && (m.phase === AnalysisPhase.Failed || m.phase === AnalysisPhase.Error || m.phase === AnalysisPhase.Inconclusive));
}

/**
 * A run's phase: the worst phase of its completed deciding metrics (`worstPhase`), Running
 * while any metric is not completed. Dry-run metrics never decide; they only count in
 * `dryRunSummary` (and a run of only dry-run metrics is Successful once they complete). When
 * terminating, the worst so far (Successful if none) is final. Pass each metric's phase as
 * `assessMetric` gave it with the same `terminating` flag.
 */
export function assessRun(metrics: readonly RunMetric[], options: { terminate?: boolean } = {}): RunAssessment {
  const runSummary = emptySummary();
  const dryRunSummary = emptySummary();
  let worst: AnalysisPhase | null = null;
  let message: string | null = options.terminate ? 'run terminated' : null;
  let everythingCompleted = true;

  for (const metric of metrics) {
    const summary = metric.dryRun ? dryRunSummary : runSummary;
    summary.count += 1;
    if (!isCompleted(metric.phase)) {
      everythingCompleted = false;
      continue;
    }
    tally(summary, metric.phase);
    if (metric.dryRun) {
      worst ??= AnalysisPhase.Successful;
      continue;
    }
    if (worst === null || worstPhase(worst, metric.phase) !== worst) {
      worst = metric.phase;
      if (metric.message && metric.phase !== AnalysisPhase.Successful) message = `Metric "${metric.name}" assessed ${metric.phase} due to ${metric.message}`;
    }
  }

  if (isTerminating(metrics, options.terminate)) {
    return { phase: worst ?? AnalysisPhase.Successful, message, runSummary, dryRunSummary };
  }
  if (!everythingCompleted || worst === null) return { phase: AnalysisPhase.Running, message: null, runSummary, dryRunSummary };
  return { phase: worst, message, runSummary, dryRunSummary };
}

function emptySummary(): RunSummary {
  return { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
}

function tally(summary: RunSummary, phase: AnalysisPhase): void {
  if (phase === AnalysisPhase.Successful) summary.successful += 1;
  else if (phase === AnalysisPhase.Failed) summary.failed += 1;
  else if (phase === AnalysisPhase.Inconclusive) summary.inconclusive += 1;
  else if (phase === AnalysisPhase.Error) summary.error += 1;
}
