/**
 * The visibility gauges' values from what Temporal's visibility lists (docs/metrics.md): how
 * many promotions and stages run, by phase, and each running canary's weight. Pure: the
 * collector (visibility-collector.ts) lists and queries, this groups.
 */
import { labelValue } from './record-fact.js';

/** One running ramp workflow as visibility lists it (its search attributes). */
export interface RunningWorkflow {
  workflowId: string;
  /** RampKind: `promotion` or `stage` (helpers and others are left out). */
  kind: string | undefined;
  pipeline: string | undefined;
  stage: string | undefined;
  phase: string | undefined;
}

/** A stage workflow's answer to its status query: only canary stages have a weight to show. */
export interface StageWeight {
  strategy: 'direct' | 'canary';
  canaryWeight: number;
}

export interface GaugeSample {
  labels: Record<string, string>;
  value: number;
}

export interface VisibilityGaugeValues {
  ramp_promotions_running: GaugeSample[];
  ramp_stages_running: GaugeSample[];
  ramp_canary_weight: GaugeSample[];
}

/** Shown for a workflow whose attribute is not set yet (just started, or started before the attributes existed). */
export const UNKNOWN = 'unknown';

/**
 * Groups running workflows into the gauges' samples. `weights` has the stages (by workflow id)
 * that answered their status query; a stage that did not is left out of ramp_canary_weight. Two
 * running canaries of one stage (a promotion and a rollback) show the larger weight.
 */
export function visibilityGauges(running: readonly RunningWorkflow[], weights: ReadonlyMap<string, StageWeight>): VisibilityGaugeValues {
  const promotions = new Counts();
  const stages = new Counts();
  const canary = new Map<string, GaugeSample>();
  for (const workflow of running) {
    const pipeline = labelValue(workflow.pipeline ?? UNKNOWN);
    const phase = labelValue(workflow.phase ?? UNKNOWN);
    if (workflow.kind === 'promotion') promotions.add({ pipeline, phase });
    if (workflow.kind !== 'stage') continue;
    const stage = labelValue(workflow.stage ?? UNKNOWN);
    stages.add({ pipeline, stage, phase });
    const weight = weights.get(workflow.workflowId);
    if (weight?.strategy !== 'canary') continue;
    const key = JSON.stringify([pipeline, stage]);
    const value = Math.max(weight.canaryWeight, canary.get(key)?.value ?? 0);
    canary.set(key, { labels: { pipeline, stage }, value });
  }
  return { ramp_promotions_running: promotions.samples(), ramp_stages_running: stages.samples(), ramp_canary_weight: [...canary.values()] };
}

class Counts {
  private readonly counts = new Map<string, GaugeSample>();
  add(labels: Record<string, string>): void {
    const key = JSON.stringify(Object.entries(labels));
    const sample = this.counts.get(key) ?? { labels, value: 0 };
    sample.value += 1;
    this.counts.set(key, sample);
  }
  samples(): GaugeSample[] {
    return [...this.counts.values()];
  }
}
