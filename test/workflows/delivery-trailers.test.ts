/**
 * A promotion's commits carry its release's delivery trailers (docs/dora.md): the source commit
 * and time, and the version it fixes forward — on every commit of every stage; a rollback's
 * commits carry when it was detected. On the real dev server with a fake of ramp's own activities.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { promotionWorkflowId, stageWorkflowId, stageStatusQuery, type PromotionInput } from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { fakeRamp } from '../support/fake-activities.js';
import { webPipeline } from '../support/pipelines.js';

let env: TestWorkflowEnvironment;
before(async () => (env = await getTestEnv()));
after(async () => env?.teardown());

test("every commit of a promotion carries its release's source and what it fixes", async () => {
  const fake = fakeRamp();
  const spec = webPipeline();
  const pipeline = { ...spec, stages: spec.stages.slice(0, 2) }; // preview (update), staging (canary)
  const release = { commit: '0123456789abcdef0123456789abcdef01234567', time: '2026-11-01T08:00:00Z', authors: ['dev'], fixes: '1.0.9' };
  const input: PromotionInput = {
    apiVersion: 'ramp/v1',
    pipeline,
    version: '1.1.0',
    requestedBy: 'rm',
    kind: 'promote',
    release,
    settings: { environmentPollMs: 200 },
  };
  const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities });
  const status = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue,
      workflowId: promotionWorkflowId(pipeline.name, '1.1.0'),
      args: [input],
    });
    return promotionOutcome(handle.result());
  });
  assert.equal(status.phase, 'Succeeded', status.message);
  assert.deepEqual(
    fake.commits.map((c) => [c.trailers.stage, c.trailers.step]),
    [
      ['preview', '1/update'],
      ['staging', '1/0/canary/10'],
      ['staging', '1/1/setWeight-50'],
      ['staging', '1/promote'],
    ],
  );
  for (const c of fake.commits) {
    assert.deepEqual(
      { source: c.trailers.source, fixes: c.trailers.fixes, detectedAt: c.trailers.detectedAt },
      { source: { commit: release.commit, time: release.time }, fixes: '1.0.9', detectedAt: undefined },
      `${c.trailers.stage} ${c.trailers.step}`,
    );
  }
});

test("a rollback promotion's commit carries when its stage started, and no source", async () => {
  const fake = fakeRamp();
  fake.fieldHistory = ['web:1.1.0', 'web:1.0.0'];
  const spec = webPipeline();
  const pipeline = { ...spec, stages: spec.stages.slice(0, 1) };
  const input: PromotionInput = {
    apiVersion: 'ramp/v1',
    pipeline,
    version: '1.0.0',
    requestedBy: 'oncall',
    kind: 'rollback',
    stages: ['preview'],
    settings: { environmentPollMs: 200 },
  };
  const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities });
  const { status, started } = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue,
      workflowId: promotionWorkflowId(pipeline.name, '1.0.0', 'rollback', ['preview']),
      args: [input],
    });
    const status = await promotionOutcome(handle.result());
    const stage = await env.client.workflow.getHandle(stageWorkflowId(pipeline.name, 'preview')).query(stageStatusQuery);
    return { status, started: stage.events.find((e) => e.kind === 'started')?.at };
  });
  assert.equal(status.phase, 'Succeeded', status.message);
  assert.ok(started, 'the stage recorded its start');
  assert.deepEqual(
    fake.commits.map((c) => [c.trailers.step, c.trailers.detectedAt, c.trailers.source, c.trailers.fixes]),
    [['1/update', started, undefined, undefined]],
  );
});
