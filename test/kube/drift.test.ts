/**
 * Drift detection against a real cluster: after a promotion the stage's drift watch compares
 * the live objects with Git every interval. A change made behind Git's back (here by the test,
 * as admin) is reported within one interval; an operator accepts it (ramp commits the live
 * value to Git) or rejects it (ramp restores Git's state); policy revert restores at once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { KubeObject } from '../../src/providers/kube/objects.js';
import { acceptDriftUpdate, driftStatusQuery, driftWorkflowId, rejectDriftUpdate, stopDriftSignal, type DriftStatus } from '../../workflows/drift-messages.js';
import { promotionWorkflowId, type PromotionStatus } from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { ramp as runRamp } from '../cli/helpers.js';
import { getKube, type KubeTestEnv } from '../harness/kube.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { kubeSeed, type StageName } from '../support/kube-seed.js';
import { pipelineSpec, uniqueName } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { refusalOf, waitFor } from '../support/wait.js';

const INTERVAL = '1s';

function driftPipelineYaml(name: string, url: string): string {
  return `apiVersion: ramp/v1
kind: Pipeline
metadata: { name: ${name} }
spec:
  repository: { url: ${url} }
  artifact: { image: web }
  stages:
    - name: preview
      path: envs/preview
      sync: { mode: apply, timeout: 60s }
      drift: { policy: alert, interval: ${INTERVAL} }
      update:
        - yamlUpdate: { file: deployment.yaml, path: "spec.template.spec.containers[name=web].image" }
    - name: staging
      path: envs/staging
      sync: { mode: apply, timeout: 60s }
      drift: { policy: revert, interval: ${INTERVAL} }
      update:
        - yamlUpdate: { file: stable.yaml, path: "spec.template.spec.containers[name=web].image" }
`;
}

describe('drift detection in a real cluster', () => {
  let env: TestWorkflowEnvironment;
  let kube: KubeTestEnv;
  let ramp: RealRamp;
  let seed: Awaited<ReturnType<typeof kubeSeed>>;
  let dir: string;
  before(async () => {
    [env, kube] = await Promise.all([getTestEnv(), getKube()]);
    seed = await kubeSeed(kube, 'drift');
    ramp = await realRamp(env, {}, { kubeconfig: kube.workerKubeconfig, kustomize: kube.kustomize, seedDir: seed.dir });
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-drift-'));
  });
  after(async () => {
    await ramp?.cleanup();
    if (seed) await rm(seed.dir, { recursive: true, force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
    await env?.teardown();
  });

  const deploymentRef = (stage: StageName, name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: seed.namespaces[stage] } });
  const spec = (o: KubeObject | null) => (o?.spec ?? {}) as { replicas?: number; template: { spec: { containers: { image: string }[] } } };

  test('a patched replica count and image are reported within one interval; reject restores Git, accept commits the cluster\'s value, revert acts alone', async () => {
    const name = uniqueName('kdrift');
    const yaml = driftPipelineYaml(name, ramp.remote.remoteUrl);
    const pipeline = pipelineSpec(yaml);
    const pipelineFile = path.join(dir, `${name}.yaml`);
    await writeFile(pipelineFile, yaml);
    const { worker, taskQueue } = await createTestWorker(env, { activities: ramp.activities });
    const cli = (args: string[]) => runRamp(['drift', pipelineFile, ...args], { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: taskQueue, RAMP_USER: 'ops' });

    await worker.runUntil(async () => {
      const result: PromotionStatus = await env.client.workflow.execute<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionWorkflowId(name, '1.1.0'),
        args: [{ apiVersion: 'ramp/v1', pipeline, version: '1.1.0', requestedBy: 'rm', kind: 'promote' }],
      });
      assert.equal(result.phase, 'Succeeded', result.message);
      const preview = env.client.workflow.getHandle(driftWorkflowId(name, 'preview'));
      const staging = env.client.workflow.getHandle(driftWorkflowId(name, 'staging'));
      const status = (h: typeof preview) => h.query(driftStatusQuery);
      const waitDrift = (h: typeof preview, done: (s: DriftStatus) => boolean, what: string, ms = 15_000) => waitFor(() => status(h), done, what, ms);
      try {
        // The stages started their watches; once the promotion is gone they compare.
        await waitDrift(preview, (s) => s.phase === 'InSync', 'preview in sync');
        assert.equal((await cli([])).code, 0, 'no drift: exit 0');

        // Someone scales the preview Deployment by hand.
        let changedAt = Date.now();
        await kube.admin.mergePatch(deploymentRef('preview', 'web'), { spec: { replicas: 3 } });
        const drifted = await waitDrift(preview, (s) => s.phase === 'Drifted', 'the replica drift');
        const detectedIn = Date.now() - changedAt;
        assert.ok(detectedIn <= 1_000 + 2_000, `detected ${detectedIn} ms after the change (interval 1 s, plus one check)`);
        assert.deepEqual(drifted.drifts.map((d) => [d.object, d.fields.map((f) => [f.path, f.live, f.desired])]), [
          [`Deployment ${seed.namespaces.preview}/web`, [['spec.replicas', 3, 1]]],
        ]);
        assert.ok(drifted.events.some((e) => e.kind === 'drift-detected'));
        const shown = await cli(['--stage', 'preview']);
        assert.equal(shown.code, 1, 'drift: exit 1');
        assert.match(shown.stdout, /Drifted/);
        assert.match(shown.stdout, /spec\.replicas: 3 in the cluster, 1 in Git/);
        assert.match(shown.stdout, /--accept .* \| --reject/);

        // Rejected: Git's state comes back, and the record says who and why.
        const rejected = await cli(['--stage', 'preview', '--reject', '--as', 'alice', '--reason', 'nobody may scale previews']);
        assert.equal(rejected.code, 0, rejected.stderr);
        assert.match(rejected.stdout, /restored Git's state of Deployment .*\/web/);
        assert.equal(spec(await kube.admin.get(deploymentRef('preview', 'web'))).replicas, 1);
        const afterReject = await waitDrift(preview, (s) => s.phase === 'InSync', 'preview in sync again');
        assert.ok(afterReject.events.some((e) => e.kind === 'drift-rejected' && e.actor === 'alice' && /nobody may scale previews/.test(e.message)));
        // Nothing left to decide: refused, with the reason.
        assert.match(await refusalOf(preview.executeUpdate(rejectDriftUpdate, { args: [{ actor: 'alice' }] })), /no drift to reject/);

        // Someone sets another image; this time the cluster is right.
        changedAt = Date.now();
        const live = await kube.admin.get(deploymentRef('preview', 'web'));
        const containers = spec(live).template.spec.containers.map((c) => ({ ...c, image: 'web:1.1.1-hotfix' }));
        await kube.admin.mergePatch(deploymentRef('preview', 'web'), { spec: { template: { spec: { containers } } } });
        await waitDrift(preview, (s) => s.drifts.some((d) => d.fields.some((f) => f.path.endsWith('.image'))), 'the image drift');
        assert.ok(Date.now() - changedAt <= 3_000);
        const accepted = await preview.executeUpdate(acceptDriftUpdate, { args: [{ actor: 'bob', reason: 'hotfix deployed by hand during the incident' }] });
        assert.match(accepted.message, /wrote the live values to Git: committed [0-9a-f]{12} \(envs\/preview\/deployment\.yaml\)/);
        const { dir: clone, git } = await ramp.remote.workdir();
        const file = await readFile(path.join(clone, 'envs/preview/deployment.yaml'), 'utf8');
        assert.match(file, /image: web:1\.1\.1-hotfix # ramp: release/, 'the value changed, the comment kept');
        const message = await git.raw(['log', '-1', '--format=%B']);
        assert.match(message, /Ramp-Drift: accepted by bob: hotfix deployed by hand during the incident/);
        assert.deepEqual((await git.raw(['show', '--stat', '--format=', 'HEAD'])).trim().split('\n').length, 2, 'one file changed');
        await waitDrift(preview, (s) => s.phase === 'InSync', 'in sync with the accepted commit');

        // Policy revert: staging puts Git's state back by itself.
        changedAt = Date.now();
        await kube.admin.mergePatch(deploymentRef('staging', 'web-stable'), { spec: { replicas: 5 } });
        const reverted = await waitDrift(staging, (s) => s.events.some((e) => e.kind === 'drift-reverted'), 'the automatic revert');
        assert.ok(Date.now() - changedAt <= 4_000, `reverted ${Date.now() - changedAt} ms after the change`);
        assert.match(reverted.events.find((e) => e.kind === 'drift-reverted')!.message, /spec\.replicas 5 \(Git: 2\)/);
        assert.equal(spec(await kube.admin.get(deploymentRef('staging', 'web-stable'))).replicas, 2);

        // Stopped from the CLI: both watches end, with their record.
        const stopped = await cli(['--stop']);
        assert.equal(stopped.code, 0, stopped.stderr);
        assert.match(stopped.stdout, /preview: drift watch .* stopped\n.*staging: drift watch .* stopped/s);
        const ended = await preview.result();
        assert.equal(ended.events.at(-1)?.message, 'stopped by ops');
      } finally {
        await Promise.all([preview, staging].map((h) => h.signal(stopDriftSignal, { actor: 'test' }).catch(() => undefined)));
      }
    });
  });
});
