/**
 * The run's score from its metrics' verdicts (Kayenta's WeightedSumScorer and
 * ThresholdScoreClassifier). Muted metrics are left out first.
 *
 * - Group score: 100 × Pass / (Pass + High + Low + NodataFailMetric); Nodata and Error do not
 *   count. A group where that total is 0 is "noData" and counts as 100.
 * - Summary: Σ group score × weight / 100, rounded to 2 decimals. A group without a configured
 *   weight gets (100 − Σ configured weights) / (number of such groups), never below 0.
 * - Overrides (score 0): a critical result that is not Pass; ≥ 50 % of the metrics Nodata; no
 *   metric at all.
 * - Classification: score ≥ pass → Pass, ≥ marginal → Marginal, else Fail (both inclusive).
 */
import {
  JudgeClassification,
  MetricClassification,
  NODATA_FAIL_PERCENT,
  OverrideReason,
  type GroupScore,
  type JudgeOverride,
  type MetricResult,
  type ResolvedThresholds,
} from './types.js';

const zeroCounts = (): Record<MetricClassification, number> => ({ Pass: 0, High: 0, Low: 0, Nodata: 0, NodataFailMetric: 0, Error: 0 });

/**
 * Round half away from zero to 2 decimals on the number's shortest decimal form, as Kayenta's
 * `Precision.round(x, 2)` does (so 1.005 → 1.01, where Math.round(x·100)/100 gives 1).
 */
export function round2(x: number): number {
  if (!Number.isFinite(x)) return x;
  const text = String(Math.abs(x));
  if (text.includes('e')) return Math.sign(x) * (Math.round(Math.abs(x) * 100) / 100);
  return Math.sign(x) * Number(`${Math.round(Number(`${text}e2`))}e-2`) || 0;
}

/** Group scores in the order the groups first appear, weights not yet applied (weight 0). */
export function groupScores(results: readonly MetricResult[]): GroupScore[] {
  const counts = new Map<string, Record<MetricClassification, number>>();
  for (const result of results) {
    if (result.muted) continue;
    for (const group of new Set(result.groups)) {
      const c = counts.get(group) ?? zeroCounts();
      c[result.classification]++;
      counts.set(group, c);
    }
  }
  return [...counts].map(([name, c]) => {
    const total = c.Pass + c.High + c.Low + c.NodataFailMetric;
    return { name, score: total === 0 ? 0 : (100 * c.Pass) / total, noData: total === 0, weight: 0, counts: c };
  });
}

/** The groups with their weights: configured, or an equal share of what the configured ones leave of 100. */
export function weighGroups(groups: readonly GroupScore[], groupWeights: Readonly<Record<string, number>>): GroupScore[] {
  const configured = Object.values(groupWeights).reduce((sum, w) => sum + w, 0);
  const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(groupWeights, name);
  const unweighted = groups.filter((g) => !has(g.name)).length;
  const share = unweighted > 0 ? Math.max(0, (100 - configured) / unweighted) : 0;
  return groups.map((g) => ({ ...g, weight: has(g.name) ? groupWeights[g.name]! : share }));
}

/** Σ effective score × weight / 100 (noData groups count 100), rounded to 2 decimals. */
export function summaryScore(groups: readonly GroupScore[]): number {
  return round2(groups.reduce((sum, g) => sum + ((g.noData ? 100 : g.score) * g.weight) / 100, 0));
}

/** The reasons to force the score to 0, in Kayenta's order (critical failures first). */
export function overrides(results: readonly MetricResult[]): JudgeOverride[] {
  const scored = results.filter((r) => !r.muted);
  if (scored.length === 0) return [{ reason: OverrideReason.NoMetrics, message: 'no metric to judge' }];
  const found: JudgeOverride[] = scored
    .filter((r) => r.critical && r.classification !== MetricClassification.Pass)
    .map((r) => ({ reason: OverrideReason.CriticalMetric, metric: r.name, message: `critical metric ${r.name} is ${r.classification}: ${r.reason}` }));
  const nodata = scored.filter((r) => r.classification === MetricClassification.Nodata).length;
  if ((100 * nodata) / scored.length >= NODATA_FAIL_PERCENT) {
    found.push({
      reason: OverrideReason.TooManyNodata,
      message: `${nodata} of ${scored.length} metrics had no data (${NODATA_FAIL_PERCENT} % or more fails the run)`,
    });
  }
  return found;
}

export function classifyScore(score: number, thresholds: ResolvedThresholds): JudgeClassification {
  if (score >= thresholds.pass) return JudgeClassification.Pass;
  if (score >= thresholds.marginal) return JudgeClassification.Marginal;
  return JudgeClassification.Fail;
}

export interface RunScore {
  score: number;
  classification: JudgeClassification;
  reason: string;
  overrides: JudgeOverride[];
  groupScores: GroupScore[];
}

/** Score a run's metric results. */
export function scoreRun(results: readonly MetricResult[], groupWeights: Readonly<Record<string, number>>, thresholds: ResolvedThresholds): RunScore {
  const groups = weighGroups(groupScores(results), groupWeights);
  const forced = overrides(results);
  const score = forced.length > 0 ? 0 : summaryScore(groups);
  const classification = classifyScore(score, thresholds);
  const reason =
    forced[0]?.message ??
    (classification === JudgeClassification.Pass
      ? `score ${score} ≥ pass ${thresholds.pass}`
      : classification === JudgeClassification.Marginal
        ? `score ${score} < pass ${thresholds.pass} but ≥ marginal ${thresholds.marginal}`
        : `score ${score} < marginal ${thresholds.marginal}`);
  return { score, classification, reason, overrides: forced, groupScores: groups };
}
