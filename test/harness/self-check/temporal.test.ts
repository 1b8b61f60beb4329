// Harness self-check (not a test of ramp): getTestEnv() and createTestWorker() give a real dev
// server and a real worker with the bundled workflows; queries, updates and history work.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSmokeActivities } from '../../support/smoke/activities.js';
import { smokeReleaseUpdate, smokeStateQuery, smokeWorkflow, type SmokeState } from '../../support/smoke/workflow.js';
import { waitFor } from '../../support/wait.js';
import { createTestWorker, getTestEnv } from '../temporal.js';

describe('harness: smoke workflow on the Temporal dev server', () => {
  let env: TestWorkflowEnvironment;

  before(async () => {
    env = await getTestEnv();
  });

  after(async () => {
    await env?.teardown();
  });

  test('runs its activity on the worker and returns the result', async () => {
    const { worker, taskQueue } = await createTestWorker(env, { activities: createSmokeActivities() });
    const result = await worker.runUntil(
      env.client.workflow.execute(smokeWorkflow, {
        taskQueue,
        workflowId: `smoke-${randomUUID()}`,
        args: [{ name: 'ramp', waitForRelease: false }],
      }),
    );
    // The pid shows that the activity really ran in this process's worker.
    assert.deepEqual(result, { greeting: { greeting: 'hello, ramp', pid: process.pid } });
  });

  test('answers a query, rejects an invalid update and completes on a valid one', async () => {
    const { worker, taskQueue } = await createTestWorker(env, { activities: createSmokeActivities() });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(smokeWorkflow, {
        taskQueue,
        workflowId: `smoke-${randomUUID()}`,
        args: [{ name: 'canary', waitForRelease: true }],
      });

      const state: SmokeState = await waitFor(
        () => handle.query(smokeStateQuery),
        (s) => s.greeting !== undefined,
        'the greeting',
        60_000,
      );
      assert.equal(state.greeting?.greeting, 'hello, canary');
      assert.equal(state.releasedBy, undefined);

      await assert.rejects(handle.executeUpdate(smokeReleaseUpdate, { args: ['  '] }), (err: unknown) => {
        assert.ok(err instanceof WorkflowUpdateFailedError, `expected WorkflowUpdateFailedError, got ${String(err)}`);
        assert.match(String(err.cause?.message), /releasedBy must not be empty/);
        return true;
      });
      assert.equal((await handle.describe()).status.name, 'RUNNING');

      assert.equal(await handle.executeUpdate(smokeReleaseUpdate, { args: ['alice'] }), 'hello, canary');
      const result = await handle.result();
      assert.equal(result.releasedBy, 'alice');

      // A rejected update leaves no trace in history; the accepted one does.
      const history = await handle.fetchHistory();
      const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      assert.equal(accepted.length, 1);
    });
  });
});
