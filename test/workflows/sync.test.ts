/**
 * Sync in the stage state machine (fake of ramp's own activities; the real sync: test/kube):
 * every commit waits until it is live before the next step, with the routing to verify; a
 * commit that does not become healthy fails the stage (NotHealthy) and the revert is synced
 * too; an abort stops a sync wait; a stage with drift detection starts its watch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { abortUpdate, stageStatusQuery, type PromotionStatus } from '../../workflows/messages.js';
import { getTestEnv } from '../harness/temporal.js';
import { runPromotion } from '../support/run-promotion.js';
import { fakeRamp, type FakeRamp } from '../support/fake-activities.js';
import { seedPipeline, uniqueName } from '../support/pipelines.js';
import { waitFor } from '../support/wait.js';

function pipeline(...extra: string[]) {
  return seedPipeline({
    name: uniqueName('sync'),
    stages: { staging: { with: ['sync: { mode: apply, namespace: web-staging, timeout: 90s }', ...extra], steps: ['setWeight: 20', 'setWeight: 50'] } },
  });
}

describe('sync and health in the stage (fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  const promote = (fake: FakeRamp, spec = pipeline(), during?: (stage: WorkflowHandle) => Promise<void>, record?: string): Promise<PromotionStatus> =>
    runPromotion(env, fake.activities, spec, '1.1.0', during && ((d) => during(d.stage('staging'))), record);

  test('each commit is synced, with its routing and a fixed deadline, before the next step', async () => {
    const fake = fakeRamp();
    const result = await promote(fake);
    assert.equal(result.phase, 'Succeeded', result.message);
    const stage = result.stages[0]!.result!;
    assert.deepEqual(
      fake.syncs.map((s) => s.sha),
      stage.commits.map((c) => c.sha),
      'one sync per commit, in order',
    );
    assert.ok(fake.syncs.every((s) => s.routing?.kind === 'gatewayAPI' && s.sync.namespace === 'web-staging'));
    assert.ok(fake.syncs.every((s) => Date.parse(s.deadline) - Date.now() <= 90_000));
    assert.equal(stage.events.filter((e) => e.kind === 'live').length, 3);
    assert.equal(stage.live?.sha, stage.commits.at(-1)?.sha);
  });

  test('a commit that does not become healthy fails the stage (NotHealthy); the revert is synced, and the promotion aborted', async () => {
    const fake = fakeRamp();
    fake.sync = () =>
      fake.syncs.length === 2
        ? { fail: { type: 'ProgressDeadlineExceeded', message: 'Deployment web-staging/web-canary: 0 of 1 updated replicas available' } }
        : {};
    const result = await promote(fake, pipeline(), undefined, 'sync-not-healthy');
    const stage = result.stages[0]!.result!;
    assert.equal(result.phase, 'Aborted');
    assert.equal(stage.phase, 'RolledBack');
    assert.equal(stage.failure?.reason, 'NotHealthy');
    assert.match(
      stage.failure?.message ?? '',
      /canary 1\.1\.0 at 50% did not become live and healthy: Deployment web-staging\/web-canary: 0 of 1 updated replicas available/,
    );
    assert.equal(fake.reverts.length, 1);
    const last = fake.syncs.at(-1)!;
    assert.equal(last.sha, stage.reverts.at(-1)?.sha, 'the newest revert is synced');
    assert.match(stage.message, /the cluster is healthy on it/);
  });

  test('when the cluster does not become healthy on the revert either, the status says so', async () => {
    const fake = fakeRamp();
    fake.sync = () => ({ fail: { type: 'SyncFailed', message: 'cannot apply Deployment web-staging/web-stable: forbidden' } });
    const result = await promote(fake);
    const stage = result.stages[0]!.result!;
    assert.equal(stage.phase, 'RolledBack');
    assert.match(stage.message, /Git is back where it was \(1 revert commit\(s\)\), but the cluster did not become healthy on it: cannot apply/);
    assert.ok(stage.events.some((e) => e.kind === 'rollback-not-live'));
  });

  test('an abort stops a sync wait at once and rolls back', async () => {
    const fake = fakeRamp();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    fake.sync = () => (fake.syncs.length === 1 ? { hold: held } : {});
    const result = await promote(fake, pipeline(), async (stage) => {
      await waitFor(
        () => stage.query(stageStatusQuery),
        (s) => /waiting for [0-9a-f]{12} to be live/.test(s.message),
        'the sync wait',
      );
      await stage.executeUpdate(abortUpdate, {
        args: [{ promotionId: (await stage.query(stageStatusQuery)).promotionId, actor: 'oncall', reason: 'wrong build' }],
      });
      // RolledBack while the sync is still held: the stage went on without waiting for it (the
      // evidence that it stopped the wait). Then let the fake activity end so the worker can stop.
      await waitFor(
        () => stage.query(stageStatusQuery),
        (s) => s.phase === 'RolledBack',
        'the rollback while the sync is held',
        60_000,
      );
      release();
    });
    const stage = result.stages[0]!.result!;
    assert.equal(stage.failure?.reason, 'Aborted');
    assert.equal(fake.reverts.length, 1);
  });

  test('a stage with drift detection starts its drift watch when it ends', async () => {
    const fake = fakeRamp();
    const result = await promote(fake, pipeline('drift: { policy: alert, interval: 30s }'), undefined, 'sync-drift-watch');
    assert.equal(result.phase, 'Succeeded');
    assert.deepEqual(fake.watches, ['staging']);
    assert.ok(result.stages[0]!.result!.events.some((e) => e.kind === 'drift-watch'));
  });
});
