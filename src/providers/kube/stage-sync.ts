/**
 * Makes one commit of a stage live and waits until it is healthy:
 *   1. the stage's manifests at the commit (a snapshot of the repository, rendered);
 *   2. mode apply: ramp server-side-applies them; argocd / flux: ramp asks the agent to
 *      refresh and waits until it reports the commit (or a later one) applied and healthy;
 *   3. every Deployment, StatefulSet and DaemonSet among them rolled out with Git's pod
 *      template (health.ts), and the live traffic weights equal Git's (when a router is set).
 * All before the deadline; a workload that fails, or an agent that reports a failed sync,
 * ends the wait at once.
 */
import type { GitOpsRepository } from '../git/gitops-repository.js';
import type { SyncSpec } from '../../schema/pipeline.js';
import { agentObject, agentState, refreshRequest } from './agents.js';
import type { KubeCluster } from './cluster.js';
import { isWorkload, workloadHealth, type WorkloadHealth } from './health.js';
import { describeObject, type DesiredObject, type KubeObject } from './objects.js';
import { desiredState } from './desired.js';

export class SyncError extends Error {
  override name = 'SyncError';
  constructor(
    message: string,
    readonly kind: 'failed' | 'deadline' | 'traffic',
  ) {
    super(message);
  }
}

/** Compares the traffic weights of the desired objects with the live ones (traffic routers). */
export interface WeightCheck {
  /** The objects to read from the cluster, among the desired ones. */
  objects(desired: DesiredObject[]): KubeObject[];
  /** null when live equals desired; else what differs, in a sentence. */
  difference(desired: DesiredObject[], live: KubeObject[]): string | null;
}

export interface SyncTarget {
  stagePath: string;
  sync: SyncSpec;
  /** The commit that must be live; null = the branch's head. */
  sha: string | null;
  /** Epoch ms by which everything must be live and healthy. */
  deadline: number;
  weights?: WeightCheck | null;
}

export interface SyncOutcome {
  sha: string;
  /** Objects ramp applied (mode apply), else 0. */
  applied: number;
  /** The agent's last word (argocd / flux), else null. */
  agent: string | null;
  workloads: WorkloadHealth[];
  tookMs: number;
}

export interface SyncDeps {
  repository: GitOpsRepository;
  cluster: KubeCluster;
  kustomize?: string;
  /** Progress for heartbeats and logs. */
  progress?: (message: string) => void;
  /** A cancellable sleep (the activity's). */
  sleep?: (ms: number) => Promise<void>;
  pollMs?: number;
  now?: () => number;
}

export async function syncStage(target: SyncTarget, deps: SyncDeps): Promise<SyncOutcome> {
  const now = deps.now ?? Date.now;
  const started = now();
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const poll = deps.pollMs ?? 500;
  const progress = deps.progress ?? (() => {});
  const { sync } = target;

  const snapshot = await desiredState(deps, target.stagePath, sync.namespace, target.sha);
  const desired = snapshot.objects;
  const short = snapshot.sha.slice(0, 12);

  let applied = 0;
  let agent: string | null = null;
  if (sync.mode === 'apply') {
    for (const { object } of applyOrder(desired)) {
      await deps.cluster.apply(object);
      applied++;
    }
    progress(`applied ${applied} object(s) of ${short}`);
  } else if (sync.agent) {
    const ref = agentObject(sync.agent);
    const label = describeObject(ref);
    if ((await deps.cluster.get(ref)) === null) {
      throw new SyncError(
        `${label} does not exist in ${deps.cluster.name}. Create it, or correct sync.${sync.agent.kind === 'argocd' ? 'application' : 'kustomization'}`,
        'failed',
      );
    }
    await deps.cluster.mergePatch(ref, refreshRequest(sync.agent.kind, new Date(now()).toISOString()));
    for (;;) {
      const live = await deps.cluster.get(ref);
      if (live === null) throw new SyncError(`${label} was deleted while ramp waited for it to apply ${short}`, 'failed');
      const state = agentState(sync.agent.kind, live);
      agent = `${label}: ${state.message}`;
      const atCommit =
        state.revision !== null && (state.revision === snapshot.sha || (await deps.repository.contains(state.revision, snapshot.sha).catch(() => false)));
      if (state.failed && atCommit) throw new SyncError(`${label} did not apply ${short}: ${state.failed}`, 'failed');
      if (atCommit && state.ready) break;
      progress(`waiting for ${label} to apply ${short}: ${state.message}`);
      if (now() >= target.deadline) {
        throw new SyncError(
          `${label} had not applied ${short} and become healthy after ${seconds(now() - started)} (sync.timeout): ${state.message}`,
          'deadline',
        );
      }
      await sleep(poll);
    }
  }

  const workloads = desired.map((d) => d.object).filter(isWorkload);
  for (;;) {
    const health = await Promise.all(workloads.map(async (w) => workloadHealth(w, await deps.cluster.get(w))));
    const failed = health.find((h) => h.state === 'Failed');
    if (failed) throw new SyncError(`${failed.workload} failed to roll out ${short}: ${failed.message}`, 'failed');
    const waiting = health.filter((h) => h.state !== 'Healthy');
    const weight = waiting.length === 0 && target.weights ? await weightDifference(target.weights, desired, deps.cluster) : null;
    if (waiting.length === 0 && weight === null) {
      return { sha: snapshot.sha, applied, agent, workloads: health, tookMs: now() - started };
    }
    const what = waiting.length > 0 ? waiting.map((h) => `${h.workload}: ${h.message}`).join('; ') : `traffic: ${weight}`;
    progress(`waiting for ${short} to be healthy: ${what}`);
    if (now() >= target.deadline) {
      throw new SyncError(
        `${short} was not live and healthy after ${seconds(now() - started)} (sync.timeout): ${what}`,
        waiting.length > 0 ? 'deadline' : 'traffic',
      );
    }
    await sleep(poll);
  }
}

async function weightDifference(check: WeightCheck, desired: DesiredObject[], cluster: KubeCluster): Promise<string | null> {
  const wanted = check.objects(desired);
  const live: KubeObject[] = [];
  for (const o of wanted) {
    const found = await cluster.get(o);
    if (found === null) return `${describeObject(o)} does not exist in the cluster`;
    live.push(found);
  }
  return check.difference(desired, live);
}

/** Namespaces and CRDs before what lives in them; otherwise Git's order. */
export function applyOrder(objects: DesiredObject[]): DesiredObject[] {
  const rank = (o: KubeObject): number => (o.kind === 'Namespace' ? 0 : o.kind === 'CustomResourceDefinition' ? 1 : 2);
  return [...objects].sort((a, b) => rank(a.object) - rank(b.object));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
