/**
 * Webhook gates in the stage state machine: each type called at its moment, its answer
 * respected (fake of ramp's own activity; the HTTP call and its signature: unit/webhooks).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { stageStatusQuery, type PromotionStatus } from '../../workflows/messages.js';
import { fakeRamp, type FakeRamp } from '../support/fake-activities.js';
import { seedPipeline, uniqueName } from '../support/pipelines.js';
import { waitFor } from '../support/wait.js';
import { getTestEnv } from '../harness/temporal.js';
import type { WorkflowHandle } from '@temporalio/client';
import { runPromotion } from '../support/run-promotion.js';

const TYPES = ['confirm-rollout', 'pre-rollout', 'rollout', 'confirm-traffic-increase', 'confirm-promotion', 'post-rollout', 'rollback', 'event'];

function pipeline() {
  const hooks = TYPES.map((t) => `  - { name: ${t}, type: ${t}, url: "http://hooks.example.com/${t}", interval: 100ms }`);
  return seedPipeline({ name: uniqueName('hooks'), stages: { staging: { with: ['webhooks:', ...hooks], steps: ['setWeight: 20', 'setWeight: 50'] } } });
}

describe('webhook gates (fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  const promote = (fake: FakeRamp, during?: (stage: WorkflowHandle) => Promise<void>, record?: string): Promise<PromotionStatus> =>
    runPromotion(env, fake.activities, pipeline(), '1.1.0', during && ((d) => during(d.stage('staging'))), record);

  test('every hook type is called at its moment', async () => {
    const fake = fakeRamp();
    fake.answers.set('rollback', [false]);
    const result = await promote(fake, undefined, 'webhooks');
    assert.equal(result.phase, 'Succeeded');
    assert.deepEqual(
      fake.hooks.map((h) => h.type),
      [
        'confirm-rollout',
        'pre-rollout',
        'rollback',
        'rollout',
        'confirm-traffic-increase',
        'rollback',
        'rollout',
        'confirm-traffic-increase',
        'confirm-promotion',
        'event',
        'post-rollout',
      ],
    );
  });

  test('a confirm hook that says not yet holds the stage, asked again, until it confirms', async () => {
    const fake = fakeRamp();
    fake.answers.set('rollback', [false]);
    fake.answers.set('confirm-promotion', [false, false, true]);
    const result = await promote(fake, async (stage) => {
      const waiting = await waitFor(
        () => stage.query(stageStatusQuery),
        (s) => s.pauseReason === 'AwaitingConfirmation',
        'the confirmation wait',
      );
      assert.match(waiting.message, /waiting for confirm-promotion webhook\(s\) confirm-promotion to confirm the promotion of 1\.1\.0 to stable/);
    });
    assert.equal(result.phase, 'Succeeded');
    assert.equal(fake.hooks.filter((h) => h.type === 'confirm-promotion').length, 3);
  });

  test('a rollout hook that fails rolls the canary back', async () => {
    const fake = fakeRamp();
    fake.answers.set('rollback', [false]);
    fake.answers.set('rollout', [true, false]);
    const result = await promote(fake);
    const staging = result.stages[0]!.result!;
    assert.equal(staging.phase, 'RolledBack');
    assert.deepEqual(staging.failure, { reason: 'WebhookFailed', message: 'rollout webhook rollout failed: webhook rollout answered HTTP 503' });
    assert.equal(fake.reverts[0]!.commits.length, 1);
    assert.equal(fake.hooks[fake.hooks.length - 1]!.type, 'post-rollout', 'post-rollout is told about the rollback too');
  });

  test('a rollback hook that answers 2xx aborts the canary', async () => {
    const fake = fakeRamp();
    fake.answers.set('rollback', [false, true]);
    const result = await promote(fake);
    const staging = result.stages[0]!.result!;
    assert.equal(staging.phase, 'RolledBack');
    assert.match(staging.failure!.message, /rollback webhook rollback asked to roll back \(HTTP 200\)/);
  });
});
