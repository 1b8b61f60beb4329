/**
 * Analysis steps in the stage state machine, on the real dev server with a fake of ramp's own
 * measure activity (the real Prometheus provider is tested in test/integration and test/e2e).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { promotionWorkflowId, resumeUpdate, stageStatusQuery, type PromotionStatus } from '../../workflows/messages.js';
import { fakeRamp, type FakeRamp } from '../support/fake-activities.js';
import { webPipeline } from '../support/pipelines.js';
import { waitFor } from '../support/wait.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import type { WorkflowHandle } from '@temporalio/client';
import { runPromotion } from '../support/run-promotion.js';
import { recordWorkflows } from '../replay/record.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';

const TEMPLATES = `    - name: errors
      args: [{ name: service }]
      metrics:
        - name: error-rate
          interval: 100ms
          count: 3
          successCondition: result[0] < 0.01
          failureCondition: result[0] > 0.05
          consecutiveErrorLimit: 0
          provider:
            prometheus:
              address: http://prometheus:9090
              query: 'sum(rate(errors{service="{{args.service}}",version="{{ramp.version}}",stage="{{ramp.stage}}",backend="{{ramp.canary}}"}[1m]))'
`;

describe('analysis steps (fake measurements)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  const pipeline = (templates = TEMPLATES) => {
    const spec = webPipeline({
      analysisTemplates: templates,
      stagingSteps: ['setWeight: 20', 'analysis: { templates: [{ templateName: errors }], args: [{ name: service, value: web-canary }] }', 'setWeight: 50'],
    });
    return { ...spec, stages: spec.stages.slice(1, 2) };
  };

  const promote = (fake: FakeRamp, during?: (stage: WorkflowHandle, promotionId: string) => Promise<void>, record?: string): Promise<PromotionStatus> =>
    runPromotion(env, fake.activities, pipeline(), '1.1.0', during && ((d) => during(d.stage('staging'), d.promotionId)), record);

  test('a healthy canary passes every measurement and is promoted; the record holds the resolved queries', async () => {
    const fake = fakeRamp();
    fake.measure = () => ({ phase: 'Successful', value: [0.001] });
    const result = await promote(fake);
    assert.equal(result.phase, 'Succeeded');
    const staging = result.stages[0]!.result!;
    const analysis = staging.analyses![0]!;
    assert.equal(analysis.phase, 'Successful');
    assert.deepEqual(analysis.metrics[0]!.counters, {
      count: 3,
      successful: 3,
      failed: 0,
      inconclusive: 0,
      error: 0,
      consecutiveError: 0,
      consecutiveSuccess: 3,
    });
    assert.equal(analysis.metrics[0]!.measurements.length, 3);
    assert.equal(fake.measurements[0]!.query, 'sum(rate(errors{service="web-canary",version="1.1.0",stage="staging",backend="web-canary"}[1m]))');
    assert.deepEqual(
      staging.commits.map((c) => c.step),
      ['1/0/canary/20', '1/2/setWeight-50', '1/promote'],
    );
  });

  test('consecutiveSuccessLimit ends the metric Successful before its count, after a failure it tolerated', async () => {
    const fake = fakeRamp();
    const phases: ('Failed' | 'Successful')[] = ['Failed', 'Successful', 'Successful'];
    fake.measure = () => {
      const phase = phases.shift() ?? 'Failed';
      return { phase, value: [phase === 'Failed' ? 0.2 : 0.001] };
    };
    const templates = TEMPLATES.replace('          count: 3\n', '          count: 10\n          failureLimit: 1\n          consecutiveSuccessLimit: 2\n');
    const result = await runPromotion(env, fake.activities, pipeline(templates));
    assert.equal(result.phase, 'Succeeded', result.message);
    const metric = result.stages[0]!.result!.analyses![0]!.metrics[0]!;
    assert.equal(metric.phase, 'Successful');
    assert.equal(metric.message, 'consecutiveSuccess (2) reached consecutiveSuccessLimit (2)');
    assert.equal(fake.measurements.length, 3, 'three of the ten measurements were enough');
  });

  test('a failing measurement aborts the canary and rolls it back', async () => {
    const fake = fakeRamp();
    fake.measure = () => ({ phase: 'Failed', value: [0.2] });
    const result = await promote(fake);
    assert.equal(result.phase, 'Aborted');
    const staging = result.stages[0]!.result!;
    assert.equal(staging.phase, 'RolledBack');
    assert.equal(staging.failure?.reason, 'AnalysisFailed');
    assert.match(staging.failure.message, /step 2: analysis errors: Failed — Metric "error-rate" assessed Failed due to failed \(1\) > failureLimit \(0\)/);
    assert.equal(fake.measurements.length, 1, 'the run ends at the first failure');
    assert.equal(fake.reverts[0]!.commits.length, 1);
  });

  test('an error beyond consecutiveErrorLimit is an Error: aborted, never promoted on missing data', async () => {
    const fake = fakeRamp();
    fake.measure = () => ({ phase: 'Error', error: 'cannot reach http://prometheus:9090: connection refused' });
    const result = await promote(fake);
    const staging = result.stages[0]!.result!;
    assert.equal(staging.analyses![0]!.phase, 'Error');
    assert.equal(staging.phase, 'RolledBack');
    assert.ok(!staging.commits.some((c) => c.step === '1/promote'));
  });

  test('inconclusive pauses the stage for a human; resume continues to promotion', async () => {
    const fake = fakeRamp();
    fake.measure = () => ({ phase: 'Inconclusive', value: [0.03] });
    const result = await promote(
      fake,
      async (stage, promotionId) => {
        const paused = await waitFor(
          () => stage.query(stageStatusQuery),
          (s) => s.pauseReason === 'InconclusiveAnalysis',
          'the inconclusive pause',
        );
        assert.match(paused.message, /Inconclusive .*ramp resume .* overrides it and continues \(anyone may\); ramp abort rolls back/);
        await stage.executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'rm' }] });
      },
      'analysis-inconclusive-override',
    );
    assert.equal(result.phase, 'Succeeded');
    const staging = result.stages[0]!.result!;
    assert.ok(staging.events.some((e) => e.kind === 'resumed' && e.actor === 'rm'));
    // An override, never a pass: the step shows Overridden and the override is on the record.
    assert.equal(staging.steps[1]!.status, 'Overridden');
    assert.deepEqual(
      staging.overrides?.map((o) => [o.kind, o.actor]),
      [['Inconclusive', 'rm']],
    );
  });

  const MORE = `    - name: watch
      metrics:
        - name: bg-errors
          interval: 100ms
          count: 50
          successCondition: result < 1
          provider: { prometheus: { address: http://prometheus:9090, query: bg } }
    - name: verify
      metrics:
        - name: post-check
          successCondition: result < 1
          provider: { prometheus: { address: http://prometheus:9090, query: post } }
`;

  async function run(fake: FakeRamp, yaml: { staging: string[]; extra: string }, record?: string): Promise<PromotionStatus> {
    const spec = webPipeline({ analysisTemplates: TEMPLATES + MORE, stagingSteps: yaml.staging });
    const staging = spec.stages[1]!;
    const pipeline = {
      ...spec,
      stages: [yaml.extra === 'post' ? { ...staging, verification: { prePromotion: null, postPromotion: { templates: ['verify'], args: [] } } } : staging],
    };
    if (yaml.extra === 'background' && pipeline.stages[0]!.strategy.kind === 'canary') {
      pipeline.stages[0] = {
        ...pipeline.stages[0]!,
        strategy: { ...pipeline.stages[0]!.strategy, analysis: { templates: ['watch'], args: [], startingStep: 1 } },
      };
    }
    const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities });
    const result = await worker.runUntil(
      promotionOutcome(
        env.client.workflow.execute<typeof promotionWorkflow>('promotionWorkflow', {
          taskQueue,
          workflowId: promotionWorkflowId(pipeline.name, '2.0.0'),
          args: [{ apiVersion: 'ramp/v1', pipeline, version: '2.0.0', requestedBy: 'rm', kind: 'promote' }],
        }),
      ),
    );
    if (record) await recordWorkflows(env, record, pipeline.name);
    return result;
  }

  test('background analysis: a failure mid-pause aborts the canary at once, not at the end of the pause', async () => {
    const fake = fakeRamp();
    let calls = 0;
    fake.measure = (metric) => (metric.name === 'bg-errors' && ++calls >= 5 ? { phase: 'Failed', value: 3 } : { phase: 'Successful', value: 0 });
    const result = await run(
      fake,
      { staging: ['setWeight: 20', 'pause: { duration: 1h }', 'setWeight: 50'], extra: 'background' },
      'analysis-background-failed',
    );
    const staging = result.stages[0]!.result!;
    // The stage's own record: the hour-long pause ended unfinished, well before its hour; 50% never came.
    const [, pause, fifty] = staging.steps;
    assert.equal(pause?.status, 'Failed', JSON.stringify(staging.steps));
    assert.ok(Date.parse(pause.finishedAt!) - Date.parse(pause.startedAt!) < 3_600_000, JSON.stringify(pause));
    assert.equal(fifty?.status, 'Pending');
    assert.equal(staging.phase, 'RolledBack');
    assert.match(staging.failure!.message, /^background: analysis watch: Failed/);
    assert.equal(fake.reverts[0]!.commits.length, 1);
  });

  test('background analysis that holds until full promotion is terminated as passed', async () => {
    const fake = fakeRamp();
    const result = await run(fake, { staging: ['setWeight: 20', 'pause: { duration: 300ms }', 'setWeight: 50'], extra: 'background' });
    assert.equal(result.phase, 'Succeeded');
    const background = result.stages[0]!.result!.analyses!.find((a) => a.label.startsWith('background'))!;
    assert.equal(background.phase, 'Successful');
    assert.equal(background.message, 'run terminated');
  });

  test('post-promotion verification that fails reverts the full promotion too', async () => {
    const fake = fakeRamp();
    fake.measure = (metric) => (metric.name === 'post-check' ? { phase: 'Failed', value: 5 } : { phase: 'Successful', value: [0.001] });
    const result = await run(fake, { staging: ['setWeight: 20', 'setWeight: 50'], extra: 'post' });
    const staging = result.stages[0]!.result!;
    assert.equal(staging.phase, 'RolledBack');
    assert.match(staging.failure!.message, /^post-promotion: analysis verify: Failed/);
    assert.deepEqual(fake.reverts[0]!.commits.length, 3, 'canary start, 50%, and the full promotion');
  });
});
