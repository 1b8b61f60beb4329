/**
 * One judgement of canary vs baseline: fetch both sides of every judged metric as range data
 * from Prometheus, run the Kayenta-style judge (src/domain/judge), and return a Measurement
 * whose value is the score — the raw series never enter workflow history.
 */
import { log } from '@temporalio/activity';
import type { Measurement } from '../src/domain/analysis/measurement.js';
import { judge, type JudgeConfig, type JudgeResult, type MetricSamples } from '../src/domain/judge/index.js';
import type { MetricProviders } from '../src/providers/metrics/registry.js';
import type { JudgeSpec } from '../src/schema/pipeline.js';
import { createMetricActivities } from './metrics.js';

export interface JudgeRequest {
  judge: JudgeSpec;
  args: Record<string, string>;
  /** Whether this is the last judgement: it must reach `pass`; earlier ones only `marginal`. */
  final: boolean;
}

/** A judgement: a Measurement (value = score) plus the judge's per-metric summary. */
export type Judgement = Measurement & { judgement: JudgeResult | null };

/** The judge's config from the pipeline's normalised judge spec. */
export function judgeConfig(spec: JudgeSpec): JudgeConfig {
  return {
    metrics: spec.metrics.map((m) => ({
      name: m.name,
      groups: m.groups,
      direction: m.direction,
      nanStrategy: m.nanStrategy,
      outliers: { strategy: m.outliers.strategy, factor: m.outliers.factor },
      critical: m.critical,
      mustHaveData: m.mustHaveData,
      effectSize: {
        measure: m.effectSize.measure,
        ...(m.effectSize.allowedIncrease !== null ? { allowedIncrease: m.effectSize.allowedIncrease } : {}),
        ...(m.effectSize.allowedDecrease !== null ? { allowedDecrease: m.effectSize.allowedDecrease } : {}),
        ...(m.effectSize.criticalIncrease !== null ? { criticalIncrease: m.effectSize.criticalIncrease } : {}),
        ...(m.effectSize.criticalDecrease !== null ? { criticalDecrease: m.effectSize.criticalDecrease } : {}),
      },
    })),
    groupWeights: spec.groupWeights,
    thresholds: spec.thresholds,
  };
}

export function createJudgeActivities({ providers }: { providers: MetricProviders }) {
  const series = createMetricActivities({ providers });
  return {
    async judgeCanary({ judge: spec, args, final }: JudgeRequest): Promise<Judgement> {
      const startedAt = new Date();
      const endMs = startedAt.getTime();
      const samples: Record<string, MetricSamples> = {};
      const queries: string[] = [];
      const errors: string[] = [];
      for (const metric of spec.metrics) {
        const sides = await Promise.all(
          (['baseline', 'canary'] as const).map((side) =>
            series.fetchSeries({
              address: metric[side].address,
              query: metric[side].query,
              args,
              headers: metric[side].headers,
              startMs: endMs - spec.lookbackMs,
              endMs,
              stepMs: spec.stepMs,
            }),
          ),
        );
        queries.push(...sides.map((s) => s.query));
        const failed = sides.find((s) => !s.ok);
        if (failed && !failed.ok) errors.push(`${metric.name}: ${failed.error}`);
        else if (sides[0]!.ok && sides[1]!.ok) samples[metric.name] = { baseline: sides[0]!.values, canary: sides[1]!.values };
      }
      const finishedAt = new Date().toISOString();
      const base = { startedAt: startedAt.toISOString(), finishedAt, query: queries.join('\n') };
      if (errors.length > 0) {
        log.warn(`judgement could not fetch its data: ${errors.join('; ')}`);
        return { ...base, phase: 'Error', value: null, error: errors.join('; '), message: `no judgement: ${errors.join('; ')}`, judgement: null };
      }
      const result = judge(judgeConfig(spec), samples);
      const { pass, marginal } = result.thresholds;
      // Kayenta: any judgement below marginal fails; the last one must reach pass.
      const phase = result.score < marginal ? 'Failed' : final && result.score < pass ? 'Inconclusive' : 'Successful';
      return {
        ...base,
        phase,
        value: result.score,
        error: null,
        message: `score ${result.score} (${result.classification}): ${result.reason}`,
        judgement: result,
      };
    },
  };
}
