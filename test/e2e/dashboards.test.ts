/**
 * ramp's dashboards (deploy/grafana/dashboards/) show real data: a real worker process serves its
 * /metrics on RAMP_METRICS_ADDRESS (ramp_*, process_*, nodejs_*, temporal_*), a real Prometheus
 * scrapes it every second, and real promotions through a real GitOps repository feed it:
 *
 *   1. 1.1.0 through preview, staging (canary, a passing analysis) and production (approval, a
 *      canary with a pause): Prometheus sees the approval waiting and the canary at 20 % before
 *      they are given; the release names its source commit (lead time).
 *   2. 1.2.0-bad: its staging analysis fails, staging is reverted (a rollback, a canary catch).
 *   3. 1.3.0 to production, then a rollback promotion of production to 1.1.0 (a change failure
 *      of 1.3.0 and its recovery).
 *
 * Then every dashboard query returns at least one series over the test's time range, but those
 * listed in NOT_HAPPENED, each with the reason.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../scripts/lib/proc.js';
import type { PipelineSpec } from '../../src/schema/pipeline.js';
import {
  approveUpdate,
  promotionWorkflowId,
  resumeUpdate,
  stageStatusQuery,
  stageWorkflowId,
  type PromotionInput,
  type StageStatus,
} from '../../workflows/messages.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { startPrometheus, type TestPrometheus } from '../harness/prometheus.js';
import { getTestEnv, uniqueTaskQueue } from '../harness/temporal.js';
import { assertDashboardsReturnData, type NoData } from '../support/dashboards-data.js';
import { seedPipeline, uniqueName } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { waitFor } from '../support/wait.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const DEADLINE_MS = 60_000;

/** Queries that need an event this test does not cause. */
const NOT_HAPPENED: NoData[] = [
  { metric: 'ramp_judge_score_bucket', reason: 'no stage of this pipeline has a canary judge' },
  { metric: 'ramp_judge_score_sum', reason: 'no stage of this pipeline has a canary judge' },
  { metric: 'ramp_judge_score_count', reason: 'no stage of this pipeline has a canary judge' },
  { metric: 'ramp_overrides_total', reason: 'nobody overrides anything' },
  { metric: 'ramp_drift_detected_total', reason: 'no stage watches for drift' },
  { metric: 'ramp_git_push_retries_total', reason: 'nothing else pushes to the repository: no push is retried' },
  { metric: 'ramp_git_push_conflicts_total', reason: 'nothing else pushes to the repository: no conflict' },
  { metric: 'ramp_notifications_total', reason: 'the pipeline routes no notification' },
  { metric: 'ramp_http_requests_total', reason: 'no ramp server runs here (the worker dashboard’s server row)' },
  { metric: 'ramp_http_request_duration_seconds_bucket', reason: 'no ramp server runs here' },
  { metric: 'ramp_refusals_total', reason: 'no ramp server runs here' },
  { metric: 'temporal_workflow_task_execution_failed', reason: 'no workflow task fails (that would be a bug)' },
  { metric: 'temporal_activity_execution_failed', reason: 'no activity attempt fails' },
  { metric: 'temporal_sticky_cache_miss', reason: 'one worker with room in its cache: every task finds its workflow' },
  { metric: 'temporal_sticky_cache_total_forced_eviction', reason: 'the cache never fills' },
  { metric: 'temporal_workflow_task_queue_poll_empty', reason: 'long polls come back empty only after a minute without tasks' },
];

let env: TestWorkflowEnvironment;
let ramp: RealRamp;
let worker: WorkerProcess | undefined;
let prometheus: TestPrometheus | undefined;
before(async () => {
  env = await getTestEnv();
  ramp = await realRamp(env, { 'release-managers': ['alice'] });
});
after(async () => {
  await worker?.kill('SIGKILL');
  await prometheus?.stop();
  await ramp?.cleanup();
  await env?.teardown();
});

/** staging: a canary with an analysis whose query is `vector(errorRate)`; production: an approval, then a canary with a pause. */
function pipeline(name: string, prometheusUrl: string, errorRate: number): PipelineSpec {
  return seedPipeline({
    name,
    url: ramp.remote.remoteUrl,
    analysisTemplates: `    - name: errors
      metrics:
        - name: error-rate
          interval: 1s
          count: 1
          successCondition: size(result) > 0 && result[0] < 0.05
          failureCondition: size(result) > 0 && result[0] > 0.25
          provider: { prometheus: { address: ${prometheusUrl}, query: 'vector(${errorRate})' } }
`,
    stages: {
      preview: {},
      staging: { steps: ['setWeight: 20', 'analysis: { templates: [{ templateName: errors }] }', 'setWeight: 50'] },
      production: { with: ['approval: { approvers: [alice] }'], steps: ['setWeight: 20', 'pause: {}', 'setWeight: 60'] },
    },
  });
}

