/**
 * Drift detection against a real cluster: after a promotion the stage's drift watch compares
 * the live objects with Git every interval. A change made behind Git's back (here by the test,
 * as admin) is reported; an operator accepts it (ramp commits the live value to Git) or rejects
 * it (ramp restores Git's state); policy revert restores by itself.
 *
 * Each test stands alone: its own namespaces, GitOps remote, pipeline, worker and promotion, so
 * that one failure hides none of the others. How soon a change is seen is the interval's
 * business (test/workflows/drift.test.ts) and the machine's (bench/kube.ts: one drift check).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { KubeObject } from '../../src/providers/kube/objects.js';
import type { driftWorkflow } from '../../workflows/drift.js';
import { acceptDriftUpdate, driftStatusQuery, driftWorkflowId, rejectDriftUpdate, stopDriftSignal, type DriftStatus } from '../../workflows/drift-messages.js';
import { promotionWorkflowId, type PromotionStatus } from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { ramp as runRamp, type RampRun } from '../cli/helpers.js';
import { getKube, type KubeTestEnv } from '../harness/kube.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { kubeSeed, type StageName } from '../support/kube-seed.js';
import { pipelineYaml, pipelineSpec, uniqueName } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { refusalOf, waitFor } from '../support/wait.js';

/** Generous: the machine is shared; the interval is 1 s. */
const WAIT_MS = 60_000;

type DriftStage = Extract<StageName, 'preview' | 'staging'>;

/** preview: policy alert; staging: policy revert; both synced by ramp, checked every second. */
const DRIFT_STAGES = {
  preview: { with: ['sync: { mode: apply, timeout: 60s }', 'drift: { policy: alert, interval: 1s }'] },
  staging: { with: ['sync: { mode: apply, timeout: 60s }', 'drift: { policy: revert, interval: 1s }'] },
} as const;

interface Watched {
  ramp: RealRamp;
  /** `ramp drift <pipeline file> …` against this test's worker, as ops. */
  cli(args: string[]): Promise<RampRun>;
  watch(stage: DriftStage): WorkflowHandle<typeof driftWorkflow>;
  waitDrift(stage: DriftStage, done: (s: DriftStatus) => boolean, what: string): Promise<DriftStatus>;
  deployment(stage: DriftStage, name: string): Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>;
  namespace(stage: DriftStage): string;
}

const spec = (o: KubeObject | null) => (o?.spec ?? {}) as { replicas?: number; template: { spec: { containers: { image: string }[] } } };

