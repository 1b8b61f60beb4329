/**
 * The canary-vs-baseline judge (Kayenta's NetflixACAJudge): classify each configured metric,
 * then score the run. Pure and deterministic, so a workflow may call it; it never throws for
 * bad data or configuration: a metric that cannot be judged is an Error result with the reason.
 */
import { classifyMetric, errorResult } from './classify.js';
import { resolveJudgeConfig } from './config.js';
import { scoreRun } from './score.js';
import type { JudgeConfig, JudgeResult, MetricResult, MetricSamples } from './types.js';

/**
 * Judge a canary against its baseline.
 *
 * @param config the metrics (each judged by its name), group weights and score thresholds.
 * @param samples metric name → the baseline's and the canary's samples over the interval. A
 *   configured metric without samples has no data; samples of unconfigured metrics are ignored.
 */
export function judge(config: JudgeConfig, samples: Readonly<Record<string, MetricSamples | undefined>>): JudgeResult {
  const resolved = resolveJudgeConfig(config);
  // Samples arrive from activities as JSON: guard against a missing object, not only missing entries.
  const source: Readonly<Record<string, MetricSamples | undefined>> = typeof samples === 'object' && samples !== null ? samples : {};
  const seen = new Set<string>();
  const metrics: MetricResult[] = resolved.metrics.map((metric) => {
    if (seen.has(metric.name)) return errorResult(metric, `metric ${metric.name} is configured more than once`);
    seen.add(metric.name);
    const own = Object.prototype.hasOwnProperty.call(source, metric.name) ? source[metric.name] : undefined;
    try {
      return classifyMetric(metric, own);
    } catch (err) {
      // Kayenta's rule: a metric whose classification fails is an Error, never the run's failure.
      return errorResult(metric, `metric classification failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const run = scoreRun(metrics, resolved.groupWeights, resolved.thresholds);
  return { ...run, metrics, thresholds: resolved.thresholds };
}
