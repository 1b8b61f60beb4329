/**
 * What a stage tells the notify activity (fake of ramp's own activities): the approval request
 * with its gate (attempt, bound commit, who may decide), the decision (patched 'notify-routes'),
 * an inconclusive analysis, and a canary rolled back after a failure counting as canary-aborted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Notification } from '../../activities/contract.js';
import { approveUpdate, rejectUpdate, resumeUpdate, stageStatusQuery } from '../../workflows/messages.js';
import { getTestEnv } from '../harness/temporal.js';
import { fakeRamp } from '../support/fake-activities.js';
import { ERRORS_TEMPLATE, seedPipeline, uniqueName } from '../support/pipelines.js';
import { runPromotion } from '../support/run-promotion.js';
import { waitFor } from '../support/wait.js';

const kinds = (ns: Notification[]) => ns.map((n) => n.kind);

describe('stage notifications (fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  const gated = () => seedPipeline({ name: uniqueName('notify'), stages: { production: { with: ['approval: { approvers: [carol, erin] }'] } } });

  test('the request carries the gate; the approval is told as approval-decided', async () => {
    const fake = fakeRamp();
    const result = await runPromotion(env, fake.activities, gated(), '1.1.0', async ({ stage, promotionId }) => {
      await waitFor(
        () => stage('production').query(stageStatusQuery),
        (s) => s.phase === 'AwaitingApproval',
        'the gate',
      );
      await stage('production').executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'carol', comment: 'ok' }] });
    });
    assert.equal(result.phase, 'Succeeded');
    const ns = fake.notifications;
    assert.deepEqual(kinds(ns), ['approval-waiting', 'approval-decided', 'stage-promoted', 'promotion-finished']);
    const request = ns[0]!;
    assert.equal(request.gate?.name, 'gate');
    assert.equal(request.gate?.attempt, 1);
    assert.match(request.gate?.commit ?? '', /^[0-9a-f]{40}$/);
    assert.deepEqual(request.gate?.eligible, ['carol', 'erin']);
    const decided = ns[1]!;
    assert.deepEqual(decided.gate, request.gate);
    assert.deepEqual({ ...decided.decision, channel: undefined }, { outcome: 'approved', by: ['carol'], comment: 'ok', channel: undefined });
    assert.match(decided.message, /production gate: approved by carol/);
  });

  test('a rejection is told as approval-decided too', async () => {
    const fake = fakeRamp();
    const result = await runPromotion(env, fake.activities, gated(), '1.1.0', async ({ stage, promotionId }) => {
      await waitFor(
        () => stage('production').query(stageStatusQuery),
        (s) => s.phase === 'AwaitingApproval',
        'the gate',
      );
      await stage('production').executeUpdate(rejectUpdate, { args: [{ promotionId, actor: 'erin', reason: 'not today' }] });
    });
    assert.equal(result.phase, 'Aborted');
    const decided = fake.notifications.find((n) => n.kind === 'approval-decided');
    assert.deepEqual({ ...decided?.decision, channel: undefined }, { outcome: 'rejected', by: ['erin'], comment: 'not today', channel: undefined });
  });

  const canary = () =>
    seedPipeline({
      name: uniqueName('notify'),
      analysisTemplates: ERRORS_TEMPLATE,
      stages: { staging: { steps: ['setWeight: 20', 'analysis: { templates: [{ templateName: errors }] }', 'setWeight: 50'] } },
    });

  test('an inconclusive analysis is told; a failed one rolls the canary back as canary-aborted', async () => {
    const inconclusive = fakeRamp();
    inconclusive.measure = () => ({ phase: 'Inconclusive', value: 0.03 });
    const passed = await runPromotion(env, inconclusive.activities, canary(), '1.1.0', async ({ stage, promotionId }) => {
      await waitFor(
        () => Promise.resolve(inconclusive.notifications),
        (ns) => ns.some((n) => n.kind === 'analysis-inconclusive'),
        'the inconclusive notification',
      );
      await stage('staging').executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'rm' }] });
    });
    assert.equal(passed.phase, 'Succeeded');
    assert.match(inconclusive.notifications.find((n) => n.kind === 'analysis-inconclusive')!.message, /Inconclusive.*ramp resume/);

    const failed = fakeRamp();
    failed.measure = () => ({ phase: 'Failed', value: 0.5 });
    const aborted = await runPromotion(env, failed.activities, canary());
    assert.equal(aborted.phase, 'Aborted');
    const rolledBack = failed.notifications.find((n) => n.kind === 'stage-rolled-back');
    assert.deepEqual(rolledBack?.also, ['canary-aborted']);
  });
});
