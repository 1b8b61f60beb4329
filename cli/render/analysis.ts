/**
 * A stage's analysis runs for people: each metric's latest measured value against its
 * condition (`error-ratio 0.297 > 0.05 (failed)`), and why a measurement was inconclusive or
 * errored (`empty result: the query returned no series`). Pure; the `--json` has every field.
 */
import type { MeasuredValue, Measurement } from '../../src/domain/analysis/measurement.js';
import { formatValue } from '../../src/domain/analysis/evaluate.js';
import type { AnalysisPhase } from '../../src/domain/analysis/phases.js';
import type { AnalysisResult, MetricRecord } from '../../workflows/analysis.js';
import { Marker, paint } from './format.js';

/** An analysis or metric phase's marker. */
export function analysisMarker(phase: AnalysisPhase): Marker {
  switch (phase) {
    case 'Successful':
      return Marker.succeeded;
    case 'Running':
      return Marker.running;
    case 'Pending':
      return Marker.pending;
    case 'Inconclusive':
      return Marker.paused;
    case 'Error':
    case 'Failed':
      return Marker.failed;
    default: {
      const unknown: never = phase;
      return unknown;
    }
  }
}

/** One run: `✖ step 2: analysis error-rate  Failed`, then a line per metric (indented by two). */
export function analysisLines(run: AnalysisResult, color: boolean): string[] {
  const m = analysisMarker(run.phase);
  return [`${paint(m, m, color)} ${run.label}  ${paint(m, run.phase, color)}`, ...run.metrics.map((metric) => `  ${metricLine(metric, color)}`)];
}

/** `✖ error-ratio  0.297 > 0.05 (failed); failed (1) > failureLimit (0)`: the latest value, then the limit that decided. */
export function metricLine(metric: MetricRecord, color: boolean): string {
  const m = analysisMarker(metric.phase);
  const latest = metric.measurements.at(-1);
  const measured = latest ? describeMeasurement(latest) : 'not measured yet';
  const verdict = metric.phase === 'Running' || metric.phase === 'Pending' || !metric.message ? '' : `; ${metric.message}`;
  return `${paint(m, m, color)} ${metric.name}${metric.dryRun ? ' (dry run)' : ''}  ${measured}${verdict}`;
}

/**
 * The latest measurement: the value against the condition that decided it, or why there is no
 * value to judge. Reads the sentence `evaluateMeasurement` wrote (its tests pin that form).
 */
export function describeMeasurement(measurement: Measurement): string {
  const phase = measurement.phase.toLowerCase();
  if (measurement.phase === 'Error') {
    const error = measurement.error ?? measurement.message ?? 'no reason given';
    const condition = /^((?:success|failure)Condition `.+`) could not be evaluated/s.exec(error)?.[1];
    if (emptyResult(measurement.value) && condition)
      return `error: empty result: the query returned no series, so ${condition} could not be evaluated (guard it with \`size(result) == 0 || ...\` if that is acceptable)`;
    return `error: ${error}`;
  }
  if (emptyResult(measurement.value)) return `empty result: the query returned no series (${phase})`;
  const text = measurement.message;
  if (text === null) return `${formatMeasured(measurement.value)} (${phase})`;

  const neither = /^neither successCondition `(.+)` nor failureCondition `(.+)` holds for result = (.*)$/s.exec(text);
  if (neither) {
    const [success, failure] = [comparison(neither[1]!), comparison(neither[2]!)];
    if (success && failure && scalar(measurement.value) !== null) return `${show(measurement.value)}: neither ${success} nor ${failure} (${phase})`;
    return `result = ${formatMeasured(measurement.value)}: neither \`${neither[1]}\` nor \`${neither[2]}\` holds (${phase})`;
  }
  const one = /^(success|failure)Condition `(.+)` (holds|does not hold) for result = (.*)$/s.exec(text);
  if (one) {
    const [, , expression, holds] = one;
    const simple = comparison(expression!);
    if (simple && scalar(measurement.value) !== null) return `${show(measurement.value)}${holds === 'holds' ? ' ' : ', not '}${simple} (${phase})`;
    return `result = ${formatMeasured(measurement.value)}: \`${expression}\` ${holds} (${phase})`;
  }
  return `${text} (${phase})`;
}

const emptyResult = (value: Measurement['value']) => Array.isArray(value) && value.length === 0;

/** The one number of a scalar or a one-series vector. */
function scalar(value: Measurement['value']): number | null {
  if (typeof value === 'number') return value;
  return Array.isArray(value) && value.length === 1 ? value[0]! : null;
}

const show = (value: Measurement['value']) => formatMeasured(scalar(value));

/**
 * A value as people read it, to three significant digits (`0.297`, `[0.297, 0.01]`, `1234.568`,
 * `+Inf`, `none`); `--json` has the exact numbers.
 */
export function formatMeasured(value: MeasuredValue | null): string {
  return formatValue(value, 3);
}

/**
 * `result[0] > 0.05` (or `result > 0.05`, or guarded by `size(result) > 0 &&`) as `> 0.05`;
 * null for anything else, which is then quoted whole.
 */
function comparison(expression: string): string | null {
  const unguarded = expression.replace(/^\s*size\(result\)\s*(?:>\s*0|!=\s*0|>=\s*1)\s*&&\s*/, '').replace(/^\s*size\(result\)\s*==\s*0\s*\|\|\s*/, '');
  const match = /^\s*result(?:\[0\])?\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/.exec(unguarded);
  return match ? `${match[1]} ${match[2]}` : null;
}

/** How many analysis runs to show in full: all in `ramp status`, the latest on a watch screen. */
export function shownRuns(analyses: readonly AnalysisResult[] | undefined, latestOnly: boolean): AnalysisResult[] {
  const runs = analyses ?? [];
  return latestOnly ? runs.slice(-1) : [...runs];
}

/** Why the stage's latest inconclusive run was: `error-ratio: empty result: the query returned no series`. */
export function inconclusiveWhy(analyses: readonly AnalysisResult[] | undefined): string | null {
  const run = [...(analyses ?? [])].reverse().find((r) => r.phase === 'Inconclusive');
  const metrics = run?.metrics.filter((m) => m.phase === 'Inconclusive') ?? [];
  const why = metrics.map(
    (m) => `${m.name}: ${m.measurements.length > 0 ? describeMeasurement(m.measurements.at(-1)!).replace(/ \(inconclusive\)$/, '') : 'not measured'}`,
  );
  return why.length > 0 ? why.join('; ') : null;
}
