/**
 * The promotion state machine on the real dev server, with a hand-written fake of ramp's own
 * activity interface (test/support/fake-activities.ts). Real Git: test/integration/promotion.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  abortUpdate,
  approveUpdate,
  pauseUpdate,
  promotionStatusQuery,
  promotionWorkflowId,
  rejectUpdate,
  resumeUpdate,
  retryUpdate,
  skipUpdate,
  stageStatusQuery,
  stageWorkflowId,
  type PromotionInput,
  type PromotionStatus,
  type StageStatus,
} from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import type { PipelineSpec } from '../../src/schema/pipeline.js';
import { fakeRamp, type FakeRamp } from '../support/fake-activities.js';
import { webPipeline } from '../support/pipelines.js';
import { refusalOf, waitFor } from '../support/wait.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { recordHistories } from '../replay/record.js';
import { PROMOTION_ABORTED, promotionOutcome } from '../../workflows/promotion-outcome.js';
import { RampKind, RampPhase, RampPipeline, RampPromotion, RampStage, RampVersion, RampWaitingFor } from '../../workflows/search-attributes.js';

const groups = { 'release-managers': ['carol', 'dave'] };

describe('promotion workflow (fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  async function run(
    pipeline: PipelineSpec,
    fake: FakeRamp,
    body: (h: WorkflowHandle<typeof promotionWorkflow>, ids: { promotionId: string; stage: (s: string) => string }) => Promise<void>,
    version = '1.1.0',
    record?: string,
  ) {
    const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities });
    const promotionId = promotionWorkflowId(pipeline.name, version);
    const input: PromotionInput = {
      apiVersion: 'ramp/v1',
      pipeline,
      version,
      requestedBy: 'rm',
      kind: 'promote',
      settings: { environmentPollMs: 200, retryWindowMs: 60_000 },
    };
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', { taskQueue, workflowId: promotionId, args: [input] });
      await body(handle, { promotionId, stage: (s) => stageWorkflowId(pipeline.name, s) });
      if (record) await recordHistories(env, record, handle, pipeline);
    });
  }

  const stageHandle = (id: string) => env.client.workflow.getHandle(id);
  const stageStatus = (id: string) => stageHandle(id).query(stageStatusQuery);
  const waitStage = (id: string, done: (s: StageStatus) => boolean, what: string) => waitFor(() => stageStatus(id), done, what);

  test('happy path: three stages, a paused canary resumed, an approval with a refused attempt', async () => {
    const fake = fakeRamp(groups);
    const pipeline = webPipeline();
    await run(
      pipeline,
      fake,
      async (handle, { promotionId, stage }) => {
        const production = stage('production');
        await waitStage(production, (s) => s.phase === 'AwaitingApproval', 'the production approval gate');
        const attributes = (await stageHandle(production).describe()).typedSearchAttributes;
        assert.deepEqual(
          [RampKind, RampPipeline, RampVersion, RampStage, RampPromotion, RampPhase].map((k) => attributes.get(k)),
          ['stage', pipeline.name, '1.1.0', 'production', promotionId, 'AwaitingApproval'],
        );
        assert.deepEqual(attributes.get(RampWaitingFor), ['alice', 'carol', 'dave']);
        const promotionAttributes = (await handle.describe()).typedSearchAttributes;
        assert.deepEqual(
          [RampKind, RampPhase, RampStage].map((k) => promotionAttributes.get(k)),
          ['promotion', 'Running', 'production'],
        );

        const refused = await stageHandle(production)
          .executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'mallory' }] })
          .catch((e: unknown) => e);
        assert.ok(refused instanceof WorkflowUpdateFailedError);
        assert.match(
          String(refused.cause?.message),
          /mallory \(unverified\) is not an approver of the gate approval of production: its approvers are alice, group:release-managers/,
        );
        const ack = await stageHandle(production).executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'carol', comment: 'ship it' }] });
        assert.equal(ack.message, 'carol approved the gate approval (1/1): ship it');

        await waitStage(production, (s) => s.phase === 'Paused' && s.pauseReason === 'CanaryPauseStep', 'the indefinite pause');
        await stageHandle(production).executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'rm' }] });
        const result = await handle.result();
        assert.equal(result.phase, 'Succeeded');
        assert.deepEqual(
          result.stages.map((s) => s.phase),
          ['Promoted', 'Promoted', 'Promoted'],
        );
        const done = await handle.describe();
        assert.equal(done.status.name, 'COMPLETED');
        assert.equal(done.typedSearchAttributes.get(RampPhase), 'Succeeded');
        assert.equal(done.typedSearchAttributes.get(RampWaitingFor), undefined);

        const prod = result.stages[2]!.result!;
        assert.deepEqual(
          prod.approvals[0]!.refused.map((r) => [r.actor, r.action]),
          [['mallory', 'approve']],
        );
        assert.deepEqual(
          prod.approvals[0]!.approvals.map((d) => d.actor),
          ['carol'],
        );
        assert.ok(prod.events.some((e) => e.kind === 'approve-refused' && e.actor === 'mallory'));
      },
      '1.1.0',
      'success',
    );
    assert.deepEqual(
      fake.commits.map((c) => `${c.trailers.stage} ${c.trailers.step}`),
      [
        'preview 1/update',
        'staging 1/0/canary/10',
        'staging 1/1/setWeight-50',
        'staging 1/promote',
        'production 1/0/canary/20',
        'production 1/2/setWeight-60',
        'production 1/promote',
      ],
    );
    assert.deepEqual(
      fake.commits.filter((c) => c.trailers.stage === 'production').map((c) => c.trailers.approvedBy),
      [['carol'], ['carol'], ['carol']],
    );
    assert.equal(fake.reverts.length, 0);
  });

  test('abort mid-canary reverts the stage newest-first and ends the promotion', async () => {
    const fake = fakeRamp(groups);
    const pipeline = webPipeline({ stagingSteps: ['setWeight: 10', 'setWeight: 30', 'pause: {}', 'setWeight: 50'] });
    await run(
      pipeline,
      fake,
      async (handle, { promotionId, stage }) => {
        await waitStage(stage('staging'), (s) => s.phase === 'Paused', 'the staging pause');
        const noReason = await handle.executeUpdate(abortUpdate, { args: [{ promotionId, actor: 'rm', reason: ' ' }] }).catch((e: unknown) => e);
        assert.ok(noReason instanceof WorkflowUpdateFailedError);
        const ack = await handle.executeUpdate(abortUpdate, { args: [{ promotionId, actor: 'rm', reason: 'error budget burning' }] });
        assert.match(ack.message, /aborting stage staging/);
        // Not a green COMPLETED in Temporal: the run fails, typed, with the final status as details.
        const failure = await handle.result().then(
          () => null,
          (e: unknown) => e,
        );
        assert.ok(failure instanceof WorkflowFailedError, String(failure));
        assert.ok(failure.cause instanceof ApplicationFailure);
        assert.equal(failure.cause.type, PROMOTION_ABORTED);
        assert.equal(failure.cause.nonRetryable, true);
        const described = await handle.describe();
        assert.equal(described.status.name, 'FAILED');
        assert.equal(described.typedSearchAttributes.get(RampPhase), 'Aborted');
        const result: PromotionStatus = await promotionOutcome(handle.result());
        assert.equal(result.phase, 'Aborted');
        const staging = result.stages[1]!.result!;
        assert.equal(staging.phase, 'RolledBack');
        assert.deepEqual(staging.failure, { reason: 'Aborted', message: 'aborted by rm: error budget burning' });
        assert.deepEqual(
          result.stages.map((s) => s.phase),
          ['Promoted', 'RolledBack', 'Pending'],
        );
      },
      '1.1.0',
      'abort',
    );
    const stagingCommits = fake.commits.filter((c) => c.trailers.stage === 'staging');
    assert.equal(stagingCommits.length, 2);
    assert.equal(fake.reverts.length, 1);
    assert.equal(fake.reverts[0]!.stage, 'staging');
    assert.equal(fake.reverts[0]!.reason, 'aborted by rm: error budget burning');
    assert.equal(fake.reverts[0]!.commits.length, 2, 'both staging commits, newest first');
  });

  test('a rejection rolls the stage back; resume cannot stand in for an approval', async () => {
    const fake = fakeRamp(groups);
    const pipeline = webPipeline({ stagingSteps: ['setWeight: 10', 'approval: { approvers: [alice] }', 'setWeight: 50'] });
    await run(
      pipeline,
      fake,
      async (handle, { promotionId, stage }) => {
        const staging = stage('staging');
        await waitStage(staging, (s) => s.pauseReason === 'AwaitingApproval', 'the approval step');
        assert.match(
          await refusalOf(stageHandle(staging).executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'rm' }] })),
          /waits for approval, which resume cannot give/,
        );
        assert.match(
          await refusalOf(stageHandle(staging).executeUpdate(skipUpdate, { args: [{ promotionId, actor: 'rm' }] })),
          /bypass the approval at step 2/,
        );
        await stageHandle(staging).executeUpdate(rejectUpdate, { args: [{ promotionId, actor: 'alice', reason: 'latency regression' }] });
        const result = await promotionOutcome(handle.result());
        assert.equal(result.phase, 'Aborted');
        assert.deepEqual(result.stages[1]!.result!.failure, { reason: 'Rejected', message: 'rejected by alice: latency regression' });
      },
      '1.1.0',
      'rejection',
    );
    assert.equal(fake.reverts[0]!.commits.length, 1);
  });

  test('a failed step rolls back, then retry re-runs the stage as attempt 2', async () => {
    const fake = fakeRamp(groups);
    const pipeline = webPipeline({ productionApproval: '', productionSteps: ['setWeight: 50'] });
    fake.failCommits(/staging: canary 1\.1\.0 at 50%/);
    await run(
      pipeline,
      fake,
      async (handle, { promotionId }) => {
        const failed = await waitFor(
          () => handle.query(promotionStatusQuery),
          (s) => s.phase === 'Failed',
          'the failed promotion',
        );
        const waiting = await waitFor(
          () => handle.describe(),
          (d) => d.typedSearchAttributes.get(RampPhase) === 'Failed',
          'RampPhase Failed',
        );
        assert.deepEqual(waiting.typedSearchAttributes.get(RampWaitingFor), ['operator']);
        assert.match(failed.message, /stage staging failed: .*conflict in route\.yaml.*ramp retry/);
        assert.equal(fake.reverts.length, 1);
        fake.failCommits(/never/);
        await handle.executeUpdate(retryUpdate, { args: [{ promotionId, actor: 'rm' }] });
        const result = await handle.result();
        assert.equal(result.phase, 'Succeeded');
        assert.equal(result.stages[1]!.attempt, 2);
      },
      '1.1.0',
      'rollback-retry',
    );
    assert.ok(fake.commits.some((c) => c.trailers.step === '2/1/setWeight-50'));
  });

  test('rollback.scope: promotion reverts the earlier stages too, latest stage first', async () => {
    const fake = fakeRamp(groups);
    const pipeline = webPipeline({ rollbackScope: 'promotion', productionApproval: '      approval: { approvers: [alice] }' });
    await run(pipeline, fake, async (handle, { promotionId, stage }) => {
      const production = stage('production');
      await waitFor(
        () => env.client.workflow.getHandle(production).query(stageStatusQuery),
        (s) => s.phase === 'AwaitingApproval',
        'the production gate',
      );
      await env.client.workflow.getHandle(production).executeUpdate(rejectUpdate, { args: [{ promotionId, actor: 'alice', reason: 'not this week' }] });
      const result = await promotionOutcome(handle.result());
      assert.equal(result.phase, 'Aborted');
      assert.match(result.message, /earlier stages were rolled back too/);
      assert.deepEqual(
        result.stages.map((s) => s.phase),
        ['RolledBack', 'RolledBack', 'RolledBack'],
      );
    });
    assert.deepEqual(
      fake.reverts.map((r) => [r.stage, r.commits.length, r.reason]),
      [
        ['staging', 3, 'promotion rolled back: rejected by alice: not this week'],
        ['preview', 1, 'promotion rolled back: rejected by alice: not this week'],
      ],
    );
    const stagingShas = fake.commits.filter((c) => c.trailers.stage === 'staging').map((c) => c.trailers.step);
    assert.deepEqual(stagingShas, ['1/0/canary/10', '1/1/setWeight-50', '1/promote']);
  });

  test('an approval that times out with onTimeout: reject fails the stage before it writes', async () => {
    const fake = fakeRamp(groups);
    const spec = webPipeline({ productionApproval: '      approval: { approvers: [alice], timeout: 300ms }' });
    const pipeline = { ...spec, stages: spec.stages.slice(2) };
    await run(pipeline, fake, async (handle) => {
      const result = await promotionOutcome(handle.result());
      assert.equal(result.phase, 'Aborted');
      const production = result.stages[0]!.result!;
      assert.deepEqual(production.failure, { reason: 'ApprovalTimedOut', message: 'the gate approval timed out after 300ms' });
      assert.equal(production.approvals[0]!.outcome, 'TimedOut');
      assert.equal(production.phase, 'RolledBack');
    });
    assert.equal(fake.commits.length, 0);
  });

  test('a second promotion into a busy environment waits its turn, visibly', async () => {
    const fake = fakeRamp(groups);
    const pipeline = webPipeline({ stagingSteps: ['setWeight: 10', 'pause: {}'], productionApproval: '' });
    const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities });
    const start = (version: string) =>
      env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionWorkflowId(pipeline.name, version),
        args: [
          {
            apiVersion: 'ramp/v1',
            pipeline: { ...pipeline, stages: pipeline.stages.slice(0, 2) },
            version,
            requestedBy: 'rm',
            kind: 'promote',
            settings: { environmentPollMs: 100 },
          },
        ],
      });
    await worker.runUntil(async () => {
      const first = await start('1.1.0');
      const staging = stageWorkflowId(pipeline.name, 'staging');
      await waitStage(staging, (s) => s.phase === 'Paused', 'the first promotion paused in staging');
      fake.holders.set(staging, first.workflowId);
      const second = await start('1.2.0');
      const waiting = await waitFor(
        () => second.query(promotionStatusQuery),
        (s) => s.phase === 'WaitingForEnvironment',
        'the second promotion to wait',
      );
      assert.deepEqual(waiting.waitingFor, { stage: 'staging', heldBy: first.workflowId });
      const visible = await waitFor(
        () => second.describe(),
        (d) => d.typedSearchAttributes.get(RampPhase) === 'WaitingForEnvironment',
        'RampPhase WaitingForEnvironment',
      );
      assert.deepEqual(visible.typedSearchAttributes.get(RampWaitingFor), [first.workflowId]);
      assert.equal(visible.typedSearchAttributes.get(RampStage), 'staging');
      assert.match(waiting.message, /waiting for environment staging, held by .*@1\.1\.0/);
      fake.holders.delete(staging);
      await stageHandle(staging).executeUpdate(resumeUpdate, { args: [{ promotionId: first.workflowId, actor: 'rm' }] });
      assert.equal((await first.result()).phase, 'Succeeded');
      await waitStage(staging, (s) => s.promotionId === second.workflowId && s.phase === 'Paused', 'the second promotion in staging');
      await stageHandle(staging).executeUpdate(resumeUpdate, { args: [{ promotionId: second.workflowId, actor: 'rm' }] });
      assert.equal((await second.result()).phase, 'Succeeded');
    });
  });

  test('pause holds the canary between steps until resume; skip promotes fully', async () => {
    const fake = fakeRamp(groups);
    const pipeline = webPipeline({
      stagingSteps: ['setWeight: 10', 'setWeight: 20', 'setWeight: 30', 'setWeight: 40'],
      productionApproval: '',
      productionSteps: ['setWeight: 50'],
    });
    const held = fake.holdCommits(/staging: canary 1\.1\.0 at 20%/);
    await run(pipeline, fake, async (handle, { promotionId, stage }) => {
      const staging = stage('staging');
      await held.reached;
      await stageHandle(staging).executeUpdate(pauseUpdate, { args: [{ promotionId, actor: 'rm', reason: 'checking dashboards' }] });
      assert.match(await refusalOf(stageHandle(staging).executeUpdate(pauseUpdate, { args: [{ promotionId, actor: 'rm' }] })), /already paused by rm/);
      held.release();
      const paused = await waitStage(staging, (s) => s.phase === 'Paused', 'the user pause');
      assert.equal(paused.pauseReason, 'UserPaused');
      assert.equal(paused.canaryWeight, 20);
      assert.match(
        await refusalOf(stageHandle(staging).executeUpdate(approveUpdate, { args: [{ promotionId: 'other@1', actor: 'rm' }] })),
        /running promotion .*, not other@1/,
      );
      await stageHandle(staging).executeUpdate(skipUpdate, { args: [{ promotionId, actor: 'rm' }] });
      const result = await handle.result();
      assert.equal(result.phase, 'Succeeded');
      assert.deepEqual(
        result.stages[1]!.result!.steps.map((s) => s.status),
        ['Succeeded', 'Succeeded', 'Skipped', 'Skipped'],
      );
    });
    assert.deepEqual(
      fake.commits.filter((c) => c.trailers.stage === 'staging').map((c) => c.trailers.step),
      ['1/0/canary/10', '1/1/setWeight-20', '1/promote'],
    );
  });
});
