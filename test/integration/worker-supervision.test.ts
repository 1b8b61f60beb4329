// `ramp worker` as a supervisor runs it (bin/ramp.js, a real process): the pid it started is the
// worker itself (the poller Temporal sees), /readyz says when it polls, and a `kill -9` of that
// pid leaves no worker behind (before, the CLI ran the worker as a detached child: orphaned).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import axios from 'axios';
import { freePort } from '../../scripts/lib/proc.js';
import { killOnExit } from '../harness/reaper.js';
import { getTestEnv, uniqueTaskQueue } from '../harness/temporal.js';
import { waitFor } from '../support/wait.js';

const RAMP_BIN = fileURLToPath(new URL('../../bin/ramp.js', import.meta.url));
const MARKER = 'RAMP_TEST_WORKER_MARKER';
/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW (@temporalio/proto is not a direct dependency). */
const TASK_QUEUE_TYPE_WORKFLOW = 1;

/** The pids of live processes whose environment carries this marker (children inherit it). */
async function processesMarked(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'latin1').catch(() => '');
    const stat = await readFile(`/proc/${entry}/stat`, 'latin1').catch(() => '');
    // A zombie (state Z) has exited; only its parent has not reaped it yet.
    if (environ.split('\0').includes(`${MARKER}=${marker}`) && !/^\d+ \(.*\) Z/.test(stat)) pids.push(Number(entry));
  }
  return pids;
}

describe('ramp worker under a supervisor', () => {
  let env: TestWorkflowEnvironment;
  let child: ChildProcess | undefined;
  let output = '';
  const marker = randomUUID();

  before(async () => {
    env = await getTestEnv();
  });

  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // A failed run must not leave a worker behind (an orphan kept the old CLI's test hanging).
    for (const pid of await processesMarked(marker)) process.kill(pid, 'SIGKILL');
    await env?.teardown();
  });

  test('the started pid is the worker: ready on /readyz, and kill -9 leaves no worker polling', async () => {
    const taskQueue = uniqueTaskQueue('supervised');
    const health = `127.0.0.1:${await freePort()}`;
    child = spawn(process.execPath, [RAMP_BIN, 'worker', '--address', env.address, '--task-queue', taskQueue], {
      env: { ...process.env, [MARKER]: marker, RAMP_WORKER_HEALTH_ADDR: health, RAMP_LOG_LEVEL: 'INFO' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(child);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
    const pid = child.pid!;
    const exited = once(child, 'exit');

    // /healthz answers while the worker starts; /readyz turns 200 once it polls. Generous: a
    // development checkout without a current build bundles the workflows at start.
    const probe = (path: string) =>
      axios.get<string>(`http://${health}${path}`, { validateStatus: () => true, responseType: 'text', timeout: 5_000 }).then((r) => r.status);
    await waitFor(
      () => probe('/healthz'),
      (code) => code === 200,
      `/healthz of ramp worker (output:\n${output})`,
      120_000,
    );
    await waitFor(
      () => probe('/readyz'),
      (code) => code === 200,
      `/readyz of ramp worker (output:\n${output})`,
      180_000,
    );
    assert.match(output, /ramp worker started/);

    // Temporal sees this very pid polling the task queue: no wrapper process in between.
    const pollers = await waitFor(
      async () =>
        (
          await env.client.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: taskQueue },
            taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
          })
        ).pollers.map((p) => p.identity ?? ''),
      (ids) => ids.length > 0,
      `pollers on ${taskQueue}`,
      60_000,
    );
    assert.ok(
      pollers.every((id) => id.startsWith(`${pid}@`)),
      `poller identities ${pollers.join(', ')}; the started pid is ${pid}`,
    );
    assert.deepEqual(await processesMarked(marker), [pid], 'one process carries the worker: the one started');

    child.kill('SIGKILL');
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, 'SIGKILL');
    const survivors = await waitFor(
      () => processesMarked(marker),
      (pids) => pids.length === 0,
      'no process of the killed worker to remain',
      60_000,
    );
    assert.deepEqual(survivors, []);
    await assert.rejects(axios.get(`http://${health}/healthz`, { timeout: 5_000 }), /ECONNREFUSED/, "nothing serves the dead worker's health endpoint");
  });
});
