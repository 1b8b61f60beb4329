/**
 * The vocabulary of the canary-vs-baseline judge (Kayenta's NetflixACAJudge): const-object enums
 * with same-named union types, the judge's configuration with its defaults, and its results.
 *
 * Results are plain JSON: a value that cannot be computed (a mean ratio over a zero mean, the
 * statistics of an empty side) is `null`, never NaN, so results survive a Temporal payload.
 */

/** A metric's verdict (Kayenta's labels). */
export const MetricClassification = {
  /** No significant shift beyond the tolerance band, or nothing to compare (identical data). */
  Pass: 'Pass',
  /** The canary is significantly higher than the baseline. */
  High: 'High',
  /** The canary is significantly lower than the baseline. */
  Low: 'Low',
  /** A side had no data; left out of its group's score (critical metrics still fail the run). */
  Nodata: 'Nodata',
  /** A side had no data and the metric `mustHaveData`: counts as a failure in its group. */
  NodataFailMetric: 'NodataFailMetric',
  /** The metric could not be judged (bad data, all observations tied, ...); see the reason. */
  Error: 'Error',
} as const;
export type MetricClassification = (typeof MetricClassification)[keyof typeof MetricClassification];

/** Which shift of the canary counts against it. */
export const Direction = {
  /** Only an increase (High) fails, e.g. latency, errors. */
  Increase: 'increase',
  /** Only a decrease (Low) fails, e.g. throughput, success rate. */
  Decrease: 'decrease',
  /** Both do. */
  Either: 'either',
} as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/** What to do with NaN (or JSON `null`) samples. */
export const NanStrategy = {
  /** Drop them; a side left empty is missing data. */
  Remove: 'remove',
  /** Count them as 0. */
  Replace: 'replace',
} as const;
export type NanStrategy = (typeof NanStrategy)[keyof typeof NanStrategy];

/** Whether to drop outliers (per side) before comparing. */
export const OutlierStrategy = {
  /** Drop values outside the IQR fences (see transform.ts). */
  Remove: 'remove',
  /** Keep every value. */
  None: 'none',
} as const;
export type OutlierStrategy = (typeof OutlierStrategy)[keyof typeof OutlierStrategy];

/** How the size of a significant shift is measured before it may fail the metric. */
export const EffectMeasure = {
  /** mean(canary) / mean(baseline); not computable (null) when either mean is 0. */
  MeanRatio: 'meanRatio',
  /** Common-language effect size: the share of (canary, baseline) pairs where the canary is higher (ties count half). */
  Cles: 'cles',
} as const;
export type EffectMeasure = (typeof EffectMeasure)[keyof typeof EffectMeasure];

/** The run's verdict from its score. */
export const JudgeClassification = {
  /** score ≥ thresholds.pass */
  Pass: 'Pass',
  /** thresholds.marginal ≤ score < thresholds.pass: a human decides. */
  Marginal: 'Marginal',
  /** score < thresholds.marginal, or an override forced the score to 0. */
  Fail: 'Fail',
} as const;
export type JudgeClassification = (typeof JudgeClassification)[keyof typeof JudgeClassification];

/** Why a run's score was forced to 0. */
export const OverrideReason = {
  /** A critical metric was not Pass (High/Low beyond its critical bound, Nodata or Error). */
  CriticalMetric: 'CriticalMetric',
  /** At least NODATA_FAIL_PERCENT % of the (unmuted) metrics were Nodata. */
  TooManyNodata: 'TooManyNodata',
  /** There was no unmuted metric to judge: missing data never promotes. */
  NoMetrics: 'NoMetrics',
} as const;
export type OverrideReason = (typeof OverrideReason)[keyof typeof OverrideReason];

// --- constants of the method (Kayenta hard-codes these too)

