/**
 * Is a workload rolled out? Pure judgements over the desired object (from Git) and the live one
 * (from the API server), following `kubectl rollout status` and Argo CD's health checks:
 * the controller has seen the latest spec, every replica runs the desired pod template
 * (images compared explicitly, so a rollout of the wrong image is never "healthy"), and the
 * updated replicas are available. A Deployment whose controller reports
 * ProgressDeadlineExceeded has failed.
 */
import { describeObject, isRecord, type KubeObject } from './objects.js';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;

export type HealthState = 'Healthy' | 'Progressing' | 'Failed';

export interface WorkloadHealth {
  /** `Deployment web-staging/web-stable` */
  workload: string;
  state: HealthState;
  /** What is (not yet) true, e.g. `1 of 2 updated replicas available`. */
  message: string;
}

export function isWorkload(o: KubeObject): boolean {
  return o.apiVersion === 'apps/v1' && (WORKLOAD_KINDS as readonly string[]).includes(o.kind);
}

/** The container images of a workload's pod template, `name=image`, sorted. */
export function templateImages(o: KubeObject): string[] {
  const spec = isRecord(o.spec) ? o.spec : {};
  const template = isRecord(spec.template) && isRecord(spec.template.spec) ? spec.template.spec : {};
  const containers = [...asArray(template.initContainers), ...asArray(template.containers)];
  return containers
    .filter(isRecord)
    .map((c) => `${String(c.name)}=${String(c.image)}`)
    .sort();
}

export function workloadHealth(desired: KubeObject, live: KubeObject | null): WorkloadHealth {
  const workload = describeObject(desired);
  const say = (state: HealthState, message: string): WorkloadHealth => ({ workload, state, message });
  if (live === null) return say('Progressing', 'not created yet');
  const want = templateImages(desired);
  const have = templateImages(live);
  if (want.join(',') !== have.join(',')) return say('Progressing', `runs ${have.join(', ') || 'no containers'}; Git says ${want.join(', ')}`);
  const status = isRecord(live.status) ? live.status : {};
  const generation = live.metadata.generation ?? 0;
  const observed = num(status.observedGeneration);
  if (observed < generation) return say('Progressing', `the controller has not seen generation ${generation} yet (observed ${observed})`);
  switch (live.kind) {
    case 'Deployment':
      return deployment(live, status, say);
    case 'StatefulSet':
      return statefulSet(live, status, say);
    case 'DaemonSet':
      return daemonSet(status, say);
    default:
      return say('Healthy', 'exists');
  }
}

type Say = (state: HealthState, message: string) => WorkloadHealth;

function deployment(live: KubeObject, status: Record<string, unknown>, say: Say): WorkloadHealth {
  const progressing = asArray(status.conditions)
    .filter(isRecord)
    .find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return say('Failed', `progress deadline exceeded: ${typeof progressing.message === 'string' ? progressing.message : 'the rollout made no progress'}`);
  }
  if (isRecord(live.spec) && live.spec.paused === true) return say('Progressing', 'the rollout is paused (spec.paused)');
  const replicas = isRecord(live.spec) && live.spec.replicas !== undefined ? num(live.spec.replicas) : 1;
  const updated = num(status.updatedReplicas);
  const total = num(status.replicas);
  const available = num(status.availableReplicas);
  if (updated < replicas) return say('Progressing', `${updated} of ${replicas} replicas updated`);
  if (total > updated)
    return say('Progressing', `${total - updated} old replica(s) pending termination (${available} of ${updated} updated replicas available)`);
  if (available < updated) return say('Progressing', `${available} of ${updated} updated replicas available`);
  return say('Healthy', `${available} of ${replicas} replicas available`);
}

function statefulSet(live: KubeObject, status: Record<string, unknown>, say: Say): WorkloadHealth {
  const spec = isRecord(live.spec) ? live.spec : {};
  const replicas = spec.replicas !== undefined ? num(spec.replicas) : 1;
  const strategy = isRecord(spec.updateStrategy) ? spec.updateStrategy : {};
  if (strategy.type === 'OnDelete') return say('Healthy', 'updateStrategy OnDelete: pods update when deleted');
  const ready = num(status.readyReplicas);
  const available = status.availableReplicas === undefined ? ready : num(status.availableReplicas);
  const partition = isRecord(strategy.rollingUpdate) ? num(strategy.rollingUpdate.partition) : 0;
  const updated = num(status.updatedReplicas);
  if (partition > 0) {
    if (updated < replicas - partition) return say('Progressing', `${updated} of ${replicas - partition} replicas updated (partition ${partition})`);
  } else if (status.updateRevision !== status.currentRevision || updated < replicas) {
    return say('Progressing', `${updated} of ${replicas} replicas updated`);
  }
  if (available < replicas) return say('Progressing', `${available} of ${replicas} replicas available`);
  return say('Healthy', `${available} of ${replicas} replicas available`);
}

function daemonSet(status: Record<string, unknown>, say: Say): WorkloadHealth {
  const desired = num(status.desiredNumberScheduled);
  const updated = num(status.updatedNumberScheduled);
  const available = num(status.numberAvailable);
  if (updated < desired) return say('Progressing', `${updated} of ${desired} pods updated`);
  if (available < desired) return say('Progressing', `${available} of ${desired} updated pods available`);
  return say('Healthy', `${available} of ${desired} pods available`);
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
