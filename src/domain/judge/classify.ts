/**
 * One metric's verdict, Kayenta's MannWhitneyClassifier rule by rule:
 *
 * 1. Missing data (a side empty after the transforms): with nanStrategy `remove`, NodataFailMetric
 *    if the metric `mustHaveData` and is not critical, else Nodata (critical if the metric is);
 *    with `replace`, Pass.
 * 2. The same values on both sides (in any order): Pass. One distinct value across both: Pass.
 * 3. Each side a single distinct value: spread them deterministically (transform.ts).
 * 4. Mann-Whitney test of canary against baseline (98 %): the interval of the shift, its estimate.
 *    The tolerance band is ±0.25·|estimate|.
 *    High: direction increase|either, lower bound > +band, effect ≥ allowedIncrease (or not computable).
 *    Low:  direction decrease|either, upper bound < −band, effect ≤ allowedDecrease (or not computable).
 *    Else Pass.
 * 5. Critical: a critical metric's High with effect ≥ criticalIncrease (or not computable), Low
 *    with effect ≤ criticalDecrease (or not computable), Nodata or Error.
 *
 * Never throws for bad data or configuration: that is an Error result with the reason.
 */
import { cles, meanRatio } from './effect-size.js';
import { mannWhitneyUTest } from './mann-whitney.js';
import { describe } from './statistics.js';
import { preprocess, spreadSingleValue } from './transform.js';
import {
  CONFIDENCE_LEVEL,
  Direction,
  EffectMeasure,
  MetricClassification,
  NanStrategy,
  OutlierStrategy,
  TOLERANCE,
  type MetricResult,
  type MetricSamples,
  type ResolvedJudgeMetricConfig,
  type SideStats,
} from './types.js';

const EMPTY_STATS: SideStats = { count: 0, min: null, max: null, mean: null, std: null };
const NOTHING_DONE = { nans: 0, outliers: 0 };

/** A number for a reason: 4 significant digits, no trailing zeros. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** Why `config` cannot be used, or null. The schema validates configs; this keeps the judge total. */
function configProblem(config: ResolvedJudgeMetricConfig): string | null {
  const oneOf = (value: unknown, allowed: Record<string, string>): boolean => Object.values(allowed).includes(value as string);
  if (!oneOf(config.direction, Direction)) return `unknown direction ${JSON.stringify(config.direction)}`;
  if (!oneOf(config.nanStrategy, NanStrategy)) return `unknown nanStrategy ${JSON.stringify(config.nanStrategy)}`;
  if (!oneOf(config.outliers.strategy, OutlierStrategy)) return `unknown outliers.strategy ${JSON.stringify(config.outliers.strategy)}`;
  if (!(Number.isFinite(config.outliers.factor) && config.outliers.factor > 0))
    return `outliers.factor must be a number > 0, not ${String(config.outliers.factor)}`;
  if (!oneOf(config.effectSize.measure, EffectMeasure)) return `unknown effectSize.measure ${JSON.stringify(config.effectSize.measure)}`;
  return null;
}

/** Why `values` is not a list of numbers and nulls, or null. */
function dataProblem(side: string, values: unknown): string | null {
  if (!Array.isArray(values)) return `the ${side} samples are not a list`;
  for (const v of values) {
    if (v === null) continue;
    if (typeof v !== 'number') return `the ${side} samples hold ${JSON.stringify(v)}, not a number`;
    if (v === Infinity || v === -Infinity) return `the ${side} samples hold an infinite value`;
  }
  return null;
}

/** An Error result for a metric that could not be judged at all. */
export function errorResult(config: ResolvedJudgeMetricConfig, reason: string): MetricResult {
  return {
    name: config.name,
    groups: config.groups,
    classification: MetricClassification.Error,
    reason,
    critical: config.critical === true,
    muted: config.muted === true,
    baseline: EMPTY_STATS,
    canary: EMPTY_STATS,
    preprocessing: { baseline: NOTHING_DONE, canary: NOTHING_DONE },
    test: null,
    tolerance: null,
    effectSize: null,
    meanRatio: null,
  };
}

const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const sa = [...a].sort((p, q) => p - q);
  const sb = [...b].sort((p, q) => p - q);
  return sa.every((v, i) => v === sb[i]);
}

const distinct = (values: readonly number[]): number => new Set(values).size;