describe('drift detection in a real cluster', () => {
  let env: TestWorkflowEnvironment;
  let kube: KubeTestEnv;
  let dir: string;
  before(async () => {
    [env, kube] = await Promise.all([getTestEnv(), getKube()]);
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-drift-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    await env?.teardown();
  });

  /**
   * Promotes 1.1.0 through `stages` in namespaces of the test's own, waits until each watch has
   * found the cluster as Git says, runs `body`, and stops the watches.
   */
  async function promoted(prefix: string, stages: DriftStage[], body: (w: Watched) => Promise<void>): Promise<void> {
    const seed = await kubeSeed(kube, prefix);
    const ramp = await realRamp(env, {}, { kubeconfig: kube.workerKubeconfig, kustomize: kube.kustomize, seedDir: seed.dir });
    try {
      const name = uniqueName(prefix);
      const yaml = pipelineYaml({ name, url: ramp.remote.remoteUrl, stages: Object.fromEntries(stages.map((s) => [s, DRIFT_STAGES[s]])) });
      const pipelineFile = path.join(dir, `${name}.yaml`);
      await writeFile(pipelineFile, yaml);
      const { worker, taskQueue } = await createTestWorker(env, { activities: ramp.activities });
      const watched: Watched = {
        ramp,
        cli: (args) => runRamp(['drift', pipelineFile, ...args], { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: taskQueue, RAMP_USER: 'ops' }),
        watch: (stage) => env.client.workflow.getHandle<typeof driftWorkflow>(driftWorkflowId(name, stage)),
        waitDrift: (stage, done, what) => waitFor(() => watched.watch(stage).query(driftStatusQuery), done, `${stage}: ${what}`, WAIT_MS),
        deployment: (stage, deployment) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: deployment, namespace: seed.namespaces[stage] } }),
        namespace: (stage) => seed.namespaces[stage],
      };
      await worker.runUntil(async () => {
        const result: PromotionStatus = await env.client.workflow.execute<typeof promotionWorkflow>('promotionWorkflow', {
          taskQueue,
          workflowId: promotionWorkflowId(name, '1.1.0'),
          args: [{ apiVersion: 'ramp/v1', pipeline: pipelineSpec(yaml), version: '1.1.0', requestedBy: 'rm', kind: 'promote' }],
        });
        assert.equal(result.phase, 'Succeeded', result.message);
        try {
          // The stages started their watches; once the promotion is gone they compare.
          for (const stage of stages) await watched.waitDrift(stage, (s) => s.phase === 'InSync', 'in sync after the promotion');
          await body(watched);
        } finally {
          await Promise.all(
            stages.map((s) =>
              watched
                .watch(s)
                .signal(stopDriftSignal, { actor: 'test' })
                .catch(() => undefined),
            ),
          );
        }
      });
    } finally {
      await ramp.cleanup();
      await rm(seed.dir, { recursive: true, force: true });
    }
  }

  /** Someone scales the preview Deployment to 3 by hand; waits until the watch reports it. */
  async function scalePreview(w: Watched): Promise<DriftStatus> {
    await kube.admin.mergePatch(w.deployment('preview', 'web'), { spec: { replicas: 3 } });
    return w.waitDrift('preview', (s) => s.phase === 'Drifted', 'the replica drift');
  }

  test('after a promotion every watch finds the cluster as Git says: `ramp drift` exits 0', async () => {
    await promoted('drift-insync', ['preview', 'staging'], async (w) => {
      const shown = await w.cli([]);
      assert.equal(shown.code, 0, `no drift: exit 0\n${shown.stdout}${shown.stderr}`);
      for (const stage of ['preview', 'staging'] as const) {
        const status = await w.watch(stage).query(driftStatusQuery);
        assert.deepEqual(status.drifts, []);
        assert.ok(status.lastCheck && status.lastCheck.compared > 0, `${stage} compared objects: ${JSON.stringify(status.lastCheck)}`);
      }
    });
  });

  test("a replica count scaled by hand is reported once, with Git's and the cluster's value; `ramp drift` shows it and exits 1", async () => {
    await promoted('drift-report', ['preview'], async (w) => {
      const drifted = await scalePreview(w);
      assert.deepEqual(
        drifted.drifts.map((d) => [d.object, d.fields.map((f) => [f.path, f.live, f.desired])]),
        [[`Deployment ${w.namespace('preview')}/web`, [['spec.replicas', 3, 1]]]],
      );
      assert.equal(drifted.events.filter((e) => e.kind === 'drift-detected').length, 1);
      const shown = await w.cli(['--stage', 'preview']);
      assert.equal(shown.code, 1, 'drift: exit 1');
      assert.match(shown.stdout, /Drifted/);
      assert.match(shown.stdout, /spec\.replicas: 3 in the cluster, 1 in Git/);
      assert.match(shown.stdout, /--accept .* \| --reject/);
    });
  });

  test("reject restores Git's state and records who and why; with nothing left to decide, a reject is refused", async () => {
    await promoted('drift-reject', ['preview'], async (w) => {
      await scalePreview(w);
      const rejected = await w.cli(['--stage', 'preview', '--reject', '--as', 'alice', '--reason', 'nobody may scale previews']);
      assert.equal(rejected.code, 0, rejected.stderr);
      assert.match(rejected.stdout, /restored Git's state of Deployment .*\/web/);
      assert.equal(spec(await kube.admin.get(w.deployment('preview', 'web'))).replicas, 1);
      const afterReject = await w.waitDrift('preview', (s) => s.phase === 'InSync', 'in sync again');
      assert.ok(
        afterReject.events.some((e) => e.kind === 'drift-rejected' && e.actor === 'alice' && /nobody may scale previews/.test(e.message)),
        JSON.stringify(afterReject.events),
      );
      assert.match(await refusalOf(w.watch('preview').executeUpdate(rejectDriftUpdate, { args: [{ actor: 'alice' }] })), /no drift to reject/);
    });
  });

  test("accept commits the cluster's image to Git (one file, the comment kept, who and why in a trailer)", async () => {
    await promoted('drift-accept', ['preview'], async (w) => {
      const live = await kube.admin.get(w.deployment('preview', 'web'));
      const containers = spec(live).template.spec.containers.map((c) => ({ ...c, image: 'web:1.1.1-hotfix' }));
      await kube.admin.mergePatch(w.deployment('preview', 'web'), { spec: { template: { spec: { containers } } } });
      await w.waitDrift('preview', (s) => s.drifts.some((d) => d.fields.some((f) => f.path.endsWith('.image'))), 'the image drift');

      const accepted = await w
        .watch('preview')
        .executeUpdate(acceptDriftUpdate, { args: [{ actor: 'bob', reason: 'hotfix deployed by hand during the incident' }] });
      assert.match(accepted.message, /wrote the live values to Git: committed [0-9a-f]{12} \(envs\/preview\/deployment\.yaml\)/);
      const { dir: clone, git } = await w.ramp.remote.workdir();
      const file = await readFile(path.join(clone, 'envs/preview/deployment.yaml'), 'utf8');
      assert.match(file, /image: web:1\.1\.1-hotfix # ramp: release/, 'the value changed, the comment kept');
      assert.match(await git.raw(['log', '-1', '--format=%B']), /Ramp-Drift: accepted by bob: hotfix deployed by hand during the incident/);
      assert.equal((await git.raw(['show', '--stat', '--format=', 'HEAD'])).trim().split('\n').length, 2, 'one file changed');
      await w.waitDrift('preview', (s) => s.phase === 'InSync', 'in sync with the accepted commit');
    });
  });

  test("policy revert: the watch puts Git's replica count back by itself and records it", async () => {
    await promoted('drift-revert', ['staging'], async (w) => {
      await kube.admin.mergePatch(w.deployment('staging', 'web-stable'), { spec: { replicas: 5 } });
      const reverted = await w.waitDrift('staging', (s) => s.events.some((e) => e.kind === 'drift-reverted'), 'the automatic revert');
      assert.match(reverted.events.find((e) => e.kind === 'drift-reverted')!.message, /spec\.replicas 5 \(Git: 2\)/);
      assert.equal(spec(await kube.admin.get(w.deployment('staging', 'web-stable'))).replicas, 2);
    });
  });

  test('`ramp drift --stop` ends every watch of the pipeline, each with its record', async () => {
    await promoted('drift-stop', ['preview', 'staging'], async (w) => {
      const stopped = await w.cli(['--stop']);
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stdout, /preview: drift watch .* stopped\n.*staging: drift watch .* stopped/s);
      for (const stage of ['preview', 'staging'] as const) {
        const ended = await w.watch(stage).result();
        assert.equal(ended.events.at(-1)?.message, 'stopped by ops', stage);
      }
    });
  });
});
