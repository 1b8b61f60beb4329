/**
 * Canary analysis end to end: the real Prometheus scrapes the demo app (dev/demo-app.ts),
 * whose canary error rate each test sets; the real activities measure and commit to a real
 * Git remote.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDemoApp, type DemoApp } from '../../dev/demo-app.js';
import { analysisStatusQuery } from '../../workflows/analysis-messages.js';
import { promotionWorkflowId, resumeUpdate, stageStatusQuery, stageWorkflowId, type PromotionStatus, type StageStatus } from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { startPrometheus, type TestPrometheus } from '../harness/prometheus.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { webPipeline } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { waitFor } from '../support/wait.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';

/** Errors over all requests of a version; `or vector(0)` because no 500s means no 500 series at all. */
const ERROR_RATIO = (version: string) =>
  `(sum(rate(http_requests_total{version="${version}",code="500"}[5s])) or vector(0)) / sum(rate(http_requests_total{version="${version}"}[5s]))`;

function templates(address: string, extra = ''): string {
  return `    - name: errors
      metrics:
        - name: error-ratio
          interval: 1s
          count: 3
          successCondition: size(result) > 0 && result[0] < 0.05
          failureCondition: size(result) > 0 && result[0] > 0.25
${extra}          provider:
            prometheus:
              address: ${address}
              query: '${ERROR_RATIO('{{ramp.version}}')}'
`;
}

