/**
 * workloadHealth and templateImages (src/providers/kube/health.ts): is a Deployment,
 * StatefulSet or DaemonSet rolled out with Git's pod template, as `kubectl rollout status` would
 * say. Tables of (desired, live) → state and message.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWorkload, templateImages, workloadHealth, type HealthState } from '../../src/providers/kube/health.js';
import type { KubeObject } from '../../src/providers/kube/objects.js';

type Kind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

/** A workload of `kind` running `images` (container name → image). */
function workload(
  kind: Kind,
  options: { images?: Record<string, string>; spec?: Record<string, unknown>; status?: Record<string, unknown>; generation?: number } = {},
): KubeObject {
  const containers = Object.entries(options.images ?? { web: 'web:1.1.0' }).map(([name, image]) => ({ name, image }));
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'web', namespace: 'shop', ...(options.generation === undefined ? {} : { generation: options.generation }) },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers } }, ...options.spec },
    ...(options.status === undefined ? {} : { status: options.status }),
  };
}

interface Row {
  name: string;
  desired: KubeObject;
  live: KubeObject | null;
  state: HealthState;
  message: RegExp;
}

function check(rows: Row[]): void {
  for (const row of rows) {
    test(row.name, () => {
      const health = workloadHealth(row.desired, row.live);
      assert.equal(health.workload, `${row.desired.kind} shop/web`);
      assert.equal(health.state, row.state, health.message);
      assert.match(health.message, row.message);
    });
  }
}

const deployment = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 2) =>
  workload('Deployment', { spec: { replicas: 3, ...spec }, status: { observedGeneration: generation, ...status }, generation });
const rolledOut = { replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3 };

describe('workloadHealth: Deployment', () => {
  const desired = workload('Deployment', { spec: { replicas: 3 } });
  check([
    { name: 'not created yet', desired, live: null, state: 'Progressing', message: /^not created yet$/ },
    {
      name: 'the live template runs another image: never healthy, whatever the status says',
      desired,
      live: workload('Deployment', { images: { web: 'web:1.0.0' }, spec: { replicas: 3 }, status: { observedGeneration: 1, ...rolledOut }, generation: 1 }),
      state: 'Progressing',
      message: /^runs web=web:1\.0\.0; Git says web=web:1\.1\.0$/,
    },
    {
      name: 'a live template without containers',
      desired,
      live: { ...desired, spec: { replicas: 3, template: { spec: {} } }, status: rolledOut },
      state: 'Progressing',
      message: /^runs no containers; Git says web=web:1\.1\.0$/,
    },
    {
      name: 'the controller has not observed the latest generation',
      desired,
      live: deployment({}, { ...rolledOut, observedGeneration: 1 }),
      state: 'Progressing',
      message: /has not seen generation 2 yet \(observed 1\)/,
    },
    {
      name: 'no status at all (just created)',
      desired,
      live: workload('Deployment', { spec: { replicas: 3 }, generation: 1 }),
      state: 'Progressing',
      message: /has not seen generation 1 yet \(observed 0\)/,
    },
    {
      name: "ProgressDeadlineExceeded: failed, with the controller's message",
      desired,
      live: deployment(
        {},
        {
          replicas: 4,
          updatedReplicas: 1,
          availableReplicas: 3,
          conditions: [
            { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
            { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-7c9" has timed out progressing.' },
          ],
        },
      ),
      state: 'Failed',
      message: /^progress deadline exceeded: ReplicaSet "web-7c9" has timed out progressing\.$/,
    },
    {
      name: 'ProgressDeadlineExceeded without a message',
      desired,
      live: deployment({}, { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }),
      state: 'Failed',
      message: /the rollout made no progress/,
    },
    {
      name: 'Progressing=True (NewReplicaSetAvailable) is no failure',
      desired,
      live: deployment({}, { ...rolledOut, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }] }),
      state: 'Healthy',
      message: /^3 of 3 replicas available$/,
    },
    { name: 'paused', desired, live: deployment({ paused: true }, rolledOut), state: 'Progressing', message: /paused \(spec\.paused\)/ },
    {
      name: 'n of m replicas updated',
      desired,
      live: deployment({}, { replicas: 4, updatedReplicas: 1, availableReplicas: 3 }),
      state: 'Progressing',
      message: /^1 of 3 replicas updated$/,
    },
    {
      name: 'old replicas pending termination',
      desired,
      live: deployment({}, { replicas: 4, updatedReplicas: 3, availableReplicas: 3 }),
      state: 'Progressing',
      message: /^1 old replica\(s\) pending termination \(3 of 3 updated replicas available\)$/,
    },
    {
      name: 'updated replicas not yet available',
      desired,
      live: deployment({}, { replicas: 3, updatedReplicas: 3, availableReplicas: 2 }),
      state: 'Progressing',
      message: /^2 of 3 updated replicas available$/,
    },
    { name: 'rolled out', desired, live: deployment({}, rolledOut), state: 'Healthy', message: /^3 of 3 replicas available$/ },
    {
      name: 'spec.replicas left out means 1',
      desired: workload('Deployment'),
      live: workload('Deployment', { generation: 1, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } }),
      state: 'Healthy',
      message: /^1 of 1 replicas available$/,
    },
    {
      name: 'scaled to 0 (a canary between promotions) is healthy',
      desired: workload('Deployment', { spec: { replicas: 0 } }),
      live: workload('Deployment', { spec: { replicas: 0 }, generation: 3, status: { observedGeneration: 3 } }),
      state: 'Healthy',
      message: /^0 of 0 replicas available$/,
    },
    {
      name: "the live replicas count, not Git's (an autoscaler may own them)",
      desired,
      live: deployment({ replicas: 5 }, { replicas: 5, updatedReplicas: 5, availableReplicas: 5 }),
      state: 'Healthy',
      message: /^5 of 5 replicas available$/,
    },
  ]);
});