/** Confidence level of the Mann-Whitney interval for the shift canary − baseline. */
export const CONFIDENCE_LEVEL = 0.98;
/** Half-width of the tolerance band around 0, as a fraction of |Hodges-Lehmann estimate|. */
export const TOLERANCE = 0.25;
/** A run with at least this percentage of Nodata metrics scores 0. */
export const NODATA_FAIL_PERCENT = 50;
/** Scale of the deterministic noise added when each side holds a single distinct value: value × this. */
export const DEGENERATE_NOISE_SCALE = 1e-5;

// --- defaults (Kayenta's)

/** @default 'either' */
export const DEFAULT_DIRECTION: Direction = Direction.Either;
/** @default 'remove' */
export const DEFAULT_NAN_STRATEGY: NanStrategy = NanStrategy.Remove;
/** @default 'none' */
export const DEFAULT_OUTLIER_STRATEGY: OutlierStrategy = OutlierStrategy.None;
/** @default 3 */
export const DEFAULT_OUTLIER_FACTOR = 3;
/** @default 'meanRatio' */
export const DEFAULT_EFFECT_MEASURE: EffectMeasure = EffectMeasure.MeanRatio;
/**
 * Default for allowedIncrease, allowedDecrease, criticalIncrease and criticalDecrease: the
 * value of "no effect" for the measure, so any significant shift counts.
 * @default { meanRatio: 1, cles: 0.5 }
 */
export const DEFAULT_EFFECT_BOUND: Readonly<Record<EffectMeasure, number>> = { meanRatio: 1, cles: 0.5 };
/** @default { pass: 95, marginal: 75 } */
export const DEFAULT_THRESHOLDS: Readonly<ResolvedThresholds> = { pass: 95, marginal: 75 };

// --- configuration (what callers write)

export interface OutlierConfig {
  /** @default 'none' */
  strategy?: OutlierStrategy;
  /** Multiple of the IQR beyond the quartiles; must be > 0. @default 3 */
  factor?: number;
}

export interface EffectSizeConfig {
  /** @default 'meanRatio' */
  measure?: EffectMeasure;
  /** A significant increase is High only if the effect is ≥ this (or not computable). @default 1 (0.5 for cles) */
  allowedIncrease?: number;
  /** A significant decrease is Low only if the effect is ≤ this (or not computable). @default 1 (0.5 for cles) */
  allowedDecrease?: number;
  /** A critical metric's High is critical only if the effect is ≥ this (or not computable). @default 1 (0.5 for cles) */
  criticalIncrease?: number;
  /** A critical metric's Low is critical only if the effect is ≤ this (or not computable). @default 1 (0.5 for cles) */
  criticalDecrease?: number;
}

export interface JudgeMetricConfig {
  /** Unique among the metrics; the key of its samples. */
  name: string;
  /** Groups the metric is scored in. @default [] — scored in a group of its own, named after the metric */
  groups?: readonly string[];
  /** @default 'either' */
  direction?: Direction;
  /** @default 'remove' */
  nanStrategy?: NanStrategy;
  outliers?: OutlierConfig;
  /** A failure of this metric (beyond its critical bounds), or no data, fails the run. @default false */
  critical?: boolean;
  /** No data for this metric counts as a failure in its groups (NodataFailMetric). @default false */
  mustHaveData?: boolean;
  /** Judged and reported, but left out of the score and the overrides. @default false */
  muted?: boolean;
  effectSize?: EffectSizeConfig;
}

export interface JudgeThresholds {
  /** @default 95 */
  pass?: number;
  /** @default 75 */
  marginal?: number;
}

export interface JudgeConfig {
  metrics: readonly JudgeMetricConfig[];
  /**
   * Group → weight (percent of the score). Groups without a weight share what is left of 100
   * equally (none if the weights already reach 100). @default {}
   */
  groupWeights?: Readonly<Record<string, number>>;
  thresholds?: JudgeThresholds;
}

// --- configuration with every default resolved (config.ts)

export interface ResolvedThresholds {
  pass: number;
  marginal: number;
}

export interface ResolvedEffectSize {
  measure: EffectMeasure;
  allowedIncrease: number;
  allowedDecrease: number;
  criticalIncrease: number;
  criticalDecrease: number;
}

