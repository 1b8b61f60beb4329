/**
 * Gates that cannot be bypassed, on the real dev server with fakes of ramp's own activities:
 * overriding an Inconclusive verdict or skipping a gated canary needs an approver's
 * eligibility and is recorded as an override (never as a pass); every commit a person caused
 * names that person; a branch rewritten under a running canary stops every write.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { abortUpdate, approveUpdate, resumeUpdate, skipUpdate, stageStatusQuery, type StageStatus } from '../../workflows/messages.js';
import { getTestEnv } from '../harness/temporal.js';
import { fakeRamp } from '../support/fake-activities.js';
import { ERRORS_TEMPLATE, webPipeline } from '../support/pipelines.js';
import { runPromotion } from '../support/run-promotion.js';
import type { InjectedSinks } from '@temporalio/worker';
import type { DeliveryFact } from '../../src/observability/facts.js';
import type { RampSinks } from '../../workflows/observe.js';
import { waitFor } from '../support/wait.js';

/** Production alone: an approval gate (alice, group:release-managers), then these canary steps. */
function production(steps: string[], extra = '') {
  const spec = webPipeline({
    analysisTemplates: ERRORS_TEMPLATE,
    productionSteps: steps,
    productionApproval: `      approval: { approvers: [alice, "group:release-managers"] }${extra}`,
  });
  return { ...spec, stages: spec.stages.slice(2) };
}

const status = (stage: WorkflowHandle) => stage.query(stageStatusQuery);

/** A `ramp` sink that records the workflows' facts (workflows/observe.ts). */
function recordingFacts(): { recorded: DeliveryFact[]; sinks: InjectedSinks<RampSinks> } {
  const recorded: DeliveryFact[] = [];
  return { recorded, sinks: { ramp: { observe: { fn: (_info, fact) => void recorded.push(fact) } } } };
}

/** The Update's refusal message (the handler refused it, so it is on the record). */
async function refused(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => assert.fail('the update was accepted'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WorkflowUpdateFailedError, `expected a refusal, got ${String(error)}`);
  return (error.cause as Error).message;
}

async function approve(stage: WorkflowHandle, promotionId: string): Promise<void> {
  await waitFor(
    () => status(stage),
    (s) => s.phase === 'AwaitingApproval',
    'the approval gate',
  );
  await stage.executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'alice' }] });
}

/** Approves the gate as alice, then waits for the canary's pause step. */
async function atPauseStep(production: WorkflowHandle, promotionId: string): Promise<WorkflowHandle> {
  await approve(production, promotionId);
  await waitFor(
    () => status(production),
    (s) => s.pauseReason === 'CanaryPauseStep',
    'the pause step',
  );
  return production;
}