describe('workloadHealth: StatefulSet', () => {
  const desired = workload('StatefulSet', { spec: { replicas: 3 } });
  const sts = (spec: Record<string, unknown>, status: Record<string, unknown>) =>
    workload('StatefulSet', { spec: { replicas: 3, ...spec }, generation: 4, status: { observedGeneration: 4, ...status } });
  const done = { replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3, currentRevision: 'web-2', updateRevision: 'web-2' };
  check([
    { name: 'not created yet', desired, live: null, state: 'Progressing', message: /^not created yet$/ },
    {
      name: 'another image',
      desired,
      live: workload('StatefulSet', { images: { web: 'web:1.0.0' }, spec: { replicas: 3 }, status: done }),
      state: 'Progressing',
      message: /Git says web=web:1\.1\.0/,
    },
    { name: 'generation not observed', desired, live: sts({}, { ...done, observedGeneration: 3 }), state: 'Progressing', message: /generation 4/ },
    {
      name: 'rolling update under way: revisions differ',
      desired,
      live: sts({}, { ...done, updatedReplicas: 1, currentRevision: 'web-1' }),
      state: 'Progressing',
      message: /^1 of 3 replicas updated$/,
    },
    {
      name: 'all updated, but the revisions not yet switched',
      desired,
      live: sts({}, { ...done, currentRevision: 'web-1' }),
      state: 'Progressing',
      message: /^3 of 3 replicas updated$/,
    },
    {
      name: 'updated, not all available',
      desired,
      live: sts({}, { ...done, availableReplicas: 2 }),
      state: 'Progressing',
      message: /^2 of 3 replicas available$/,
    },
    {
      name: 'availableReplicas absent (older API servers): readyReplicas counts',
      desired,
      live: sts({}, { ...done, availableReplicas: undefined, readyReplicas: 2 }),
      state: 'Progressing',
      message: /^2 of 3 replicas available$/,
    },
    { name: 'rolled out', desired, live: sts({}, done), state: 'Healthy', message: /^3 of 3 replicas available$/ },
    {
      name: 'partition 2: one updated replica is the whole rollout, though the revisions differ',
      desired,
      live: sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, { ...done, updatedReplicas: 1, currentRevision: 'web-1' }),
      state: 'Healthy',
      message: /^3 of 3 replicas available$/,
    },
    {
      name: 'partition 2: no replica updated yet',
      desired,
      live: sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, { ...done, updatedReplicas: 0, currentRevision: 'web-1' }),
      state: 'Progressing',
      message: /^0 of 1 replicas updated \(partition 2\)$/,
    },
    {
      name: 'partition 2: updated, but not all available',
      desired,
      live: sts(
        { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } },
        { ...done, updatedReplicas: 1, availableReplicas: 2, currentRevision: 'web-1' },
      ),
      state: 'Progressing',
      message: /^2 of 3 replicas available$/,
    },
    {
      name: 'OnDelete: pods change only when deleted, so the applied template is the rollout',
      desired,
      live: sts(
        { updateStrategy: { type: 'OnDelete' } },
        { replicas: 3, readyReplicas: 3, updatedReplicas: 0, currentRevision: 'web-1', updateRevision: 'web-2' },
      ),
      state: 'Healthy',
      message: /OnDelete/,
    },
  ]);
});

