/**
 * Promotions that end in a real cluster (sync mode apply): the worker — with exactly the
 * permissions of deploy/rbac/clusterrole.yaml — applies each commit of each stage into the
 * stage's namespace and waits until its Deployments are really available.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NEVER_READY_TAG } from '../../scripts/lib/kube.js';
import type { KubeObject } from '../../src/providers/kube/objects.js';
import type { PipelineSpec } from '../../src/schema/pipeline.js';
import { abortUpdate, resumeUpdate, stageStatusQuery, type PromotionStatus, type StageStatus } from '../../workflows/messages.js';
import { getKube, type KubeTestEnv } from '../harness/kube.js';
import { getTestEnv } from '../harness/temporal.js';
import { kubeSeed, type StageName } from '../support/kube-seed.js';
import { seedPipeline, uniqueName } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { waitFor } from '../support/wait.js';
import { runPromotion } from '../support/run-promotion.js';

const IMAGE = 'web';
const image = (container: KubeObject | null): string | undefined =>
  ((container?.spec as { template?: { spec?: { containers?: { image: string }[] } } } | undefined)?.template?.spec?.containers ?? [])[0]?.image;
const status = (o: KubeObject | null) => (o?.status ?? {}) as { availableReplicas?: number; updatedReplicas?: number; replicas?: number };
const backendWeights = (route: KubeObject | null): number[] =>
  ((route?.spec as { rules: { backendRefs: { weight: number }[] }[] } | undefined)?.rules[0]?.backendRefs ?? []).map((b) => b.weight);

function kubePipeline(url: string, timeout: string, name = uniqueName('kweb'), rollbackScope: 'stage' | 'promotion' = 'stage'): PipelineSpec {
  const sync = `sync: { mode: apply, timeout: ${timeout} }`;
  return seedPipeline({
    name,
    url,
    rollbackScope,
    stages: { preview: { with: [sync] }, staging: { with: [sync], steps: ['setWeight: 50', 'pause: {}'] }, production: { with: [sync] } },
  });
}

describe('sync mode apply: a promotion deploys into a real cluster', () => {
  let env: TestWorkflowEnvironment;
  let kube: KubeTestEnv;
  let ramp: RealRamp;
  let seed: Awaited<ReturnType<typeof kubeSeed>>;
  before(async () => {
    [env, kube] = await Promise.all([getTestEnv(), getKube()]);
    seed = await kubeSeed(kube, 'apply');
    ramp = await realRamp(env, {}, { kubeconfig: kube.workerKubeconfig, kustomize: kube.kustomize, seedDir: seed.dir });
  });
  after(async () => {
    await ramp?.cleanup();
    if (seed) await rm(seed.dir, { recursive: true, force: true });
    await env?.teardown();
  });

  const deployment = (stage: StageName, name: string) =>
    kube.admin.get({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: seed.namespaces[stage] } });

  const promote = (pipeline: PipelineSpec, version: string, during?: (stage: (name: string) => WorkflowHandle) => Promise<void>): Promise<PromotionStatus> =>
    runPromotion(env, ramp.activities, pipeline, version, during && ((d) => during(d.stage)));

  test('three stages, one namespace each: every commit applied and healthy before the next step; the canary weight live on the HTTPRoute', async () => {
    const pipeline = kubePipeline(ramp.remote.remoteUrl, '60s');
    const result = await promote(pipeline, '1.1.0', async (stage) => {
      const staging = stage('staging');
      const paused = await waitFor(
        () => staging.query(stageStatusQuery),
        (s: StageStatus) => s.phase === 'Paused',
        'the staging pause',
        60_000,
      );
      // Mid-canary: the canary runs the new image, available, and the route sends it half the traffic.
      const canary = await deployment('staging', 'web-canary');
      assert.equal(image(canary), `${IMAGE}:1.1.0`);
      assert.equal(status(canary).availableReplicas, 1);
      const route = await kube.admin.get({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'web', namespace: seed.namespaces.staging },
      });
      assert.deepEqual(backendWeights(route), [50, 50]);
      assert.equal(paused.live?.sha, paused.commits.at(-1)?.sha, 'the last commit is the live one');
      await staging.executeUpdate(resumeUpdate, { args: [{ promotionId: paused.promotionId, actor: 'rm' }] });
    });
    assert.equal(result.phase, 'Succeeded', result.message);

    for (const [stage, name, replicas] of [
      ['preview', 'web', 1],
      ['staging', 'web-stable', 2],
      ['production', 'web-stable', 6],
    ] as const) {
      const live = await deployment(stage, name);
      assert.equal(image(live), `${IMAGE}:1.1.0`, `${stage} ${name} runs the release`);
      assert.equal(status(live).availableReplicas, replicas, `${stage} ${name} is available`);
    }
    const canary = await deployment('staging', 'web-canary');
    assert.equal((canary?.spec as { replicas: number }).replicas, 0, 'the canary is scaled back to 0');
    const route = await kube.admin.get({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: seed.namespaces.staging },
    });
    assert.deepEqual(backendWeights(route), [100, 0]);
    const staging = result.stages.find((s) => s.name === 'staging')?.result;
    assert.ok(staging?.events.filter((e) => e.kind === 'live').length === staging?.commits.length, 'every commit went live');
  });

  test('a release that never becomes ready fails at the deadline and rolls back; the cluster is back on the old image', async () => {
    const pipeline = kubePipeline(ramp.remote.remoteUrl, '4s');
    const before = image(await deployment('preview', 'web'));
    const result = await promote(pipeline, NEVER_READY_TAG);
    const preview = result.stages.find((s) => s.name === 'preview')?.result;
    assert.equal(result.phase, 'Aborted', 'a release that does not become healthy is judged like a failed analysis');
    assert.equal(preview?.phase, 'RolledBack', preview?.message);
    assert.equal(preview?.failure?.reason, 'NotHealthy');
    assert.match(preview?.failure?.message ?? '', /Deployment .*\/web: 0 of 1 updated replicas available|Deployment .*\/web: .*replica/);
    assert.match(preview?.message ?? '', /the cluster is healthy on it/);
    const live = await deployment('preview', 'web');
    assert.equal(image(live), before, 'back on the previous image');
    assert.equal(status(live).availableReplicas, 1);
    assert.equal(preview?.live?.sha, preview?.reverts.at(-1)?.sha, 'the revert commit is live');
    const staging = result.stages.find((s) => s.name === 'staging');
    assert.equal(staging?.result, null, 'later stages never started');
  });

  test('rollback.scope: promotion — the earlier stage is reverted, re-applied and healthy again (one rollback routine)', async () => {
    const pipeline = kubePipeline(ramp.remote.remoteUrl, '60s', uniqueName('kscope'), 'promotion');
    const before = image(await deployment('preview', 'web'));
    const result = await promote(pipeline, '1.3.0', async (stage) => {
      const staging = stage('staging');
      const paused = await waitFor(
        () => staging.query(stageStatusQuery),
        (s: StageStatus) => s.phase === 'Paused',
        'the staging pause',
        60_000,
      );
      assert.equal(image(await deployment('preview', 'web')), `${IMAGE}:1.3.0`, 'preview runs the release');
      await staging.executeUpdate(abortUpdate, { args: [{ promotionId: paused.promotionId, actor: 'oncall', reason: 'bad dashboards' }] });
    });
    assert.equal(result.phase, 'Aborted', result.message);
    assert.match(result.message, /earlier stages were rolled back too/);
    const preview = result.stages.find((s) => s.name === 'preview')!;
    assert.equal(preview.phase, 'RolledBack');
    assert.equal(preview.result?.live?.sha, preview.result?.reverts.at(-1)?.sha, 'the revert commit of preview went live');
    assert.ok(result.events.some((e) => e.kind === 'stage-rolled-back' && /preview .*the cluster is healthy on it/.test(e.message)));
    const live = await deployment('preview', 'web');
    assert.equal(image(live), before, 'preview is back on the previous image in the cluster, not only in Git');
    assert.equal(status(live).availableReplicas, 1);
  });
});
