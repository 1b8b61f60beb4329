/**
 * The facts workflows report to the worker's metrics (workflows/observe.ts, docs/metrics.md),
 * captured by a recording `ramp` sink on a real dev server with a fake of ramp's own activities:
 * one fact per thing that happened, for a good canary promotion and for one its analysis stops.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { InjectedSinks } from '@temporalio/worker';
import type { DeliveryFact } from '../../src/observability/facts.js';
import type { JudgeSpec, PipelineSpec } from '../../src/schema/pipeline.js';
import {
  approveUpdate,
  promotionWorkflowId,
  resumeUpdate,
  stageStatusQuery,
  stageWorkflowId,
  type PromotionInput,
  type StageStatus,
} from '../../workflows/messages.js';
import type { RampSinks } from '../../workflows/observe.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { fakeRamp, type FakeRamp } from '../support/fake-activities.js';
import { uniqueName, webPipeline } from '../support/pipelines.js';
import type { analysisWorkflow } from '../../workflows/analysis.js';
import { waitFor } from '../support/wait.js';

const TEMPLATES = `    - name: errors
      metrics:
        - name: error-rate
          interval: 100ms
          count: 2
          successCondition: result[0] < 0.01
          failureCondition: result[0] > 0.05
          provider:
            prometheus:
              address: http://prometheus:9090
              query: 'sum(rate(errors{stage="{{ramp.stage}}"}[1m]))'
`;

/** How many facts of each kind, for "exactly once" checks. */
function counts(facts: DeliveryFact[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of facts) out[f.kind] = (out[f.kind] ?? 0) + 1;
  return out;
}

function only<K extends DeliveryFact['kind']>(facts: DeliveryFact[], kind: K): Extract<DeliveryFact, { kind: K }>[] {
  return facts.filter((f): f is Extract<DeliveryFact, { kind: K }> => f.kind === kind);
}