test('after real promotions, every dashboard query returns data from the worker’s scraped metrics', { timeout: 600_000 }, async () => {
  const since = Math.floor(Date.now() / 1000) - 5;
  const taskQueue = uniqueTaskQueue('dashboards');
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  worker = startWorkerProcess({
    TEMPORAL_ADDRESS: env.address,
    RAMP_TASK_QUEUE: taskQueue,
    RAMP_CACHE_DIR: ramp.cacheDir,
    RAMP_GROUPS_FILE: ramp.groupsFile,
    RAMP_METRICS_ADDRESS: metricsAddress,
  });
  await worker.started;
  prometheus = await startPrometheus({ targets: [metricsAddress], scrapeInterval: '1s' });
  const prom = prometheus;
  await prom.waitForUp(undefined, DEADLINE_MS);
  const name = uniqueName('dash');
  const seen = (promql: string, what: string) =>
    prom
      .waitFor(promql, (s) => s.length > 0, { timeoutMs: DEADLINE_MS })
      .catch((error: unknown) => {
        throw new Error(`Prometheus never saw ${what} (${promql}): ${(error as Error).message}\nworker output:\n${worker?.output().slice(-4000)}`);
      });

  const start = (version: string, spec: PipelineSpec, extra: Partial<PromotionInput> = {}) =>
    env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue,
      workflowId: promotionWorkflowId(spec.name, version, extra.kind ?? 'promote', extra.stages ?? []),
      args: [{ apiVersion: 'ramp/v1', pipeline: spec, version, requestedBy: 'rm', kind: 'promote', ...extra }],
    });
  const stage = (stageName: string): WorkflowHandle => env.client.workflow.getHandle(stageWorkflowId(name, stageName));
  const waitStage = (stageName: string, done: (s: StageStatus) => boolean, what: string) =>
    waitFor(() => stage(stageName).query(stageStatusQuery), done, `${what}; worker output:\n${worker?.output().slice(-4000)}`, DEADLINE_MS);
  /** Approves production as alice and resumes its pause; with `observe`, only once Prometheus saw each wait. */
  const throughProduction = async (promotionId: string, observe: boolean) => {
    await waitStage('production', (s) => s.phase === 'AwaitingApproval', 'the production approval gate');
    if (observe) await seen(`ramp_stages_running{pipeline="${name}", stage="production", phase="AwaitingApproval"} > 0`, 'the approval waiting');
    await stage('production').executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'alice' }] });
    await waitStage('production', (s) => s.phase === 'Paused', 'the production pause');
    if (observe) await seen(`ramp_canary_weight{pipeline="${name}", stage="production"} == 20`, 'the production canary at 20 %');
    await stage('production').executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'rm' }] });
  };

  // 1. A good release everywhere, naming its source commit.
  const good = pipeline(name, prom.url, 0);
  const first = await start('1.1.0', good, { release: { commit: 'a'.repeat(40), time: new Date(Date.now() - 3_600_000).toISOString() } });
  await throughProduction(first.workflowId, true);
  assert.equal((await promotionOutcome(first.result())).phase, 'Succeeded');

  // 2. A bad release caught by its staging canary.
  const bad = await start('1.2.0-bad', pipeline(name, prom.url, 1));
  const caught = await promotionOutcome(bad.result());
  assert.equal(caught.phase, 'Aborted', JSON.stringify(caught.stages.map((s) => [s.name, s.phase])));

  // 3. 1.3.0 to production, then production rolled back to 1.1.0.
  const third = await start('1.3.0', good);
  await throughProduction(third.workflowId, false);
  assert.equal((await promotionOutcome(third.result())).phase, 'Succeeded');
  const rollback = await start('1.1.0', good, { kind: 'rollback', stages: ['production'], reason: '1.3.0 breaks checkout' });
  assert.equal((await promotionOutcome(rollback.result())).phase, 'Succeeded');
  assert.match((await ramp.files('envs/production'))['stable.yaml']!, /image: web:1\.1\.0/);

  // Every promotion's end scraped, then every query.
  await prom.waitFor(`sum(ramp_promotions_finished_total{pipeline="${name}"}) >= 4`, (s) => s.length > 0, { timeoutMs: DEADLINE_MS });
  await assertDashboardsReturnData(prom.url, { since, except: NOT_HAPPENED, timeoutMs: DEADLINE_MS });
});
