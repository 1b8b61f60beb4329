/** Options in, resolved options out: every default of the judge's configuration applied once. */
import {
  DEFAULT_DIRECTION,
  DEFAULT_EFFECT_BOUND,
  DEFAULT_EFFECT_MEASURE,
  DEFAULT_NAN_STRATEGY,
  DEFAULT_OUTLIER_FACTOR,
  DEFAULT_OUTLIER_STRATEGY,
  DEFAULT_THRESHOLDS,
  type JudgeConfig,
  type JudgeMetricConfig,
  type ResolvedJudgeConfig,
  type ResolvedJudgeMetricConfig,
} from './types.js';

/**
 * A metric's configuration with Kayenta's defaults. The effect bounds default to the "no
 * effect" value of the chosen measure (1 for meanRatio, 0.5 for cles). Values are not
 * validated here: classifyMetric reports an invalid one as an Error result.
 */
export function resolveMetricConfig(metric: JudgeMetricConfig): ResolvedJudgeMetricConfig {
  const measure = metric.effectSize?.measure ?? DEFAULT_EFFECT_MEASURE;
  const bound = DEFAULT_EFFECT_BOUND[measure] ?? Number.NaN;
  const groups = metric.groups && metric.groups.length > 0 ? [...metric.groups] : [metric.name];
  return {
    name: metric.name,
    groups,
    direction: metric.direction ?? DEFAULT_DIRECTION,
    nanStrategy: metric.nanStrategy ?? DEFAULT_NAN_STRATEGY,
    outliers: {
      strategy: metric.outliers?.strategy ?? DEFAULT_OUTLIER_STRATEGY,
      factor: metric.outliers?.factor ?? DEFAULT_OUTLIER_FACTOR,
    },
    critical: metric.critical ?? false,
    mustHaveData: metric.mustHaveData ?? false,
    muted: metric.muted ?? false,
    effectSize: {
      measure,
      allowedIncrease: metric.effectSize?.allowedIncrease ?? bound,
      allowedDecrease: metric.effectSize?.allowedDecrease ?? bound,
      criticalIncrease: metric.effectSize?.criticalIncrease ?? bound,
      criticalDecrease: metric.effectSize?.criticalDecrease ?? bound,
    },
  };
}

export function resolveJudgeConfig(config: JudgeConfig): ResolvedJudgeConfig {
  return {
    metrics: config.metrics.map(resolveMetricConfig),
    groupWeights: { ...(config.groupWeights ?? {}) },
    thresholds: {
      pass: config.thresholds?.pass ?? DEFAULT_THRESHOLDS.pass,
      marginal: config.thresholds?.marginal ?? DEFAULT_THRESHOLDS.marginal,
    },
  };
}
