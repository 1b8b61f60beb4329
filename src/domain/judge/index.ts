/** The canary-vs-baseline judge (Kayenta's NetflixACAJudge) as pure functions. See docs/judge.md. */
export * from './types.js';
export { resolveJudgeConfig, resolveMetricConfig } from './config.js';
export { judge } from './judge.js';
export { classifyMetric } from './classify.js';
export { classifyScore, groupScores, overrides, round2, scoreRun, summaryScore, weighGroups, type RunScore } from './score.js';
export { ALL_TIED_REASON, ROOT_TOLERANCE, mannWhitneyUTest, type MannWhitneyOutcome } from './mann-whitney.js';
export { cles, meanRatio } from './effect-size.js';
export { applyNanStrategy, outlierFences, preprocess, removeOutliers, spreadSingleValue, type Fences } from './transform.js';
export { describe, percentile } from './statistics.js';
export { normalCdf, normalQuantile } from './normal.js';
export { brentRoot, RootNotFoundError, type BrentOptions } from './brent.js';
