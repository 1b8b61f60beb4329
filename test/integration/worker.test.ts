// ramp's worker (worker/run.ts) as a real process: it connects from its environment variables,
// runs the smoke workflow (registered by the test worker only), serves SDK metrics, and shuts
// down cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import axios from 'axios';
import { smokeWorkflow } from '../support/smoke/workflow.js';
import { freePort } from '../../scripts/lib/proc.js';
import { killOnExit } from '../harness/reaper.js';
import { getTestEnv, uniqueTaskQueue } from '../harness/temporal.js';

const WORKER_MAIN = fileURLToPath(new URL('../support/test-worker.ts', import.meta.url));

describe('worker process (worker/run.ts)', () => {
  let env: TestWorkflowEnvironment;
  let child: ChildProcess | undefined;
  let output = '';
  const taskQueue = uniqueTaskQueue('worker-main');
  let metricsAddress: string;

  before(async () => {
    env = await getTestEnv();
    metricsAddress = `127.0.0.1:${await freePort()}`;
    child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: 'default',
        RAMP_TASK_QUEUE: taskQueue,
        RAMP_METRICS_ADDRESS: metricsAddress,
        RAMP_LOG_LEVEL: 'INFO',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(child);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  });

  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    await env?.teardown();
  });

  test('runs the smoke workflow from its task queue', async () => {
    const result = await env.client.workflow.execute(smokeWorkflow, {
      taskQueue,
      workflowId: `worker-main-${randomUUID()}`,
      args: [{ name: 'worker', waitForRelease: false }],
      workflowExecutionTimeout: '60s',
    });
    assert.equal(result.greeting?.greeting, 'hello, worker');
    assert.equal(result.greeting?.pid, child!.pid, 'the activity ran in the worker process');
    assert.match(output, /ramp worker started/);
  });

  test('serves Temporal SDK metrics on RAMP_METRICS_ADDRESS', async () => {
    const res = await axios.get<string>(`http://${metricsAddress}/metrics`, { responseType: 'text' });
    assert.equal(res.status, 200);
    assert.match(res.data, new RegExp(`temporal_workflow_completed\\{[^}]*task_queue="${taskQueue}"[^}]*\\} 1`));
  });

  test('exits 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout after 30 s'), 30_000)));
    const code = await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
    assert.equal(code, 0, `worker output:\n${output}`);
    assert.match(output, /ramp worker stopped/);
  });
});
