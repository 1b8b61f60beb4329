/**
 * A worker killed with SIGKILL in the middle of a stage, then restarted: the promotion
 * finishes with every commit exactly once (idempotent steps, recognised by their trailers).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { simpleGit } from 'simple-git';
import { promotionWorkflowId } from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { getTestEnv, uniqueTaskQueue } from '../harness/temporal.js';
import { webPipeline } from '../support/pipelines.js';
import { realRamp } from '../support/real-ramp.js';
import { startWorkerProcess } from '../support/worker-process.js';

let env: TestWorkflowEnvironment;
before(async () => (env = await getTestEnv()));
after(async () => env?.teardown());

const WEIGHTS = [10, 20, 30, 40, 50, 60, 70, 80];

test('SIGKILL mid-stage, restart: no duplicate and no missing commit', async () => {
  const ramp = await realRamp(env);
  const taskQueue = uniqueTaskQueue('crash');
  const workerEnv = { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: taskQueue, RAMP_CACHE_DIR: ramp.cacheDir, RAMP_GROUPS_FILE: ramp.groupsFile };
  let worker = startWorkerProcess(workerEnv);
  try {
    const spec = webPipeline({ url: ramp.remote.remoteUrl, stagingSteps: WEIGHTS.map((w) => `setWeight: ${w}`) });
    const pipeline = { ...spec, stages: spec.stages.slice(0, 2) };
    await worker.started;
    const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue,
      workflowId: promotionWorkflowId(pipeline.name, '2.0.0'),
      args: [{ apiVersion: 'ramp/v1', pipeline, version: '2.0.0', requestedBy: 'rm', kind: 'promote' }],
    });

    // Kill the worker the moment the remote has its third staging commit: the activity that
    // pushed it may not even have reported back yet.
    const bare = simpleGit(ramp.remote.bareDir);
    const stagingCommits = async () =>
      (await bare.raw(['log', '--format=%(trailers:key=Ramp-Stage,valueonly)', 'main'])).split('\n').filter((l) => l.trim() === 'staging').length;
    const deadline = Date.now() + 60_000;
    while ((await stagingCommits()) < 3) {
      assert.ok(Date.now() < deadline, `staging never reached 3 commits; worker output:\n${worker.output()}`);
      await sleep(10);
    }
    await worker.kill('SIGKILL');
    const atKill = await stagingCommits();

    worker = startWorkerProcess(workerEnv);
    const result = await handle.result();
    assert.equal(result.phase, 'Succeeded');

    const steps = (
      await bare.raw(['log', '--reverse', '--format=%(trailers:key=Ramp-Step,valueonly,separator=)|%(trailers:key=Ramp-Stage,valueonly,separator=)', 'main'])
    )
      .split('\n')
      .filter((l) => l.includes('|') && l !== '|');
    const expected = ['1/update|preview', '1/0/canary/10|staging', ...WEIGHTS.slice(1).map((w, i) => `1/${i + 1}/setWeight-${w}|staging`), '1/promote|staging'];
    assert.deepEqual(steps, expected, `killed with ${atKill} staging commits in the remote`);
    assert.match((await ramp.files('envs/staging'))['stable.yaml']!, /image: web:2\.0\.0/);
  } finally {
    await worker.kill('SIGKILL');
    await ramp.cleanup();
  }
});
