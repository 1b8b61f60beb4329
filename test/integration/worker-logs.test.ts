// The worker's structured logs (docs/worker.md#logs) from a real worker process (worker/main.ts,
// as `ramp worker` runs it) during a real promotion through a real GitOps repository: every line
// is one JSON object, and the lines about the promotion carry its promotion, pipeline, stage and
// step. RAMP_LOG_FORMAT=text gives the SDK's text lines instead.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { promotionWorkflowId } from '../../workflows/messages.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { getTestEnv, uniqueTaskQueue } from '../harness/temporal.js';
import { seedPipeline, uniqueName } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { waitFor } from '../support/wait.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

describe('worker logs', () => {
  let env: TestWorkflowEnvironment;
  let ramp: RealRamp;
  const workers: WorkerProcess[] = [];
  before(async () => {
    env = await getTestEnv();
    ramp = await realRamp(env);
  });
  after(async () => {
    for (const w of workers) await w.kill('SIGKILL');
    await ramp?.cleanup();
    await env?.teardown();
  });

  const start = (taskQueue: string, extra: Record<string, string> = {}) => {
    const worker = startWorkerProcess({ TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: taskQueue, RAMP_CACHE_DIR: ramp.cacheDir, ...extra });
    workers.push(worker);
    return worker;
  };

  test('JSON lines by default, with promotion, pipeline, stage and step on the lines of a promotion', async () => {
    const taskQueue = uniqueTaskQueue('logs');
    const worker = start(taskQueue, { RAMP_SECRET_GITOPS_DEPLOY_TOKEN: 'never-printed-9f8e7d6c' });
    await worker.started;
    const pipeline = seedPipeline({ name: uniqueName('logs'), url: ramp.remote.remoteUrl, stages: { preview: {}, staging: { steps: ['setWeight: 30'] } } });
    const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue,
      workflowId: promotionWorkflowId(pipeline.name, '1.1.0'),
      args: [{ apiVersion: 'ramp/v1', pipeline, version: '1.1.0', requestedBy: 'rm', kind: 'promote' }],
    });
    assert.equal((await promotionOutcome(handle.result())).phase, 'Succeeded');

    type Line = Record<string, unknown>;
    const lines = (): Line[] =>
      worker
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);
    const commits = await waitFor(
      () => Promise.resolve(lines().filter((l) => l.msg === 'git: committed and pushed' && l.promotion === handle.workflowId)),
      (found) => found.length >= 3,
      'the three commits of the promotion in the worker log',
      60_000,
    );
    assert.deepEqual(
      commits.map((l) => [l.promotion, l.pipeline, l.stage, l.step]),
      [
        [handle.workflowId, pipeline.name, 'preview', '1/update'],
        [handle.workflowId, pipeline.name, 'staging', '1/0/canary/30'],
        [handle.workflowId, pipeline.name, 'staging', '1/promote'],
      ],
    );
    for (const l of commits) assert.ok(typeof l.at === 'string' && !Number.isNaN(Date.parse(l.at)) && l.level === 'INFO', JSON.stringify(l));

    // Every line that is about one of the promotion's workflows says which.
    const about = lines().filter((l) => typeof l.workflowId === 'string' && l.workflowId.startsWith(pipeline.name));
    assert.ok(about.length >= 3);
    for (const l of about) assert.equal(l.pipeline, pipeline.name, JSON.stringify(l));
    for (const l of about.filter((x) => x.workflowId === handle.workflowId)) assert.equal(l.promotion, handle.workflowId, JSON.stringify(l));
    for (const l of about.filter((x) => String(x.workflowId).startsWith(`${pipeline.name}/`))) assert.ok(l.stage, JSON.stringify(l));

    // Nothing but JSON objects (the worker writes nothing else), and no secret.
    const other = worker
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('{'));
    assert.deepEqual(other, [], 'lines that are not JSON');
    assert.ok(lines().some((l) => l.msg === 'ramp worker started' && l.taskQueue === taskQueue));
    assert.ok(!worker.output().includes('never-printed-9f8e7d6c'));
  });

  test('RAMP_LOG_FORMAT=text: the SDK’s text lines', async () => {
    const worker = start(uniqueTaskQueue('logs-text'), { RAMP_LOG_FORMAT: 'text' });
    await worker.started;
    assert.match(worker.output(), /^\S+Z \[INFO\] ramp worker started/m);
    assert.ok(
      !worker
        .output()
        .split('\n')
        .some((l) => l.startsWith('{"at"')),
    );
  });
});