export interface ResolvedJudgeMetricConfig {
  name: string;
  /** Never empty: `[name]` when none were configured. */
  groups: readonly string[];
  direction: Direction;
  nanStrategy: NanStrategy;
  outliers: { strategy: OutlierStrategy; factor: number };
  critical: boolean;
  mustHaveData: boolean;
  muted: boolean;
  effectSize: ResolvedEffectSize;
}

export interface ResolvedJudgeConfig {
  metrics: readonly ResolvedJudgeMetricConfig[];
  groupWeights: Readonly<Record<string, number>>;
  thresholds: ResolvedThresholds;
}

// --- input

/**
 * One metric's samples. `null` is a missing value (NaN does not survive JSON, so a NaN sent
 * through Temporal arrives as null) and is handled by the metric's NaN strategy.
 */
export interface MetricSamples {
  baseline: readonly (number | null)[];
  canary: readonly (number | null)[];
}

// --- results

/** Descriptive statistics of one side after the NaN and outlier transforms; null when empty. */
export interface SideStats {
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  std: number | null;
}

/** What the transforms did to one side. */
export interface SidePreprocessing {
  /** NaN/null values removed or replaced by 0 (per the NaN strategy). */
  nans: number;
  /** Values dropped as outliers. */
  outliers: number;
}

/** The two-sided Mann-Whitney U test of canary (x) against baseline (y); see mann-whitney.ts. */
export interface MannWhitneyResult {
  /** U of the canary: its rank sum minus n(n+1)/2 (ties at average ranks). */
  u: number;
  /** Two-sided, normal approximation with tie and continuity corrections. */
  pValue: number;
  /** Hodges-Lehmann estimate of the shift canary − baseline. */
  estimate: number;
  /** [lower, upper] confidence interval for the shift at `confidenceLevel`. */
  confidenceInterval: readonly [number, number];
  confidenceLevel: number;
}

export interface EffectSize {
  measure: EffectMeasure;
  /** null when not computable (a zero mean): then the effect bounds are ignored, as in Kayenta. */
  value: number | null;
}

export interface MetricResult {
  name: string;
  /** The groups it was scored in. */
  groups: readonly string[];
  classification: MetricClassification;
  /** Why, in words. */
  reason: string;
  /** Whether this result fails the run (critical metric, classification beyond its critical bound, Nodata or Error). */
  critical: boolean;
  muted: boolean;
  baseline: SideStats;
  canary: SideStats;
  preprocessing: { baseline: SidePreprocessing; canary: SidePreprocessing };
  /** null when the test was not run (missing, identical or single-valued data, or an error before it). */
  test: MannWhitneyResult | null;
  /** ± this band around 0 (TOLERANCE × |estimate|); null without a test. */
  tolerance: number | null;
  effectSize: EffectSize | null;
  /** mean(canary) / mean(baseline) (Kayenta's report `ratio`), whatever the effect measure; null if not computable. */
  meanRatio: number | null;
}

export interface GroupScore {
  name: string;
  /** 100 × Pass / (Pass + High + Low + NodataFailMetric); 0 when that is empty (noData). */
  score: number;
  /** No metric of the group was Pass, High, Low or NodataFailMetric: counts as 100 in the summary. */
  noData: boolean;
  /** The weight (percent) the group got in the summary. */
  weight: number;
  counts: Readonly<Record<MetricClassification, number>>;
}

export interface JudgeOverride {
  reason: OverrideReason;
  message: string;
  /** The metric, for CriticalMetric. */
  metric?: string;
}

export interface JudgeResult {
  /** 0–100, rounded to 2 decimals; 0 if any override applies. */
  score: number;
  classification: JudgeClassification;
  /** Why, in words: the first override, or the score against the thresholds. */
  reason: string;
  overrides: readonly JudgeOverride[];
  groupScores: readonly GroupScore[];
  metrics: readonly MetricResult[];
  thresholds: ResolvedThresholds;
}
