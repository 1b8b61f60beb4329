// ramp's worker (worker/run.ts) as a real process: it connects from its environment variables,
// runs the smoke workflow (registered by the test worker only), serves SDK metrics, and shuts
// down cleanly on SIGTERM. Each test stands alone (runs with --test-name-pattern on its own):
// the first two share one worker started in before(); the SIGTERM test stops a worker of its own.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import axios from 'axios';
import { smokeWorkflow } from '../support/smoke/workflow.js';
import { freePort } from '../../scripts/lib/proc.js';
import { getTestEnv, uniqueTaskQueue } from '../harness/temporal.js';
import { waitFor } from '../support/wait.js';
import { startWorkerProcess, TEST_WORKER_MAIN, type WorkerProcess } from '../support/worker-process.js';

describe('worker process (worker/run.ts)', () => {
  let env: TestWorkflowEnvironment;
  let worker: WorkerProcess;
  const taskQueue = uniqueTaskQueue('worker-main');
  let metricsAddress: string;

  const workerEnv = (queue: string, metrics?: string): Record<string, string> => ({
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: 'default',
    RAMP_TASK_QUEUE: queue,
    ...(metrics ? { RAMP_METRICS_ADDRESS: metrics } : {}),
  });
  const smoke = (queue: string, name: string) =>
    env.client.workflow.execute(smokeWorkflow, {
      taskQueue: queue,
      workflowId: `worker-main-${randomUUID()}`,
      args: [{ name, waitForRelease: false }],
      workflowExecutionTimeout: '60s',
    });

  before(async () => {
    env = await getTestEnv();
    metricsAddress = `127.0.0.1:${await freePort()}`;
    worker = startWorkerProcess(workerEnv(taskQueue, metricsAddress), TEST_WORKER_MAIN);
  });

  after(async () => {
    await worker?.kill('SIGKILL');
    await env?.teardown();
  });

  test('runs the smoke workflow from its task queue', async () => {
    const result = await smoke(taskQueue, 'worker');
    assert.equal(result.greeting?.greeting, 'hello, worker');
    assert.equal(result.greeting?.pid, worker.child.pid, 'the activity ran in the worker process');
    assert.match(worker.output(), /ramp worker started/);
  });

  test('serves Temporal SDK metrics on RAMP_METRICS_ADDRESS', async () => {
    await smoke(taskQueue, 'metrics');
    const completed = new RegExp(`temporal_workflow_completed\\{[^}]*task_queue="${taskQueue}"[^}]*\\} ([0-9]+)`);
    const page = await waitFor(
      () => axios.get<string>(`http://${metricsAddress}/metrics`, { responseType: 'text' }),
      (res) => res.status === 200 && Number(completed.exec(res.data)?.[1] ?? 0) >= 1,
      `a completed workflow on ${taskQueue} in the metrics`,
      60_000,
    );
    assert.match(page.data, completed);
  });

  test('exits 0 on SIGTERM', async () => {
    const own = startWorkerProcess(workerEnv(uniqueTaskQueue('worker-sigterm')), TEST_WORKER_MAIN);
    try {
      await own.started;
      const exited = once(own.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      own.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<['timeout after 60 s', null]>((resolve) => (timer = setTimeout(() => resolve(['timeout after 60 s', null]), 60_000)));
      const [code] = await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
      assert.equal(code, 0, `worker output:\n${own.output()}`);
      assert.match(own.output(), /ramp worker stopped/);
    } finally {
      await own.kill('SIGKILL');
    }
  });
});
