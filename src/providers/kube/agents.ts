/**
 * GitOps agents that apply Git to the cluster for ramp: Argo CD Applications and Flux
 * Kustomizations. ramp asks them to look at Git now (Argo CD's refresh annotation, Flux's
 * reconcile request) and reads from their status which revision is live and whether it is
 * healthy. Pure: the objects come from the API server.
 */
import { isRecord, type KubeObject } from './objects.js';

export type AgentKind = 'argocd' | 'flux';

/** Where the agent's object lives. */
export interface AgentRef {
  kind: AgentKind;
  name: string;
  namespace: string;
}

export interface AgentState {
  /** The Git commit the agent last applied, or null before its first sync. */
  revision: string | null;
  /** Applied and healthy (Argo CD: Synced and Healthy; Flux: Ready=True for its generation). */
  ready: boolean;
  /** Set when the agent reports a failure it will not get over by waiting. */
  failed: string | null;
  /** What the agent says, for the status line. */
  message: string;
}

export function agentObject(ref: AgentRef): Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'> {
  return ref.kind === 'argocd'
    ? { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: ref.name, namespace: ref.namespace } }
    : { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: ref.name, namespace: ref.namespace } };
}

/** The merge patch that asks the agent to look at Git now. `at` is an ISO timestamp. */
export function refreshRequest(kind: AgentKind, at: string): Record<string, unknown> {
  return kind === 'argocd'
    ? { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } }
    : { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } } };
}

export function agentState(kind: AgentKind, object: KubeObject): AgentState {
  return kind === 'argocd' ? argoState(object) : fluxState(object);
}

function argoState(app: KubeObject): AgentState {
  const status = isRecord(app.status) ? app.status : {};
  const sync = isRecord(status.sync) ? status.sync : {};
  const health = isRecord(status.health) ? status.health : {};
  const operation = isRecord(status.operationState) ? status.operationState : {};
  const revision = typeof sync.revision === 'string' && sync.revision !== '' ? sync.revision : null;
  const syncStatus = typeof sync.status === 'string' ? sync.status : 'Unknown';
  const healthStatus = typeof health.status === 'string' ? health.status : 'Unknown';
  const phase = typeof operation.phase === 'string' ? operation.phase : null;
  const opMessage = typeof operation.message === 'string' ? operation.message : '';
  // sync.revision is the commit Argo CD compared with, which moves on at a refresh, before any
  // sync: a failed operation or Degraded health fails that commit only when it is about it (the
  // operation synced that revision; the live objects are Synced to it), not the commit before.
  const opRevision = stringAt(operation.syncResult, 'revision') ?? stringAt(isRecord(operation.operation) ? operation.operation.sync : undefined, 'revision');
  const failed =
    (phase === 'Failed' || phase === 'Error') && (opRevision === null || opRevision === revision)
      ? `the sync operation ${phase === 'Error' ? 'errored' : 'failed'}${opMessage ? `: ${opMessage}` : ''}`
      : healthStatus === 'Degraded' && syncStatus === 'Synced'
        ? `the application is Degraded${typeof health.message === 'string' ? `: ${health.message}` : ''}`
        : null;
  return {
    revision,
    ready: syncStatus === 'Synced' && healthStatus === 'Healthy',
    failed,
    message: `${syncStatus}${revision ? ` to ${revision.slice(0, 12)}` : ''}, ${healthStatus}${phase ? ` (last operation ${phase})` : ''}`,
  };
}

function fluxState(ks: KubeObject): AgentState {
  const status = isRecord(ks.status) ? ks.status : {};
  const applied = typeof status.lastAppliedRevision === 'string' ? status.lastAppliedRevision : '';
  // `main@sha1:<sha>` (Flux 2.x), `main/<sha>` (older), or a bare sha.
  const revision = /([0-9a-f]{40,64})$/.exec(applied)?.[1] ?? null;
  const ready = (Array.isArray(status.conditions) ? status.conditions : []).filter(isRecord).find((c) => c.type === 'Ready');
  const current = num(status.observedGeneration) >= (ks.metadata.generation ?? 0);
  const readyTrue = ready?.status === 'True' && current;
  const stalled = (Array.isArray(status.conditions) ? status.conditions : []).filter(isRecord).find((c) => c.type === 'Stalled' && c.status === 'True');
  return {
    revision,
    ready: readyTrue,
    failed: stalled ? `the Kustomization is stalled: ${text(stalled.message) || text(stalled.reason)}` : null,
    message: `${ready ? `Ready=${text(ready.status)}${ready.reason ? ` (${text(ready.reason)})` : ''}` : 'not reconciled yet'}${revision ? `, applied ${revision.slice(0, 12)}` : ''}${ready?.message ? `: ${text(ready.message)}` : ''}`,
  };
}

function stringAt(record: unknown, key: string): string | null {
  const value = isRecord(record) ? record[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : null;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