describe('canary analysis against a real Prometheus', () => {
  let env: TestWorkflowEnvironment;
  let app: DemoApp;
  let prometheus: TestPrometheus;
  let ramp: RealRamp;
  before(async () => {
    env = await getTestEnv();
    app = await startDemoApp();
    app.set('1.0.0', { errorRate: 0, latencySeconds: 0.02 });
    prometheus = await startPrometheus({ targets: [app.address] });
    await prometheus.waitForUp();
    ramp = await realRamp(env);
  });
  after(async () => {
    await prometheus?.stop();
    await app?.close();
    await ramp?.cleanup();
    await env?.teardown();
  });

  async function promote(
    version: string,
    extra: string,
    during?: (stage: ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>, id: string) => Promise<void>,
    address = prometheus.url,
    count = 3,
    analysisTemplates?: string,
  ): Promise<{ result: PromotionStatus; staging: StageStatus }> {
    const spec = webPipeline({
      url: ramp.remote.remoteUrl,
      analysisTemplates: analysisTemplates ?? templates(address, extra).replace('count: 3', `count: ${count}`),
      stagingSteps: ['setWeight: 20', 'analysis: { templates: [{ templateName: errors }] }', 'setWeight: 50'],
    });
    const pipeline = { ...spec, stages: spec.stages.slice(1, 2) };
    const { worker, taskQueue } = await createTestWorker(env, { activities: ramp.activities });
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionWorkflowId(pipeline.name, version),
        args: [{ apiVersion: 'ramp/v1', pipeline, version, requestedBy: 'rm', kind: 'promote' }],
      });
      await during?.(env.client.workflow.getHandle(stageWorkflowId(pipeline.name, 'staging')), handle.workflowId);
      return promotionOutcome(handle.result());
    });
    return { result, staging: result.stages[0]!.result! };
  }

  /** Waits until Prometheus has seen the version's traffic for a few seconds (rate over 5s). */
  async function serve(version: string, errorRate: number): Promise<void> {
    app.set(version, { errorRate, latencySeconds: 0.02 });
    await prometheus.waitFor(`count_over_time(http_requests_total{version="${version}"}[10s]) >= 4`, (samples) => samples.length > 0);
  }

  test('a healthy canary is promoted through its analysis automatically', async () => {
    await serve('1.1.0', 0);
    const { result, staging } = await promote('1.1.0', '');
    assert.equal(result.phase, 'Succeeded');
    const run = staging.analyses![0]!;
    assert.equal(run.phase, 'Successful');
    const measurements = run.metrics[0]!.measurements;
    assert.equal(measurements.length, 3);
    assert.ok(
      measurements.every((m) => m.phase === 'Successful' && Array.isArray(m.value) && m.value[0] === 0),
      JSON.stringify(measurements),
    );
    assert.match(measurements[0]!.query, /version="1\.1\.0"/);
    assert.match((await ramp.files('envs/staging'))['stable.yaml']!, /image: web:1\.1\.0/);
  });

  test('a failing canary is aborted at its first failed measurement and reverted', async () => {
    await serve('1.2.0', 0.5);
    const before = await ramp.files('envs/staging');
    const { result, staging } = await promote('1.2.0', '');
    assert.equal(result.phase, 'Aborted');
    assert.equal(staging.failure?.reason, 'AnalysisFailed');
    // failureLimit 0: the first failed measurement decides; the other two of count 3 never run.
    // (How soon after it the revert is pushed is a benchmark: bench/engine.ts, rollback reaction.)
    const run = staging.analyses![0]!;
    assert.equal(run.phase, 'Failed');
    assert.deepEqual(
      run.metrics[0]!.measurements.map((m) => m.phase),
      ['Failed'],
      JSON.stringify(run.metrics[0]!.measurements),
    );
    const order = staging.events.map((e) => e.kind);
    assert.ok(order.indexOf('rolled-back') > order.indexOf('analysis-started'), order.join(', '));
    assert.deepEqual(await ramp.files('envs/staging'), before, 'byte-identical to before 1.2.0');
  });

  test('a metric between its conditions is inconclusive: the stage pauses until an operator resumes', async () => {
    await serve('1.3.0', 0.1);
    const { result, staging } = await promote('1.3.0', '', async (stage, id) => {
      await waitFor(
        () => stage.query(stageStatusQuery),
        (s) => s.pauseReason === 'InconclusiveAnalysis',
        'the inconclusive pause',
        30_000,
      );
      await stage.executeUpdate(resumeUpdate, { args: [{ promotionId: id, actor: 'rm' }] });
    });
    assert.equal(result.phase, 'Succeeded');
    assert.equal(staging.analyses![0]!.phase, 'Inconclusive');
  });

  test('Prometheus stopped mid-analysis: Error measurements, aborted after the error limit, never promoted', async () => {
    const own = await startPrometheus({ targets: [app.address] });
    try {
      await own.waitForUp();
      await serve('1.4.0', 0);
      await own.waitFor(`count_over_time(http_requests_total{version="1.4.0"}[10s]) >= 6`, (samples) => samples.length > 0);
      const { result, staging } = await promote(
        '1.4.0',
        '          consecutiveErrorLimit: 1\n',
        async (stage) => {
          // Stop Prometheus once the analysis has measured successfully at least once: its own
          // status says so (the analysis of step 2 runs as the stage's child workflow).
          const analysis = env.client.workflow.getHandle(`${stage.workflowId}/1/step-2`);
          await waitFor(
            () => analysis.query(analysisStatusQuery),
            (a) => a.metrics[0]?.measurements.some((m) => m.phase === 'Successful') === true,
            'a successful measurement',
            60_000,
          );
          await own.stop();
        },
        own.url,
        10,
      );
      assert.equal(result.phase, 'Aborted');
      const run = staging.analyses![0]!;
      assert.equal(run.phase, 'Error');
      const measurements = run.metrics[0]!.measurements;
      assert.ok(
        measurements.some((m) => m.phase === 'Successful'),
        'it measured before Prometheus went away',
      );
      assert.equal(run.metrics[0]!.counters.consecutiveError, 2);
      assert.match(measurements[measurements.length - 1]!.error ?? '', new RegExp(own.url.replace(/[.:/]/g, '\\$&')));
      assert.ok(!staging.commits.some((c) => c.step === '1/promote'), 'never promoted on missing data');
    } finally {
      await own.stop();
    }
  });

  /** A judge comparing p90 latency of the canary with the stable 1.0.0, over the last 8 s. */
  const judgeTemplate = () => `    - name: errors
      judge:
        lookback: 8s
        step: 1s
        metrics:
          - name: p90-latency
            direction: increase
            critical: true
            baseline: { prometheus: { address: ${prometheus.url}, query: 'histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{version="1.0.0"}[3s])))' } }
            canary: { prometheus: { address: ${prometheus.url}, query: 'histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{version="{{ramp.version}}"}[3s])))' } }
`;

  test('the judge passes a canary that behaves like the baseline, and promotes it', async () => {
    app.set('1.5.0', { errorRate: 0, latencySeconds: 0.02 });
    const { result, staging } = await promote('1.5.0', '', undefined, prometheus.url, 3, judgeTemplate());
    assert.equal(result.phase, 'Succeeded', JSON.stringify(staging.analyses));
    const judgement = staging.analyses![0]!.metrics[0]!.measurements[0] as unknown as { value: number; judgement: { classification: string } };
    assert.equal(judgement.value, 100);
    assert.equal(judgement.judgement.classification, 'Pass');
  });

  test('the judge fails a canary ten times slower than the baseline, and it is reverted', async () => {
    app.set('1.6.0', { errorRate: 0, latencySeconds: 0.2 });
    const { result, staging } = await promote('1.6.0', '', undefined, prometheus.url, 3, judgeTemplate());
    assert.equal(result.phase, 'Aborted');
    assert.equal(staging.phase, 'RolledBack');
    const judgement = staging.analyses![0]!.metrics[0]!.measurements[0] as unknown as {
      value: number;
      judgement: { classification: string; metrics: { classification: string }[] };
    };
    assert.equal(judgement.judgement.classification, 'Fail');
    assert.equal(judgement.judgement.metrics[0]!.classification, 'High');
  });
});