/** Judge one metric's canary against its baseline. */
export function classifyMetric(config: ResolvedJudgeMetricConfig, samples: MetricSamples | undefined): MetricResult {
  const problem = configProblem(config) ?? dataProblem('baseline', samples?.baseline ?? []) ?? dataProblem('canary', samples?.canary ?? []);
  if (problem !== null) return errorResult(config, problem);

  const options = {
    nanStrategy: config.nanStrategy,
    removeOutliers: config.outliers.strategy === OutlierStrategy.Remove,
    outlierFactor: config.outliers.factor,
  };
  const baseline = preprocess(samples?.baseline ?? [], options);
  const canary = preprocess(samples?.canary ?? [], options);
  const result: MetricResult = {
    name: config.name,
    groups: config.groups,
    classification: MetricClassification.Pass,
    reason: '',
    critical: false,
    muted: config.muted,
    baseline: describe(baseline.values),
    canary: describe(canary.values),
    preprocessing: {
      baseline: { nans: baseline.nans, outliers: baseline.outliers },
      canary: { nans: canary.nans, outliers: canary.outliers },
    },
    test: null,
    tolerance: null,
    effectSize: null,
    meanRatio: null,
  };

  // 1. Missing data.
  if (baseline.values.length === 0 || canary.values.length === 0) {
    const side = baseline.values.length > 0 ? 'the canary' : canary.values.length > 0 ? 'the baseline' : 'either side';
    if (config.nanStrategy === NanStrategy.Replace) {
      return { ...result, reason: `no data for ${side}; with nanStrategy replace that passes` };
    }
    if (config.mustHaveData && !config.critical) {
      return { ...result, classification: MetricClassification.NodataFailMetric, reason: `no data for ${side}, and the metric must have data` };
    }
    return {
      ...result,
      classification: MetricClassification.Nodata,
      critical: config.critical,
      reason: `no data for ${side}${config.critical ? ' (a critical metric: the run fails)' : ''}`,
    };
  }

  result.meanRatio = orNull(meanRatio(canary.values, baseline.values));

  // 2. Nothing to compare.
  if (sameValues(canary.values, baseline.values)) return { ...result, reason: 'the canary and baseline data are identical' };
  if (distinct([...canary.values, ...baseline.values]) === 1) return { ...result, reason: `every value is ${formatNumber(canary.values[0]!)}` };

  // 3. Each side one distinct value: spread them so the ranks differ.
  const spread = distinct(canary.values) === 1 && distinct(baseline.values) === 1;
  const x = spread ? spreadSingleValue(canary.values) : canary.values;
  const y = spread ? spreadSingleValue(baseline.values) : baseline.values;

  // 4. The test.
  const outcome = mannWhitneyUTest(x, y, CONFIDENCE_LEVEL);
  if (!outcome.ok) return { ...result, classification: MetricClassification.Error, critical: config.critical, reason: outcome.reason };
  const test = outcome.result;
  const { measure } = config.effectSize;
  const ratio = meanRatio(x, y);
  const effect = measure === EffectMeasure.Cles ? cles(test.u, x.length, y.length) : ratio;
  result.meanRatio = orNull(ratio);
  const tolerance = TOLERANCE * Math.abs(test.estimate);
  Object.assign(result, { test, tolerance, effectSize: { measure, value: orNull(effect) } });

  const [lower, upper] = test.confidenceInterval;
  const interval = `the ${formatNumber(test.confidenceLevel * 100)} % interval of the shift [${formatNumber(lower)}, ${formatNumber(upper)}]`;
  const effectText = Number.isNaN(effect) ? `its ${measure} is not computable` : `its ${measure} is ${formatNumber(effect)}`;
  const above = lower > tolerance;
  const below = upper < -tolerance;
  const { allowedIncrease, allowedDecrease, criticalIncrease, criticalDecrease } = config.effectSize;

  if (above) {
    const judged = config.direction !== Direction.Decrease;
    const bigEnough = Number.isNaN(effect) || effect >= allowedIncrease;
    if (judged && bigEnough) {
      const critical = config.critical && (Number.isNaN(effect) || effect >= criticalIncrease);
      const criticality = !config.critical ? '' : critical ? ' (critical: the run fails)' : `, below the critical increase ${formatNumber(criticalIncrease)}`;
      return {
        ...result,
        classification: MetricClassification.High,
        critical,
        reason: `the canary is higher: ${interval} lies above +${formatNumber(tolerance)} and ${effectText}${criticality}`,
      };
    }
    const why = !judged ? 'only a decrease counts (direction decrease)' : `${effectText}, below the allowed increase ${formatNumber(allowedIncrease)}`;
    return { ...result, reason: `the canary is higher (${interval}), but ${why}` };
  }
  if (below) {
    const judged = config.direction !== Direction.Increase;
    const bigEnough = Number.isNaN(effect) || effect <= allowedDecrease;
    if (judged && bigEnough) {
      const critical = config.critical && (Number.isNaN(effect) || effect <= criticalDecrease);
      const criticality = !config.critical ? '' : critical ? ' (critical: the run fails)' : `, above the critical decrease ${formatNumber(criticalDecrease)}`;
      return {
        ...result,
        classification: MetricClassification.Low,
        critical,
        reason: `the canary is lower: ${interval} lies below −${formatNumber(tolerance)} and ${effectText}${criticality}`,
      };
    }
    const why = !judged ? 'only an increase counts (direction increase)' : `${effectText}, above the allowed decrease ${formatNumber(allowedDecrease)}`;
    return { ...result, reason: `the canary is lower (${interval}), but ${why}` };
  }
  return { ...result, reason: `no shift beyond ±${formatNumber(tolerance)}: ${interval}` };
}
