/**
 * A freeze stops promotions for real: the freeze workflow, the window check's reader and a stage
 * on the dev server with real Git, all on one task queue (one ramp deployment). A promotion
 * started during a timed freeze waits (Paused, DeployWindowClosed, saying who froze and why) and
 * goes on by itself when the freeze ends; nothing reaches Git before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createFreezeActivities } from '../../activities/freeze.js';
import { declareFreezeUpdate, freezeWorkflowId } from '../../workflows/freeze-messages.js';
import { promotionWorkflowId, stageStatusQuery, stageWorkflowId, type StageStatus } from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { webPipeline } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { waitFor } from '../support/wait.js';

const DEADLINE_MS = 120_000;

describe('a freeze holds real promotions', () => {
  let env: TestWorkflowEnvironment;
  let real: RealRamp;
  before(async () => {
    env = await getTestEnv();
    real = await realRamp(env);
  });
  after(async () => {
    await real?.cleanup();
    await env?.teardown();
  });

  test('a promotion started during a timed freeze waits, says who froze it and why, and runs when the freeze ends', async () => {
    const spec = webPipeline({ url: real.remote.remoteUrl });
    const pipeline = { ...spec, stages: spec.stages.slice(0, 1) };
    const { worker, taskQueue } = await createTestWorker(env, {
      activities: { ...real.activities, ...createFreezeActivities({ freezeGroups: [], groupsFile: real.groupsFile }) },
    });
    await worker.runUntil(async () => {
      const freeze = await env.client.workflow.start('freezeWorkflow', { taskQueue, workflowId: freezeWorkflowId(taskQueue), args: [{}] });
      const until = new Date(Date.now() + 20_000).toISOString();
      await freeze.executeUpdate(declareFreezeUpdate, { args: [{ actor: 'olivia', reason: 'INC-9: payments degraded', until }] });
      const head = () => real.remote.workdir().then(async ({ git }) => (await git.raw(['ls-remote', real.remote.remoteUrl, 'refs/heads/main'])).split('\t')[0]);
      const headBefore = await head();

      const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionWorkflowId(pipeline.name, '1.1.0'),
        args: [{ apiVersion: 'ramp/v1', pipeline, version: '1.1.0', requestedBy: 'rm', kind: 'promote' }],
      });
      const stage = env.client.workflow.getHandle(stageWorkflowId(pipeline.name, 'preview'));
      const waiting = await waitFor<StageStatus>(
        () => stage.query(stageStatusQuery),
        (s) => s.pauseReason === 'DeployWindowClosed',
        'the stage to wait for the freeze',
        DEADLINE_MS,
      );
      assert.match(waiting.message, /INC-9: payments degraded/);
      assert.equal(waiting.commits.length, 0);
      assert.equal(await head(), headBefore, 'nothing reached Git during the freeze');

      const result = await promotionOutcome(handle.result());
      assert.equal(result.phase, 'Succeeded', result.message);
      const preview = result.stages[0]!.result!;
      assert.equal(preview.commits.length, 1);
      assert.ok(Date.parse(preview.commits[0]!.at) >= Date.parse(until), `written after the freeze ended (${preview.commits[0]!.at} ≥ ${until})`);
      await freeze.terminate('test done');
    });
  });
});
