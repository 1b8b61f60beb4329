/**
 * A real worker process whose clone cache was damaged while it was down: stopped by SIGKILL
 * mid-canary, its clone gets the lock files a killed git leaves (the issue's
 * `refs/remotes/origin/main.lock`: every fetch failed as RepositoryUnavailable, retried forever),
 * then a corrupt index and a missing object. A new worker on the same cache repairs the clone
 * and carries on: the promotion finishes, and a later abort rolls its canary back.
 */
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import assert from 'node:assert/strict';
import { readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { simpleGit } from 'simple-git';
import { workspaceDir } from '../../src/providers/git/workspace.js';
import {
  abortUpdate,
  promotionWorkflowId,
  resumeUpdate,
  stageStatusQuery,
  stageWorkflowId,
  type PromotionStatus,
  type StageStatus,
} from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { getTestEnv, uniqueTaskQueue } from '../harness/temporal.js';
import { webPipeline } from '../support/pipelines.js';
import { realRamp } from '../support/real-ramp.js';
import { waitFor } from '../support/wait.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

let env: TestWorkflowEnvironment;
before(async () => (env = await getTestEnv()));
after(async () => env?.teardown());

const DEADLINE_MS = 120_000;

test('a clone damaged while the worker was down (stale locks, then a corrupt index and a missing object) is repaired by the next worker', async () => {
  const ramp = await realRamp(env);
  const taskQueue = uniqueTaskQueue('clone-recovery');
  const workerEnv = { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: taskQueue, RAMP_CACHE_DIR: ramp.cacheDir, RAMP_GROUPS_FILE: ramp.groupsFile };
  const clone = workspaceDir(ramp.cacheDir, ramp.remote.remoteUrl, 'main');
  const spec = webPipeline({ url: ramp.remote.remoteUrl, stagingSteps: ['setWeight: 10', 'pause: {}', 'setWeight: 50'] });
  const pipeline = { ...spec, stages: spec.stages.slice(0, 2) };
  const staging = env.client.workflow.getHandle(stageWorkflowId(pipeline.name, 'staging'));
  let worker: WorkerProcess | undefined;
  const output = (): string => worker?.output() ?? '';
  const waitStage = (done: (s: StageStatus) => boolean, what: string) =>
    waitFor(() => staging.query(stageStatusQuery), done, `${what}; worker output:\n${output()}`, DEADLINE_MS);
  const resultOf = async (handle: WorkflowHandle<typeof promotionWorkflow>): Promise<PromotionStatus> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${handle.workflowId} did not finish within ${DEADLINE_MS} ms; worker output:\n${output()}`)), DEADLINE_MS);
    });
    try {
      return await Promise.race([promotionOutcome(handle.result()), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  const start = (version: string) =>
    env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue,
      workflowId: promotionWorkflowId(pipeline.name, version),
      args: [{ apiVersion: 'ramp/v1', pipeline, version, requestedBy: 'rm', kind: 'promote' }],
    });
  /** What a git killed with SIGKILL leaves: an empty lock file, from before this worker started. */
  const plantLock = async (lock: string): Promise<void> => {
    const file = path.join(clone, '.git', lock);
    await writeFile(file, '');
    const past = new Date(Date.now() - 60_000);
    await utimes(file, past, past);
  };
  /** Someone else pushes meanwhile, so the next fetch must update refs/remotes/origin/main. */
  const pushFromElsewhere = async (): Promise<void> => {
    const { dir, git } = await ramp.remote.workdir();
    const file = path.join(dir, 'envs/production/stable.yaml');
    await writeFile(file, `${await readFile(file, 'utf8')}# hand edit\n`);
    await git.add('.');
    await git.commit('production: hand edit');
    await git.push('origin', 'main');
  };
  const restart = async (): Promise<void> => {
    worker = startWorkerProcess(workerEnv);
    await worker.started;
  };

  try {
    // 1. A canary paused in staging; the worker dies.
    await restart();
    const first = await start('2.0.0');
    await waitStage((s) => s.phase === 'Paused', 'the staging pause of 2.0.0');
    await worker!.kill('SIGKILL');

    // 2. The damage: stale lock files (the fetch's ref lock among them), and the remote moved on.
    for (const lock of ['refs/remotes/origin/main.lock', 'index.lock', 'HEAD.lock', 'packed-refs.lock']) await plantLock(lock);
    await pushFromElsewhere();
    await restart();
    await staging.executeUpdate(resumeUpdate, { args: [{ promotionId: first.workflowId, actor: 'rm' }] });
    const done = await resultOf(first);
    assert.equal(done.phase, 'Succeeded', `worker output:\n${output()}`);
    assert.match(
      output(),
      /ramp git: repaired the cached clone of .* removed stale lock files left by a git process that died: .*\.git\/refs\/remotes\/origin\/main\.lock/,
    );
    assert.match((await ramp.files('envs/staging'))['stable.yaml']!, /image: web:2\.0\.0/);

    // 3. The next canary pauses; the worker dies; the clone loses its index and an object.
    const second = await start('2.1.0');
    await waitStage((s) => s.phase === 'Paused' && s.commits.length > 0, 'the staging pause of 2.1.0');
    const canary = (await simpleGit(clone).revparse(['origin/main'])).trim();
    await worker!.kill('SIGKILL');
    await writeFile(path.join(clone, '.git', 'index'), 'half-written');
    await rm(path.join(clone, '.git', 'objects', canary.slice(0, 2), canary.slice(2)));

    // 4. A new worker; the abort's rollback reverts the canary through a fresh clone.
    await restart();
    await second.executeUpdate(abortUpdate, { args: [{ promotionId: second.workflowId, actor: 'rm', reason: 'testing the repair' }] });
    const aborted = await resultOf(second);
    assert.equal(aborted.phase, 'Aborted', `worker output:\n${output()}`);
    assert.equal(aborted.stages[1]!.result!.phase, 'RolledBack');
    assert.ok(aborted.stages[1]!.result!.reverts.length > 0);
    assert.match(output(), /ramp git: repaired the cached clone of .* moved the damaged clone aside to [0-9a-f]+\.damaged, to clone it again/);
    const files = await ramp.files('envs/staging');
    assert.match(files['stable.yaml']!, /image: web:2\.0\.0/, 'staging is back on 2.0.0');
    assert.match(files['route.yaml']!, /weight: 0 # percent of requests to the canary/);
  } finally {
    await worker?.kill('SIGKILL');
    await ramp.cleanup();
  }
});