describe('workloadHealth: DaemonSet', () => {
  const desired = workload('DaemonSet');
  const ds = (status: Record<string, unknown>) => workload('DaemonSet', { generation: 2, status: { observedGeneration: 2, ...status } });
  check([
    { name: 'not created yet', desired, live: null, state: 'Progressing', message: /^not created yet$/ },
    { name: 'generation not observed', desired, live: ds({ observedGeneration: 1 }), state: 'Progressing', message: /generation 2/ },
    {
      name: 'pods not yet updated',
      desired,
      live: ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 3 }),
      state: 'Progressing',
      message: /^1 of 3 pods updated$/,
    },
    {
      name: 'updated, not available',
      desired,
      live: ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 }),
      state: 'Progressing',
      message: /^2 of 3 updated pods available$/,
    },
    {
      name: 'rolled out',
      desired,
      live: ds({ desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 }),
      state: 'Healthy',
      message: /^3 of 3 pods available$/,
    },
    { name: 'no node to run on: nothing to wait for', desired, live: ds({ desiredNumberScheduled: 0 }), state: 'Healthy', message: /^0 of 0 pods available$/ },
  ]);
});

describe('templateImages', () => {
  test('containers and initContainers, name=image, sorted', () => {
    const o = workload('Deployment', { images: { web: 'web:1.1.0', 'log-shipper': 'fluent-bit:3' } });
    (o.spec!.template as { spec: Record<string, unknown> }).spec.initContainers = [{ name: 'migrate', image: 'web-migrate:1.1.0' }];
    assert.deepEqual(templateImages(o), ['log-shipper=fluent-bit:3', 'migrate=web-migrate:1.1.0', 'web=web:1.1.0']);
  });

  test('an object without a pod template has no images', () => {
    assert.deepEqual(templateImages({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [] } }), []);
    assert.deepEqual(templateImages({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }), []);
  });

  test('a changed init container image is a different template', () => {
    const desired = workload('Deployment');
    (desired.spec!.template as { spec: Record<string, unknown> }).spec.initContainers = [{ name: 'migrate', image: 'm:2' }];
    const live = workload('Deployment', { generation: 1, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } });
    (live.spec!.template as { spec: Record<string, unknown> }).spec.initContainers = [{ name: 'migrate', image: 'm:1' }];
    assert.match(workloadHealth(desired, live).message, /^runs migrate=m:1, web=web:1\.1\.0; Git says migrate=m:2, web=web:1\.1\.0$/);
  });
});

describe('isWorkload', () => {
  test('apps/v1 Deployment, StatefulSet and DaemonSet only', () => {
    const of = (apiVersion: string, kind: string) => isWorkload({ apiVersion, kind, metadata: { name: 'x' } });
    assert.deepEqual(
      [
        of('apps/v1', 'Deployment'),
        of('apps/v1', 'StatefulSet'),
        of('apps/v1', 'DaemonSet'),
        of('apps/v1', 'ReplicaSet'),
        of('batch/v1', 'Job'),
        of('v1', 'Service'),
      ],
      [true, true, true, false, false, false],
    );
  });
});