describe('overrides and who caused each commit', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  test('resume past an Inconclusive analysis: refused (and recorded) for a non-approver, an Overridden step for an approver', async () => {
    const fake = fakeRamp({ 'release-managers': ['carol'] });
    fake.measure = () => ({ phase: 'Inconclusive', value: 0.03 });
    const pipeline = production(['setWeight: 20', 'analysis: { templates: [{ templateName: errors }] }', 'setWeight: 60']);
    let paused!: StageStatus;
    const result = await runPromotion(env, fake.activities, pipeline, '1.1.0', async ({ stage, promotionId }) => {
      const production = stage('production');
      await approve(production, promotionId);
      paused = await waitFor(
        () => status(production),
        (s) => s.pauseReason === 'InconclusiveAnalysis',
        'the inconclusive pause',
      );
      const why = await refused(production.executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'mallory' }] }));
      assert.match(
        why,
        /mallory \(unverified\) may not resume past an inconclusive analysis: only an approver of production may override \(alice, group:release-managers; mallory is in no group\)/,
      );
      await production.executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'carol' }] });
    });
    assert.match(paused.message, /overrides it and continues \(allowed: alice, carol\)/);
    assert.equal(result.phase, 'Succeeded');
    const stage = result.stages[0]!.result!;
    assert.equal(stage.analyses![0]!.phase, 'Inconclusive');
    assert.equal(stage.steps[1]!.status, 'Overridden', 'an overridden verdict is never shown as a pass');
    assert.deepEqual(
      stage.overrides?.map((o) => [o.kind, o.actor]),
      [['Inconclusive', 'carol']],
    );
    assert.ok(
      stage.events.some((e) => e.kind === 'override-refused' && e.actor === 'mallory'),
      'the refusal is on the record',
    );
    // The commit after the override names carol; the ones before name who asked for the promotion.
    const by = fake.commits.map((c) => [c.trailers.step, c.trailers.requestedBy]);
    assert.deepEqual(by, [
      ['1/0/canary/20', 'rm'],
      ['1/2/setWeight-60', 'carol'],
      ['1/promote', 'rm'],
    ]);
  });

  test('skip in a stage with an approval gate: refused for a non-approver, recorded as an override for an approver', async () => {
    const fake = fakeRamp({ 'release-managers': ['carol'] });
    const facts = recordingFacts();
    const pipeline = production(['setWeight: 20', 'pause: {}', 'setWeight: 60']);
    const result = await runPromotion(
      env,
      fake.activities,
      pipeline,
      '1.1.0',
      async ({ stage, promotionId }) => {
        const production = await atPauseStep(stage('production'), promotionId);
        const why = await refused(production.executeUpdate(skipUpdate, { args: [{ promotionId, actor: 'mallory' }] }));
        assert.match(why, /mallory \(unverified\) may not skip the remaining canary steps: only an approver of production may override/);
        await production.executeUpdate(skipUpdate, { args: [{ promotionId, actor: 'carol' }] });
      },
      'override-skip',
      facts.sinks,
    );
    // The accepted skip is an override; the refused one is not.
    assert.deepEqual(
      facts.recorded.flatMap((f) => (f.kind === 'override' ? [f.override] : [])),
      ['skip'],
    );
    assert.equal(result.phase, 'Succeeded');
    const stage = result.stages[0]!.result!;
    assert.deepEqual(
      stage.steps.map((s) => s.status),
      ['Succeeded', 'Skipped', 'Skipped'],
    );
    assert.deepEqual(
      stage.overrides?.map((o) => [o.kind, o.actor]),
      [['Skip', 'carol']],
    );
    assert.ok(stage.events.some((e) => e.kind === 'override-refused' && e.actor === 'mallory'));
    assert.equal(fake.commits.at(-1)!.trailers.requestedBy, 'carol', 'the promotion to stable names who skipped');
  });

  test('overrides: anyone lets anyone skip, still on the record', async () => {
    const fake = fakeRamp();
    const pipeline = production(['setWeight: 20', 'pause: {}', 'setWeight: 60'], '\n      overrides: anyone');
    const result = await runPromotion(env, fake.activities, pipeline, '1.1.0', async ({ stage, promotionId }) => {
      const production = await atPauseStep(stage('production'), promotionId);
      await production.executeUpdate(skipUpdate, { args: [{ promotionId, actor: 'mallory' }] });
    });
    assert.equal(result.phase, 'Succeeded');
    assert.deepEqual(
      result.stages[0]!.result!.overrides?.map((o) => [o.kind, o.actor]),
      [['Skip', 'mallory']],
    );
  });

  test('an abort names the aborter on the revert commits', async () => {
    const fake = fakeRamp();
    const facts = recordingFacts();
    const pipeline = production(['setWeight: 20', 'pause: {}', 'setWeight: 60']);
    const result = await runPromotion(
      env,
      fake.activities,
      pipeline,
      '1.1.0',
      async ({ stage, promotionId }) => {
        const production = await atPauseStep(stage('production'), promotionId);
        await production.executeUpdate(abortUpdate, { args: [{ promotionId, actor: 'bob', reason: 'p99 latency' }] });
      },
      undefined,
      facts.sinks,
    );
    assert.equal(result.stages[0]!.result!.phase, 'RolledBack');
    assert.equal(fake.reverts.length, 1);
    assert.equal(fake.reverts[0]!.requestedBy, 'bob');
    // The abort request is when the failure was known: the revert says so, and the rollback's reaction starts there.
    const detectedAt = result.stages[0]!.result!.failureDetectedAt;
    const aborted = result.stages[0]!.result!.events.find((e) => e.kind === 'abort-requested')!.at;
    assert.equal(detectedAt, aborted);
    assert.equal(fake.reverts[0]!.detectedAt, aborted);
    const rollbacks = facts.recorded.flatMap((f) => (f.kind === 'rollback' ? [f] : []));
    assert.deepEqual(
      rollbacks.map((r) => [r.stage, r.cause, r.reactionMs !== null && r.reactionMs >= 0]),
      [['production', 'abort', true]],
    );
    assert.ok(facts.recorded.some((f) => f.kind === 'canary-catch'));
  });

  test('a branch rewritten mid-canary: nothing written, the stage waits for a person, resume checks again', async () => {
    const fake = fakeRamp();
    const pipeline = production(['setWeight: 20', 'pause: {}', 'setWeight: 60']);
    const result = await runPromotion(
      env,
      fake.activities,
      pipeline,
      '1.1.0',
      async ({ stage, promotionId }) => {
        const production = await atPauseStep(stage('production'), promotionId);
        fake.failCommits(/at 60%/, 'HistoryRewritten');
        await production.executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'bob' }] });
        const stopped = await waitFor(
          () => status(production),
          (s) => s.pauseReason === 'HistoryRewritten',
          'the history-rewritten pause',
        );
        assert.match(stopped.message, /canary 1\.1\.0 at 60%: .* — ramp resume .* checks again; ramp abort .* gives up/);
        await waitFor(
          () => Promise.resolve(fake.notifications),
          (ns) => ns.some((n) => n.kind === 'history-rewritten'),
          'people alerted of the rewritten branch',
        );
        // The operator restored the branch: resume checks again and the canary continues.
        fake.failCommits(null);
        await production.executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'bob' }] });
      },
      'history-rewritten',
    );
    assert.equal(result.phase, 'Succeeded');
    const stage = result.stages[0]!.result!;
    assert.ok(stage.events.some((e) => e.kind === 'history-rewritten'));
    // Each write carried the commits recorded before it, for the worker to check.
    const promote = fake.commits.at(-1)!;
    assert.equal(promote.trailers.step, '1/promote');
    assert.equal(promote.expect?.length, 2);
  });
});
