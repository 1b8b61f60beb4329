/**
 * The cluster suite's first test: a real Temporal cluster (the server built from Go modules, on
 * PostgreSQL, TLS on the frontend; scripts/lib/temporal-server.ts) serves a promotion run by
 * ramp's own worker process, which connects with ramp's TLS settings (TEMPORAL_TLS_*).
 * Runs with `npm run test:cluster`, not with `npm test`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { simpleGit } from 'simple-git';
import { startTemporalCluster, type TemporalCluster } from '../../scripts/lib/temporal-server.js';
import { promotionWorkflowId } from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';
import { cleanupOnSignal } from '../harness/reaper.js';
import { installTestRuntime, uniqueTaskQueue } from '../harness/temporal.js';
import { webPipeline } from '../support/pipelines.js';
import { waitFor } from '../support/wait.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

let cluster: TemporalCluster;
let remote: GitOpsRemote;
let workDir: string;
let worker: WorkerProcess | undefined;

before(async () => {
  installTestRuntime();
  cluster = await startTemporalCluster({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  cleanupOnSignal(() => cluster.stop());
  remote = await createGitOpsRemote();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ramp-cluster-smoke-'));
});

after(async () => {
  await worker?.kill('SIGKILL');
  await cluster?.stop();
  await remote?.cleanup();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

test('the frontend speaks TLS only: a plaintext client is refused', async () => {
  await assert.rejects(Connection.connect({ address: cluster.address, connectTimeout: 5_000 }));
});

test('a ramp worker connected over TLS runs a promotion to success on the PostgreSQL cluster', async () => {
  const taskQueue = uniqueTaskQueue('cluster-smoke');
  const groupsFile = path.join(workDir, 'groups.yaml');
  await writeFile(groupsFile, 'groups:\n  {}\n');
  worker = startWorkerProcess({ ...cluster.env, RAMP_TASK_QUEUE: taskQueue, RAMP_CACHE_DIR: path.join(workDir, 'cache'), RAMP_GROUPS_FILE: groupsFile });
  await worker.started;

  const client = new Client({ connection: await cluster.connect(), namespace: cluster.namespace });
  const spec = webPipeline({ url: remote.remoteUrl, stagingSteps: ['setWeight: 10', 'setWeight: 50'] });
  const pipeline = { ...spec, stages: spec.stages.slice(0, 2) };
  const handle = await client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
    taskQueue,
    workflowId: promotionWorkflowId(pipeline.name, '2.0.0'),
    args: [{ apiVersion: 'ramp/v1', pipeline, version: '2.0.0', requestedBy: 'rm', kind: 'promote' }],
  });
  const result = await handle.result();
  assert.equal(result.phase, 'Succeeded', `worker output:\n${worker.output()}`);

  const steps = (
    await simpleGit(remote.bareDir).raw([
      'log',
      '--reverse',
      '--format=%(trailers:key=Ramp-Step,valueonly,separator=)|%(trailers:key=Ramp-Stage,valueonly,separator=)',
      'main',
    ])
  )
    .split('\n')
    .filter((l) => l.includes('|') && l !== '|');
  assert.deepEqual(steps, ['1/update|preview', '1/0/canary/10|staging', '1/1/setWeight-50|staging', '1/promote|staging']);

  // The promotion is in the cluster's SQL visibility store, with ramp's search attributes.
  const query = `RampPipeline = "${pipeline.name}" AND RampKind = "promotion" AND ExecutionStatus = "Completed"`;
  const listed = await waitFor(
    async () => {
      const ids: string[] = [];
      for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
      return ids;
    },
    (ids) => ids.length > 0,
    `the promotion in visibility (${query})`,
    60_000,
  );
  assert.deepEqual(listed, [handle.workflowId]);
});

test('the Temporal server and PostgreSQL restart on the same address and data, and take new work', async () => {
  const client = new Client({ connection: await cluster.connect(), namespace: cluster.namespace });
  await cluster.restart();
  await cluster.postgres.stop();
  await cluster.postgres.start();

  // The namespace and ramp's search attributes are rows in PostgreSQL: still there.
  const attributes = await waitFor(
    () => client.connection.operatorService.listSearchAttributes({ namespace: cluster.namespace }),
    () => true,
    `the search attributes of ${cluster.namespace} after the restarts`,
    60_000,
  );
  assert.ok('RampPipeline' in (attributes.customAttributes ?? {}));
  // A new workflow is written (no worker polls this queue: it stays Running until terminated).
  const handle = await waitFor(
    () => client.workflow.start('promotionWorkflow', { taskQueue: uniqueTaskQueue('cluster-idle'), workflowId: `cluster-restart-${Date.now()}`, args: [] }),
    () => true,
    'a workflow start after the restarts',
    60_000,
  );
  assert.equal((await handle.describe()).status.name, 'RUNNING');
  await handle.terminate('test over');
});
