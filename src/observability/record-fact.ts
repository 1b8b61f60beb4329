/**
 * The worker's side of the `ramp` sink (workflows/observe.ts): one fact a workflow reported
 * becomes the catalog's metrics in this process's registry (docs/metrics.md). Durations arrive
 * in milliseconds and are observed in seconds. Label values are capped in length: they come from
 * pipeline specs and analysis results, and a metric's label must stay a short bounded string.
 */
import type { DeliveryFact } from './facts.js';
import { rampMetric } from './registry.js';

/** The longest label value kept; longer ones are cut (with no marker: Prometheus shows them as is). */
export const MAX_LABEL_LENGTH = 100;

/** `value` as a label: a string of at most MAX_LABEL_LENGTH characters. */
export function labelValue(value: string): string {
  return value.length > MAX_LABEL_LENGTH ? value.slice(0, MAX_LABEL_LENGTH) : value;
}

function seconds(ms: number): number {
  return ms / 1000;
}

/** Records `fact` in the registry's metrics. Never throws: a fact is best effort. */
export function recordFact(fact: DeliveryFact): void {
  const pipeline = labelValue(fact.pipeline);
  switch (fact.kind) {
    case 'promotion-started':
      rampMetric('ramp_promotions_started_total').inc({ pipeline, kind: fact.promotionKind });
      return;
    case 'promotion-finished': {
      const labels = { pipeline, kind: fact.promotionKind, outcome: labelValue(fact.outcome) };
      rampMetric('ramp_promotions_finished_total').inc(labels);
      rampMetric('ramp_promotion_duration_seconds').observe(labels, seconds(fact.durationMs));
      return;
    }
    case 'stage-finished':
      rampMetric('ramp_stage_duration_seconds').observe(
        { pipeline, stage: labelValue(fact.stage), outcome: labelValue(fact.outcome) },
        seconds(fact.durationMs),
      );
      return;
    case 'analysis-measurement':
      rampMetric('ramp_analysis_measurements_total').inc({
        pipeline,
        stage: labelValue(fact.stage),
        metric: labelValue(fact.metric),
        phase: labelValue(fact.phase),
      });
      return;
    case 'analysis-run':
      rampMetric('ramp_analysis_runs_total').inc({ pipeline, stage: labelValue(fact.stage), phase: labelValue(fact.phase) });
      return;
    case 'judge-score':
      rampMetric('ramp_judge_score').observe({ pipeline, stage: labelValue(fact.stage) }, fact.score);
      return;
    case 'approval-requested':
      rampMetric('ramp_approvals_requested_total').inc({ pipeline, stage: labelValue(fact.stage) });
      return;
    case 'approval-decided':
      rampMetric('ramp_approval_wait_seconds').observe({ pipeline, stage: labelValue(fact.stage), outcome: labelValue(fact.outcome) }, seconds(fact.waitMs));
      return;
    case 'gate-waited':
      rampMetric('ramp_gate_wait_seconds').observe({ pipeline, stage: labelValue(fact.stage), gate: fact.gate }, seconds(fact.waitMs));
      return;
    case 'override':
      rampMetric('ramp_overrides_total').inc({ pipeline, stage: labelValue(fact.stage), kind: labelValue(fact.override) });
      return;
    case 'rollback': {
      const stage = labelValue(fact.stage);
      rampMetric('ramp_rollbacks_total').inc({ pipeline, stage, cause: labelValue(fact.cause) });
      // No detection time (an abort by a person): no reaction to measure.
      if (fact.reactionMs !== null) rampMetric('ramp_rollback_reaction_seconds').observe({ pipeline, stage }, seconds(fact.reactionMs));
      return;
    }
    case 'drift-detected':
      rampMetric('ramp_drift_detected_total').inc({ pipeline, stage: labelValue(fact.stage) });
      return;
    case 'deployment': {
      const stage = labelValue(fact.stage);
      rampMetric('ramp_deployments_total').inc({ pipeline, stage });
      // Without the source commit's time (or with a clock that says it is in the future) there is no lead time.
      if (fact.leadTimeMs !== null && fact.leadTimeMs > 0) rampMetric('ramp_lead_time_seconds').observe({ pipeline, stage }, seconds(fact.leadTimeMs));
      return;
    }
    case 'change-failure':
      rampMetric('ramp_change_failures_total').inc({ pipeline, stage: labelValue(fact.stage), cause: fact.cause });
      return;
    case 'canary-catch':
      rampMetric('ramp_canary_catches_total').inc({ pipeline, stage: labelValue(fact.stage) });
      return;
    case 'recovery':
      rampMetric('ramp_recovery_seconds').observe({ pipeline, stage: labelValue(fact.stage) }, seconds(fact.recoveryMs));
      return;
    default:
      // A kind added to DeliveryFact without a case here fails to compile.
      return unknownFact(fact);
  }
}

function unknownFact(fact: never): void {
  void fact;
}
