/**
 * The GitOps agents' status as ramp reads it (src/providers/kube/agents.ts): which commit an
 * Argo CD Application or a Flux Kustomization has applied, whether it is healthy, and whether it
 * reports a failure waiting will not cure. Tables of status → AgentState.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agentObject, agentState, refreshRequest, type AgentState } from '../../src/providers/kube/agents.js';
import type { KubeObject } from '../../src/providers/kube/objects.js';

const SHA = '3f786850e387550fdab836ed7e6dc881de23001b';
const OLD = '89e6c98d92887913cadf06b2adb97f26cde4849b';
const SHA256 = 'a'.repeat(64);

const application = (status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web-staging', namespace: 'argocd', generation: 7 },
  spec: { source: { repoURL: 'https://git.example.com/gitops', path: 'envs/staging', targetRevision: 'main' } },
  ...(status === undefined ? {} : { status }),
});

const kustomization = (status?: Record<string, unknown>, generation = 3): KubeObject => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'web-staging', namespace: 'flux-system', generation },
  spec: { path: './envs/staging', sourceRef: { kind: 'GitRepository', name: 'gitops' } },
  ...(status === undefined ? {} : { status }),
});

interface Row {
  name: string;
  object: KubeObject;
  want: Omit<Partial<AgentState>, 'message' | 'failed'> & { message?: string | RegExp; failed?: string | RegExp | null };
}

function check(kind: 'argocd' | 'flux', rows: Row[]): void {
  for (const row of rows) {
    test(row.name, () => {
      const state = agentState(kind, row.object);
      const { message, failed, ...rest } = row.want;
      for (const [key, value] of Object.entries(rest)) assert.deepEqual(state[key as keyof AgentState], value, `${key} (${state.message})`);
      if (message instanceof RegExp) assert.match(state.message, message);
      else if (message !== undefined) assert.equal(state.message, message);
      if (failed instanceof RegExp) assert.match(state.failed ?? '(null)', failed);
      else if (failed !== undefined) assert.equal(state.failed, failed);
    });
  }
}

const synced = { status: 'Synced', revision: SHA };
const healthy = { status: 'Healthy' };

describe('agentState: Argo CD Application', () => {
  check('argocd', [
    {
      name: 'Synced and Healthy at the commit: ready',
      object: application({ sync: synced, health: healthy, operationState: { phase: 'Succeeded', syncResult: { revision: SHA } } }),
      want: { revision: SHA, ready: true, failed: null, message: `Synced to ${SHA.slice(0, 12)}, Healthy (last operation Succeeded)` },
    },
    {
      name: 'OutOfSync: compared with the commit, not yet applied',
      object: application({ sync: { status: 'OutOfSync', revision: SHA }, health: healthy }),
      want: { revision: SHA, ready: false, failed: null, message: `OutOfSync to ${SHA.slice(0, 12)}, Healthy` },
    },
    {
      name: 'Synced but Progressing (workloads rolling out)',
      object: application({ sync: synced, health: { status: 'Progressing' }, operationState: { phase: 'Running' } }),
      want: { revision: SHA, ready: false, failed: null, message: /Progressing \(last operation Running\)$/ },
    },
    {
      name: 'Synced and Degraded: failed, with the health message',
      object: application({ sync: synced, health: { status: 'Degraded', message: 'Deployment "web" exceeded its progress deadline' } }),
      want: { revision: SHA, ready: false, failed: 'the application is Degraded: Deployment "web" exceeded its progress deadline' },
    },
    {
      name: 'Degraded without a message',
      object: application({ sync: synced, health: { status: 'Degraded' } }),
      want: { failed: 'the application is Degraded' },
    },
    {
      name: 'the sync operation Failed at the commit',
      object: application({
        sync: { status: 'OutOfSync', revision: SHA },
        health: { status: 'Missing' },
        operationState: { phase: 'Failed', message: 'one or more objects failed to apply', syncResult: { revision: SHA } },
      }),
      want: { revision: SHA, ready: false, failed: 'the sync operation failed: one or more objects failed to apply', message: /\(last operation Failed\)$/ },
    },
    {
      name: 'the sync operation Errored (revision only in the requested operation)',
      object: application({
        sync: { status: 'OutOfSync', revision: SHA },
        health: healthy,
        operationState: { phase: 'Error', operation: { sync: { revision: SHA } } },
      }),
      want: { failed: 'the sync operation errored' },
    },
    {
      name: 'a failed operation that names no revision counts against the compared revision',
      object: application({ sync: { status: 'OutOfSync', revision: SHA }, health: healthy, operationState: { phase: 'Failed', message: 'boom' } }),
      want: { failed: 'the sync operation failed: boom' },
    },
    {
      // After a refresh Argo CD compares with the new commit at once (sync.revision moves), while
      // the last operation and the live health still belong to the commit before: a rollback
      // away from a broken release looks exactly like this until Argo CD syncs.
      name: 'the last operation Failed at an earlier commit: no failure of the compared one',
      object: application({
        sync: { status: 'OutOfSync', revision: SHA },
        health: healthy,
        operationState: {
          phase: 'Failed',
          message: 'one or more objects failed to apply',
          syncResult: { revision: OLD },
          operation: { sync: { revision: OLD } },
        },
      }),
      want: { revision: SHA, ready: false, failed: null, message: /OutOfSync to 3f786850e387, Healthy \(last operation Failed\)/ },
    },
    {
      name: "Degraded while OutOfSync: the live objects are still the earlier commit's",
      object: application({
        sync: { status: 'OutOfSync', revision: SHA },
        health: { status: 'Degraded', message: 'Deployment "web" exceeded its progress deadline' },
      }),
      want: { revision: SHA, ready: false, failed: null },
    },
    {
      name: 'no status (never reconciled)',
      object: application(),
      want: { revision: null, ready: false, failed: null, message: 'Unknown, Unknown' },
    },
    {
      name: 'an empty revision is no revision',
      object: application({ sync: { status: 'Unknown', revision: '' }, health: healthy }),
      want: { revision: null, ready: false },
    },
  ]);
});

describe('agentState: Flux Kustomization', () => {
  const ready = (status: 'True' | 'False' | 'Unknown', reason = 'ReconciliationSucceeded', message = `Applied revision: main@sha1:${SHA}`) => ({
    type: 'Ready',
    status,
    reason,
    message,
    lastTransitionTime: '2026-01-01T00:00:00Z',
  });
  check('flux', [
    {
      name: 'Ready=True at the current generation, applied main@sha1:<sha> (Flux 2.x)',
      object: kustomization({ observedGeneration: 3, lastAppliedRevision: `main@sha1:${SHA}`, conditions: [ready('True')] }),
      want: {
        revision: SHA,
        ready: true,
        failed: null,
        message: `Ready=True (ReconciliationSucceeded), applied ${SHA.slice(0, 12)}: Applied revision: main@sha1:${SHA}`,
      },
    },
    {
      name: 'Ready=True for an older generation (spec changed since): not ready',
      object: kustomization({ observedGeneration: 2, lastAppliedRevision: `main@sha1:${SHA}`, conditions: [ready('True')] }),
      want: { revision: SHA, ready: false, failed: null },
    },
    {
      name: 'revision format main/<sha> (Flux before 2.0)',
      object: kustomization({ observedGeneration: 3, lastAppliedRevision: `main/${SHA}`, conditions: [ready('True')] }),
      want: { revision: SHA, ready: true },
    },
    {
      name: 'revision format: a bare sha',
      object: kustomization({ observedGeneration: 3, lastAppliedRevision: SHA, conditions: [ready('True')] }),
      want: { revision: SHA, ready: true },
    },
    {
      name: 'revision format main@sha256:<sha> (SHA-256 repositories)',
      object: kustomization({ observedGeneration: 3, lastAppliedRevision: `main@sha256:${SHA256}`, conditions: [ready('True')] }),
      want: { revision: SHA256 },
    },
    {
      name: 'a revision that is no commit (a tag name) is no revision',
      object: kustomization({ observedGeneration: 3, lastAppliedRevision: 'v1.2.3', conditions: [ready('True')] }),
      want: { revision: null },
    },
    {
      name: 'Ready=False while reconciling (the last applied revision stays the old one)',
      object: kustomization({
        observedGeneration: 3,
        lastAppliedRevision: `main@sha1:${OLD}`,
        lastAttemptedRevision: `main@sha1:${SHA}`,
        conditions: [ready('False', 'HealthCheckFailed', 'timeout waiting for: [Deployment/web status: InProgress]')],
      }),
      want: { revision: OLD, ready: false, failed: null, message: /^Ready=False \(HealthCheckFailed\), applied 89e6c98d9288: timeout waiting/ },
    },
    {
      name: 'Stalled: failed, with its message',
      object: kustomization({
        observedGeneration: 3,
        lastAppliedRevision: `main@sha1:${SHA}`,
        conditions: [
          ready('False', 'BuildFailed', 'kustomize build failed'),
          { type: 'Stalled', status: 'True', reason: 'BuildFailed', message: 'kustomization.yaml: invalid' },
        ],
      }),
      want: { revision: SHA, ready: false, failed: 'the Kustomization is stalled: kustomization.yaml: invalid' },
    },
    {
      name: 'Stalled without a message names the reason',
      object: kustomization({
        observedGeneration: 3,
        lastAppliedRevision: `main@sha1:${SHA}`,
        conditions: [{ type: 'Stalled', status: 'True', reason: 'InvalidPath' }],
      }),
      want: { failed: 'the Kustomization is stalled: InvalidPath' },
    },
    {
      name: 'Stalled=False is no failure',
      object: kustomization({
        observedGeneration: 3,
        lastAppliedRevision: `main@sha1:${SHA}`,
        conditions: [ready('True'), { type: 'Stalled', status: 'False', reason: 'Succeeded' }],
      }),
      want: { ready: true, failed: null },
    },
    {
      name: 'no status (never reconciled)',
      object: kustomization(),
      want: { revision: null, ready: false, failed: null, message: 'not reconciled yet' },
    },
  ]);
});

describe('refreshRequest and agentObject', () => {
  test('Argo CD: the refresh annotation (a normal refresh)', () => {
    assert.deepEqual(refreshRequest('argocd', '2026-01-01T00:00:00.000Z'), { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } });
  });

  test('Flux: reconcile.fluxcd.io/requestedAt with the time, so that each request differs', () => {
    const at = '2026-01-01T00:00:00.000Z';
    assert.deepEqual(refreshRequest('flux', at), { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': at } } });
    assert.notDeepEqual(refreshRequest('flux', '2026-01-01T00:00:01.000Z'), refreshRequest('flux', at));
  });

  test('the objects ramp reads', () => {
    assert.deepEqual(agentObject({ kind: 'argocd', name: 'web', namespace: 'argocd' }), {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'web', namespace: 'argocd' },
    });
    assert.deepEqual(agentObject({ kind: 'flux', name: 'web', namespace: 'flux-system' }), {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'web', namespace: 'flux-system' },
    });
  });
});
