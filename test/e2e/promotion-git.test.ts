/**
 * Promotions end to end on the real dev server with the real activities over a real Git
 * remote: what lands in the repository, byte for byte.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PipelineSpec } from '../../src/schema/pipeline.js';
import {
  abortUpdate,
  approveUpdate,
  promotionWorkflowId,
  rejectUpdate,
  resumeUpdate,
  stageStatusQuery,
  stageWorkflowId,
  type PromotionStatus,
  type StageStatus,
} from '../../workflows/messages.js';
import type { historyWorkflow } from '../../workflows/history.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { webPipeline } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { refusalOf, waitFor } from '../support/wait.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';

describe('promotion through a real GitOps repository', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  async function promote(
    ramp: RealRamp,
    pipeline: PipelineSpec,
    body: (h: WorkflowHandle<typeof promotionWorkflow>, stage: (name: string) => WorkflowHandle) => Promise<void>,
    version = '1.1.0',
  ) {
    const { worker, taskQueue } = await createTestWorker(env, { activities: ramp.activities });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionWorkflowId(pipeline.name, version),
        args: [{ apiVersion: 'ramp/v1', pipeline, version, requestedBy: 'rm', kind: 'promote' }],
      });
      await body(handle, (name) => env.client.workflow.getHandle(stageWorkflowId(pipeline.name, name)));
    });
  }
  const waitStage = (h: WorkflowHandle, done: (s: StageStatus) => boolean, what: string) => waitFor(() => h.query(stageStatusQuery), done, what);

  test('three stages with canaries and an approval land exactly the intended lines; history tells the story', async () => {
    const ramp = await realRamp(env, { 'release-managers': ['carol'] });
    try {
      const pipeline = webPipeline({ url: ramp.remote.remoteUrl });
      let result: PromotionStatus | undefined;
      await promote(ramp, pipeline, async (handle, stage) => {
        const production = stage('production');
        await waitStage(production, (s) => s.phase === 'AwaitingApproval', 'the production gate');
        assert.match(
          await refusalOf(production.executeUpdate(approveUpdate, { args: [{ promotionId: handle.workflowId, actor: 'mallory' }] })),
          /mallory \(unverified\) is not an approver/,
        );
        await production.executeUpdate(approveUpdate, { args: [{ promotionId: handle.workflowId, actor: 'carol' }] });
        await waitStage(production, (s) => s.phase === 'Paused', 'the production pause');
        await production.executeUpdate(resumeUpdate, { args: [{ promotionId: handle.workflowId, actor: 'rm' }] });
        result = await handle.result();
      });
      assert.equal(result?.phase, 'Succeeded');

      const seed = await ramp.seedFiles('envs/production');
      const live = await ramp.files('envs/production');
      assert.deepEqual(Object.keys(live), Object.keys(seed));
      assert.equal(live['stable.yaml'], seed['stable.yaml']!.replace('image: web:1.0.0 # the live release', 'image: web:1.1.0 # the live release'));
      assert.equal(live['canary.yaml'], seed['canary.yaml']!.replace(/image: web:1\.0\.0/, 'image: web:1.1.0'));
      assert.equal(live['route.yaml'], seed['route.yaml'], 'weights are back to 100/0, as seeded');
      assert.equal(live['kustomization.yaml'], seed['kustomization.yaml']);
      assert.equal(live['services.yaml'], seed['services.yaml']);
      const preview = await ramp.files('envs/preview');
      assert.match(preview['deployment.yaml']!, /image: web:1\.1\.0/);

      const { worker, taskQueue } = await createTestWorker(env, { activities: ramp.activities });
      const history = await worker.runUntil(
        env.client.workflow.execute<typeof historyWorkflow>('historyWorkflow', {
          taskQueue,
          workflowId: `history-${pipeline.name}`,
          args: [{ repository: pipeline.repository }],
        }),
      );
      assert.deepEqual(history.map((h) => `${h.stage} ${h.step}`).reverse(), [
        'preview 1/update',
        'staging 1/0/canary/10',
        'staging 1/1/setWeight-50',
        'staging 1/promote',
        'production 1/0/canary/20',
        'production 1/2/setWeight-60',
        'production 1/promote',
      ]);
      assert.ok(history.every((h) => h.promotion === `${pipeline.name}@1.1.0` && h.version === '1.1.0'));
      assert.deepEqual(
        history.filter((h) => h.stage === 'production').map((h) => h.approvedBy),
        [['carol'], ['carol'], ['carol']],
      );
    } finally {
      await ramp.cleanup();
    }
  });

  test('abort mid-canary and rejection both leave the stage byte-identical to before', async () => {
    const ramp = await realRamp(env);
    try {
      const pipeline = webPipeline({ url: ramp.remote.remoteUrl, stagingSteps: ['setWeight: 10', 'setWeight: 30', 'pause: {}', 'setWeight: 60'] });
      await promote(ramp, pipeline, async (handle, stage) => {
        await waitStage(stage('staging'), (s) => s.phase === 'Paused', 'the staging pause');
        assert.notDeepEqual(await ramp.files('envs/staging'), await ramp.seedFiles('envs/staging'), 'the canary is live in Git');
        await handle.executeUpdate(abortUpdate, { args: [{ promotionId: handle.workflowId, actor: 'rm', reason: 'p99 latency' }] });
        const result = await promotionOutcome(handle.result());
        assert.equal(result.phase, 'Aborted');
        assert.equal(result.stages[1]!.result!.reverts.length, 2);
      });
      assert.deepEqual(await ramp.files('envs/staging'), await ramp.seedFiles('envs/staging'));

      const rejecting = webPipeline({ url: ramp.remote.remoteUrl, stagingSteps: ['setWeight: 25', 'approval: { approvers: [alice] }', 'setWeight: 75'] });
      await promote(
        ramp,
        rejecting,
        async (handle, stage) => {
          const staging = stage('staging');
          await waitStage(staging, (s) => s.pauseReason === 'AwaitingApproval', 'the staging approval step');
          await staging.executeUpdate(rejectUpdate, { args: [{ promotionId: handle.workflowId, actor: 'alice', reason: 'dashboards look wrong' }] });
          const result = await promotionOutcome(handle.result());
          assert.equal(result.stages[1]!.result!.phase, 'RolledBack');
        },
        '1.2.0',
      );
      assert.deepEqual(await ramp.files('envs/staging'), await ramp.seedFiles('envs/staging'));
      assert.match((await ramp.files('envs/preview'))['deployment.yaml']!, /image: web:1\.2\.0/, 'preview keeps the release (rollback.scope: stage)');
    } finally {
      await ramp.cleanup();
    }
  });

  test('a commit pushed by someone else mid-promotion is rebased over, not lost', async () => {
    const ramp = await realRamp(env);
    try {
      const pipeline = webPipeline({
        url: ramp.remote.remoteUrl,
        stagingSteps: ['setWeight: 10', 'pause: {}', 'setWeight: 50'],
        productionApproval: '',
        productionSteps: ['setWeight: 50'],
      });
      await promote(ramp, pipeline, async (handle, stage) => {
        await waitStage(stage('staging'), (s) => s.phase === 'Paused', 'the staging pause');
        const { dir, git } = await ramp.remote.workdir();
        await writeFile(path.join(dir, 'envs/staging/NOTES.md'), 'maintenance window on Friday\n');
        await git.add('.');
        await git.commit('Add staging notes');
        await git.push('origin', 'main');
        await stage('staging').executeUpdate(resumeUpdate, { args: [{ promotionId: handle.workflowId, actor: 'rm' }] });
        assert.equal((await handle.result()).phase, 'Succeeded');
      });
      const staging = await ramp.files('envs/staging');
      assert.equal(staging['NOTES.md'], 'maintenance window on Friday\n');
      assert.match(staging['stable.yaml']!, /image: web:1\.1\.0/);
    } finally {
      await ramp.cleanup();
    }
  });

  test('a force-push that rewrites the branch mid-canary: resume writes nothing and waits for a person; abort cannot revert and says so', async () => {
    const ramp = await realRamp(env);
    try {
      const pipeline = webPipeline({
        url: ramp.remote.remoteUrl,
        stagingSteps: ['setWeight: 10', 'pause: {}', 'setWeight: 50'],
        productionApproval: '',
        productionSteps: ['setWeight: 50'],
      });
      const head = async (git: Awaited<ReturnType<typeof ramp.remote.workdir>>['git']) =>
        (await git.raw(['ls-remote', ramp.remote.remoteUrl, 'refs/heads/main'])).split('\t')[0];
      await promote(ramp, pipeline, async (handle, stage) => {
        const staging = stage('staging');
        await waitStage(staging, (s) => s.pauseReason === 'CanaryPauseStep', 'the staging pause');
        // Someone rewrites main from the seed: the canary's commits are gone from the branch.
        const { dir, git } = await ramp.remote.workdir();
        await git.raw(['reset', '--hard', ramp.remote.seedCommit]);
        await writeFile(path.join(dir, 'envs/staging/NOTES.md'), 'rewritten by hand\n');
        await git.add('.');
        await git.commit('Rewrite main by hand');
        await git.push(['--force', 'origin', 'main']);
        const rewritten = await head(git);

        await staging.executeUpdate(resumeUpdate, { args: [{ promotionId: handle.workflowId, actor: 'rm' }] });
        const stopped = await waitStage(staging, (s) => s.pauseReason === 'HistoryRewritten', 'the stage to stop on the rewritten branch');
        assert.match(stopped.message, /canary 1\.1\.0 at 50%: branch main of .* was rewritten .*ramp wrote nothing .*ramp resume .* checks again/);
        assert.ok(stopped.events.some((e) => e.kind === 'history-rewritten'));
        assert.equal(await head(git), rewritten, 'nothing was written on the rewritten branch');

        await handle.executeUpdate(abortUpdate, { args: [{ promotionId: handle.workflowId, actor: 'rm', reason: 'main was rewritten' }] });
        const result = await promotionOutcome(handle.result());
        assert.equal(result.phase, 'Aborted');
        const failed = result.stages[1]!.result!;
        assert.equal(failed.phase, 'Failed');
        assert.equal(failed.failure?.reason, 'HistoryRewritten');
        assert.match(failed.message, /the rollback wrote nothing: the branch no longer holds ramp's commits/);
        assert.equal(await head(git), rewritten, 'the abort wrote nothing either');
      });
    } finally {
      await ramp.cleanup();
    }
  });

  test('ramp rollback re-promotes an earlier version to one stage, fast: no gate, no canary steps', async () => {
    const ramp = await realRamp(env, { 'release-managers': ['carol'] });
    try {
      const pipeline = webPipeline({ url: ramp.remote.remoteUrl, productionSteps: ['setWeight: 50'] });
      await promote(ramp, pipeline, async (handle, stage) => {
        await waitStage(stage('production'), (s) => s.phase === 'AwaitingApproval', 'the production gate');
        await stage('production').executeUpdate(approveUpdate, { args: [{ promotionId: handle.workflowId, actor: 'carol' }] });
        assert.equal((await handle.result()).phase, 'Succeeded');
      });
      const { worker, taskQueue } = await createTestWorker(env, { activities: ramp.activities });
      const rollback = await worker.runUntil(
        env.client.workflow.execute<typeof promotionWorkflow>('promotionWorkflow', {
          taskQueue,
          workflowId: promotionWorkflowId(pipeline.name, '1.0.0', 'rollback', ['production']),
          args: [{ apiVersion: 'ramp/v1', pipeline, version: '1.0.0', requestedBy: 'oncall', kind: 'rollback', stages: ['production'] }],
        }),
      );
      assert.equal(rollback.phase, 'Succeeded');
      assert.deepEqual(
        rollback.stages.map((s) => s.name),
        ['production'],
      );
      const production = rollback.stages[0]!.result!;
      assert.deepEqual(
        production.commits.map((c) => c.step),
        ['1/promote'],
      );
      assert.ok(production.steps.every((s) => s.status === 'Skipped'));
      const live = await ramp.files('envs/production');
      const seed = await ramp.seedFiles('envs/production');
      assert.equal(live['stable.yaml'], seed['stable.yaml'], 'stable is back on 1.0.0, byte for byte');
      assert.equal(live['route.yaml'], seed['route.yaml']);
      assert.match((await ramp.files('envs/staging'))['stable.yaml']!, /image: web:1\.1\.0/, 'other stages keep 1.1.0');
      const { git } = await ramp.remote.workdir();
      const message = await git.raw(['log', '-1', '--format=%B', 'origin/main']);
      assert.match(message, /^Ramp-Requested-By: oncall$/m, 'the rollback commit names who asked for it');

      // A version that was never live in production is a promotion, not a rollback: refused, on the record, nothing written.
      const head = (await git.raw(['ls-remote', ramp.remote.remoteUrl, 'refs/heads/main'])).split('\t')[0];
      const again = await createTestWorker(env, { activities: ramp.activities });
      const refused = await again.worker.runUntil(
        promotionOutcome(
          env.client.workflow.execute<typeof promotionWorkflow>('promotionWorkflow', {
            taskQueue: again.taskQueue,
            workflowId: promotionWorkflowId(pipeline.name, '9.9.9', 'rollback', ['production']),
            args: [{ apiVersion: 'ramp/v1', pipeline, version: '9.9.9', requestedBy: 'oncall', kind: 'rollback', stages: ['production'] }],
          }),
        ),
      );
      assert.equal(refused.phase, 'Aborted');
      assert.match(refused.message, /9\.9\.9 was never live in production: .*never says web:9\.9\.9 \(it held web:1\.0\.0, web:1\.1\.0\).*ramp promote /);
      assert.ok(refused.events.some((e) => e.kind === 'rollback-refused' && e.actor === 'oncall'));
      assert.deepEqual(
        refused.stages.map((s) => s.phase),
        ['Pending'],
      );
      assert.equal((await git.raw(['ls-remote', ramp.remote.remoteUrl, 'refs/heads/main'])).split('\t')[0], head, 'nothing was written');
    } finally {
      await ramp.cleanup();
    }
  });

  test('an unreachable repository stops the promotion before anything is written', async () => {
    const ramp = await realRamp(env);
    try {
      const pipeline = webPipeline({ url: `${ramp.remote.remoteUrl}-missing` });
      await promote(ramp, pipeline, async (handle) => {
        const result = await promotionOutcome(handle.result());
        assert.equal(result.phase, 'Aborted');
        assert.match(result.message, /^nothing was changed: .*gitops\.git-missing/);
        assert.deepEqual(
          result.stages.map((s) => s.phase),
          ['Pending', 'Pending', 'Pending'],
        );
      });
    } finally {
      await ramp.cleanup();
    }
  });
});
