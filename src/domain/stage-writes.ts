/**
 * What a stage writes to Git at each point of its rollout, as data (DESIGN.md, "A canary in
 * Git"): the canary starts with its image, replicas and first weight in one commit, each
 * setWeight is a commit, and full promotion sets the stable image, weight 0 and replicas 0.
 */
import type { CanaryStepSpec, CanaryStrategySpec, StageSpec, TrafficRoutingSpec } from '../schema/pipeline.js';
import type { StageChange } from './changes.js';
import { formatDuration } from './duration.js';

/** The changes that start the canary: its version and replicas (the weight comes with its step). */
export function canaryStartChanges(canary: CanaryStrategySpec): StageChange[] {
  return [
    { kind: 'setVersion', targets: canary.update },
    ...(canary.scale ? [{ kind: 'scaleCanary' as const, scale: canary.scale, replicas: canary.scale.replicas }] : []),
  ];
}

export function weightChanges(canary: CanaryStrategySpec, weight: number): StageChange[] {
  return canary.trafficRouting ? [{ kind: 'setWeight', routing: canary.trafficRouting, weight }] : [];
}

/** Full promotion: stable gets the version; for a canary, weight 0 and no canary replicas. */
export function fullPromotionChanges(stage: StageSpec): StageChange[] {
  const changes: StageChange[] = [{ kind: 'setVersion', targets: stage.update }];
  if (stage.strategy.kind === 'canary') {
    changes.push(...weightChanges(stage.strategy, 0));
    if (stage.strategy.scale) changes.push({ kind: 'scaleCanary', scale: stage.strategy.scale, replicas: 0 });
  }
  return changes;
}

/**
 * The values of `{{ramp.canary}}` and `{{ramp.stable}}` in analysis queries: what the stage's
 * traffic routing calls the two tracks. Backend (Service) names for gatewayAPI and smi, the
 * destination hosts for istio, nothing for replicaRatio (it names files, not Services) or
 * without routing.
 */
export function routingLabels(routing: TrafficRoutingSpec | undefined): { canary?: string; stable?: string } {
  if (routing === undefined) return {};
  switch (routing.kind) {
    case 'gatewayAPI':
    case 'smi':
      return { canary: routing.canaryBackend, stable: routing.stableBackend };
    case 'istio':
      return { canary: routing.canary.host, stable: routing.stable.host };
    case 'replicaRatio':
      return {};
    default: {
      const unreachable: never = routing;
      return unreachable;
    }
  }
}

/**
 * replicaRatio's split of `replicas` at a canary `weight` (0-100), as Argo Rollouts' basic
 * canary: the canary gets ceil(replicas * weight / 100), the stable workload the rest.
 */
export function replicaSplit(replicas: number, weight: number): { stable: number; canary: number } {
  const canary = Math.min(replicas, Math.max(0, Math.floor((replicas * weight + 99) / 100)));
  return { stable: replicas - canary, canary };
}

/** A short human label: `setWeight 10`, `pause 5m`, `pause`, `analysis success-rate`, `approval`. */
export function stepLabel(step: CanaryStepSpec): string {
  switch (step.kind) {
    case 'setWeight':
      return `setWeight ${step.weight}`;
    case 'pause':
      return step.durationMs === null ? 'pause' : `pause ${formatDuration(step.durationMs)}`;
    case 'analysis':
      return `analysis ${step.templates.join(',')}`;
    case 'approval':
      return 'approval';
    default: {
      const unreachable: never = step;
      return unreachable;
    }
  }
}

/** The `Ramp-Step` trailer: unique per attempt and step, e.g. `1/2/setWeight-50`, `1/promote`. */
export function stepKey(attempt: number, ...parts: (string | number)[]): string {
  return [attempt, ...parts].map((p) => String(p).replace(/[^A-Za-z0-9.,_-]+/g, '-')).join('/');
}