describe('delivery facts (recording sink, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  /** Promotes `pipeline` with a worker whose `ramp` sink records every fact; `during` acts on the stages. */
  async function promote(
    pipeline: PipelineSpec,
    fake: FakeRamp,
    extra: Partial<PromotionInput>,
    during: (stage: (name: string) => Promise<StageStatus>, promotionId: string) => Promise<void>,
  ): Promise<DeliveryFact[]> {
    const facts: DeliveryFact[] = [];
    const sinks: InjectedSinks<RampSinks> = { ramp: { observe: { fn: (_info, fact) => void facts.push(fact) } } };
    const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities, sinks });
    const promotionId = promotionWorkflowId(pipeline.name, '1.1.0');
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionId,
        args: [{ apiVersion: 'ramp/v1', pipeline, version: '1.1.0', requestedBy: 'rm', kind: 'promote', ...extra }],
      });
      await during((name) => env.client.workflow.getHandle(stageWorkflowId(pipeline.name, name)).query(stageStatusQuery), promotionId);
      await promotionOutcome(handle.result());
      // The last fact is reported as the promotion finishes: wait for it, then for nothing more.
      await waitFor(
        () => Promise.resolve(facts.length),
        () => facts.some((f) => f.kind === 'promotion-finished'),
        'the promotion-finished fact',
        60_000,
      );
    });
    return facts;
  }

  test('a good canary: started, approval requested and decided, the pause, the deployment with its lead time, finished', async () => {
    const fake = fakeRamp({ 'release-managers': ['carol'] });
    const spec = webPipeline();
    const pipeline = { ...spec, stages: spec.stages.slice(2) };
    const sourceTime = new Date(Date.now() - 3_600_000).toISOString();
    const facts = await promote(pipeline, fake, { release: { commit: 'abc123', time: sourceTime } }, async (stage, promotionId) => {
      const production = stageWorkflowId(pipeline.name, 'production');
      await waitFor(
        () => stage('production'),
        (s) => s.phase === 'AwaitingApproval',
        'the approval gate',
        60_000,
      );
      await env.client.workflow.getHandle(production).executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'carol' }] });
      await waitFor(
        () => stage('production'),
        (s) => s.phase === 'Paused' && s.pauseReason === 'CanaryPauseStep',
        'the pause step',
        60_000,
      );
      await env.client.workflow.getHandle(production).executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'carol' }] });
    });
    const name = pipeline.name;
    assert.deepEqual(counts(facts), {
      'promotion-started': 1,
      'approval-requested': 1,
      'approval-decided': 1,
      'gate-waited': 2,
      deployment: 1,
      'stage-finished': 1,
      'promotion-finished': 1,
    });
    assert.deepEqual(only(facts, 'promotion-started'), [{ kind: 'promotion-started', pipeline: name, promotionKind: 'promote' }]);
    assert.deepEqual(only(facts, 'approval-requested'), [{ kind: 'approval-requested', pipeline: name, stage: 'production' }]);
    const [decided] = only(facts, 'approval-decided');
    assert.equal(decided!.outcome, 'approved');
    assert.ok(decided!.waitMs >= 0);
    assert.deepEqual(
      only(facts, 'gate-waited').map((f) => f.gate),
      ['approval', 'pause'],
    );
    const [deployment] = only(facts, 'deployment');
    assert.equal(deployment!.stage, 'production');
    assert.ok(deployment!.leadTimeMs !== null && deployment!.leadTimeMs >= 3_600_000, `lead time ${deployment!.leadTimeMs}`);
    const [stageFinished] = only(facts, 'stage-finished');
    assert.equal(stageFinished!.outcome, 'Promoted');
    assert.ok(stageFinished!.durationMs >= decided!.waitMs);
    const [finished] = only(facts, 'promotion-finished');
    assert.equal(finished!.outcome, 'Succeeded');
    assert.ok(finished!.durationMs >= stageFinished!.durationMs);
    // Order: started first, finished last; the deployment before the stage ends.
    assert.equal(facts[0]!.kind, 'promotion-started');
    assert.equal(facts.at(-1)!.kind, 'promotion-finished');
    assert.ok(facts.indexOf(deployment!) < facts.indexOf(stageFinished!));
  });

  test('a failed analysis: its measurements and verdict, a rollback caused by it with a reaction time, a canary catch, no deployment', async () => {
    const fake = fakeRamp();
    fake.measure = () => ({ phase: 'Failed', value: [0.2] });
    const spec = webPipeline({
      analysisTemplates: TEMPLATES,
      stagingSteps: ['setWeight: 20', 'analysis: { templates: [{ templateName: errors }] }', 'setWeight: 50'],
    });
    const pipeline = { ...spec, stages: spec.stages.slice(1, 2) };
    const facts = await promote(pipeline, fake, {}, () => Promise.resolve());
    const name = pipeline.name;
    const c = counts(facts);
    assert.equal(c.deployment, undefined, 'no deployment: the release never reached full promotion');
    assert.equal(c['change-failure'], undefined);
    assert.deepEqual(only(facts, 'analysis-measurement'), [
      { kind: 'analysis-measurement', pipeline: name, stage: 'staging', metric: 'error-rate', phase: 'Failed' },
    ]);
    assert.deepEqual(only(facts, 'analysis-run'), [{ kind: 'analysis-run', pipeline: name, stage: 'staging', phase: 'Failed' }]);
    const rollbacks = only(facts, 'rollback');
    assert.equal(rollbacks.length, 1);
    assert.equal(rollbacks[0]!.cause, 'analysis');
    assert.equal(rollbacks[0]!.stage, 'staging');
    assert.ok(rollbacks[0]!.reactionMs !== null && rollbacks[0]!.reactionMs >= 0, `reaction ${rollbacks[0]!.reactionMs}`);
    assert.deepEqual(only(facts, 'canary-catch'), [{ kind: 'canary-catch', pipeline: name, stage: 'staging' }]);
    assert.deepEqual(
      only(facts, 'stage-finished').map((f) => f.outcome),
      ['RolledBack'],
    );
    assert.deepEqual(
      only(facts, 'promotion-finished').map((f) => f.outcome),
      ['Aborted'],
    );
    // The revert carries when the failure was detected (Ramp-Detected-At).
    const revert = fake.reverts.at(-1);
    assert.ok(revert?.detectedAt !== undefined, `the revert request: ${JSON.stringify(revert)}`);
  });

  test('a failure after full promotion: the deployment, then a change failure with its recovery', async () => {
    const fake = fakeRamp();
    fake.measure = () => ({ phase: 'Failed', value: [0.2] });
    const spec = webPipeline({ analysisTemplates: TEMPLATES });
    const staging = spec.stages[1]!;
    const pipeline = { ...spec, stages: [{ ...staging, verification: { prePromotion: null, postPromotion: { templates: ['errors'], args: [] } } }] };
    const facts = await promote(pipeline, fake, {}, () => Promise.resolve());
    const name = pipeline.name;
    assert.deepEqual(only(facts, 'deployment'), [{ kind: 'deployment', pipeline: name, stage: 'staging', leadTimeMs: null }]);
    assert.deepEqual(
      only(facts, 'rollback').map((f) => f.cause),
      ['analysis'],
    );
    assert.equal(counts(facts)['canary-catch'], undefined, 'not a catch: the release was fully exposed');
    assert.deepEqual(only(facts, 'change-failure'), [{ kind: 'change-failure', pipeline: name, stage: 'staging', cause: 'rollback' }]);
    const recoveries = only(facts, 'recovery');
    assert.equal(recoveries.length, 1);
    assert.ok(recoveries[0]!.recoveryMs >= 0);
  });

  test('rollback.scope promotion: the failed stage is a canary catch, the earlier stage a change failure rolled back with the promotion', async () => {
    const fake = fakeRamp();
    fake.measure = () => ({ phase: 'Failed', value: [0.2] });
    const spec = webPipeline({
      analysisTemplates: TEMPLATES,
      rollbackScope: 'promotion',
      productionApproval: '',
      productionSteps: ['setWeight: 20', 'analysis: { templates: [{ templateName: errors }] }', 'setWeight: 60'],
    });
    const pipeline = { ...spec, stages: spec.stages.slice(1) };
    const facts = await promote(pipeline, fake, {}, () => Promise.resolve());
    const byStage = (kind: DeliveryFact['kind']) =>
      facts
        .filter((f) => f.kind === kind)
        .map((f) => ('stage' in f ? f.stage : ''))
        .sort();
    assert.deepEqual(byStage('deployment'), ['staging']);
    assert.deepEqual(byStage('canary-catch'), ['production']);
    assert.deepEqual(byStage('change-failure'), ['staging']);
    assert.deepEqual(byStage('recovery'), ['staging']);
    assert.deepEqual(
      only(facts, 'rollback').map((f) => [f.stage, f.cause, f.reactionMs !== null && f.reactionMs >= 0]),
      [
        ['production', 'analysis', true],
        ['staging', 'promotion-scope', true],
      ],
    );
    // Both reverts say when the production analysis failed.
    assert.equal(fake.reverts.length, 2);
    assert.equal(fake.reverts[0]!.detectedAt, fake.reverts[1]!.detectedAt);
    assert.ok(fake.reverts[1]!.detectedAt !== undefined);
  });

  test('a rollback promotion is a remediation, not a deployment: a change failure and its recovery', async () => {
    const fake = fakeRamp();
    fake.fieldHistory = ['web:1.1.0', 'web:1.0.0'];
    const spec = webPipeline();
    const pipeline = { ...spec, stages: spec.stages.slice(1, 2) };
    const facts = await promote(pipeline, fake, { kind: 'rollback', stages: ['staging'] }, () => Promise.resolve());
    const name = pipeline.name;
    assert.equal(counts(facts).deployment, undefined);
    assert.deepEqual(only(facts, 'promotion-started'), [{ kind: 'promotion-started', pipeline: name, promotionKind: 'rollback' }]);
    assert.deepEqual(only(facts, 'change-failure'), [{ kind: 'change-failure', pipeline: name, stage: 'staging', cause: 'rollback' }]);
    assert.equal(only(facts, 'recovery').length, 1);
    assert.deepEqual(
      only(facts, 'promotion-finished').map((f) => [f.promotionKind, f.outcome]),
      [['rollback', 'Succeeded']],
    );
  });

  test('an analysis run with a judge: each judgement is a measurement and a score, then the run', async () => {
    const facts: DeliveryFact[] = [];
    const sinks: InjectedSinks<RampSinks> = { ramp: { observe: { fn: (_info, fact) => void facts.push(fact) } } };
    const fake = fakeRamp();
    const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities, sinks });
    const judge = { count: 2, intervalMs: 100, lookbackMs: 100 } as JudgeSpec;
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof analysisWorkflow>('analysisWorkflow', {
        taskQueue,
        workflowId: `${uniqueName('judge')}/analysis`,
        args: [{ label: 'judge', metrics: [], judges: [{ name: 'canary', judge }], args: { 'ramp.pipeline': 'web', 'ramp.stage': 'staging' } }],
      }),
    );
    assert.equal(result.phase, 'Successful');
    assert.deepEqual(
      facts.map((f) => [f.kind, 'score' in f ? f.score : 'phase' in f ? f.phase : null]),
      [
        ['analysis-measurement', 'Successful'],
        ['judge-score', 100],
        ['analysis-measurement', 'Successful'],
        ['judge-score', 100],
        ['analysis-run', 'Successful'],
      ],
    );
    assert.ok(facts.every((f) => f.pipeline === 'web' && 'stage' in f && f.stage === 'staging'));
    assert.equal(only(facts, 'analysis-measurement')[0]!.metric, 'judge:canary');
  });
});
