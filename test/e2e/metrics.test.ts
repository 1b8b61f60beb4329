/**
 * The worker's /metrics (RAMP_METRICS_ADDRESS, docs/metrics.md) scraped for real: a worker
 * process (test/support/test-worker.ts: ramp's worker plus the smoke workflows) on the dev
 * server, a real promotion over a real GitOps remote. While the promotion waits at production's
 * approval gate and then at its pause, the visibility gauges show exactly that stage, phase and
 * canary weight; afterwards nothing of it runs, and Temporal Core's metrics are in the same
 * body. Facts reported by a workflow through the `ramp` sink land in the same exposition.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../scripts/lib/proc.js';
import type { DeliveryFact } from '../../src/observability/facts.js';
import { approveUpdate, promotionWorkflowId, resumeUpdate, stageStatusQuery, stageWorkflowId } from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { getTestEnv, uniqueTaskQueue } from '../harness/temporal.js';
import { webPipeline } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import type { observeWorkflow } from '../support/smoke/observe.js';
import { waitFor } from '../support/wait.js';
import { startWorkerProcess, TEST_WORKER_MAIN, type WorkerProcess } from '../support/worker-process.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (labels without escapes: ramp's and Core's are plain). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The values of `name` whose labels include `labels`. */
function values(samples: Sample[], name: string, labels: Record<string, string>): number[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);
}

describe('the worker’s /metrics during and after a real promotion', () => {
  let env: TestWorkflowEnvironment;
  let ramp: RealRamp;
  let worker: WorkerProcess;
  let metricsUrl: string;
  const taskQueue = uniqueTaskQueue('metrics');

  const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
    const res = await fetch(metricsUrl);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    return { text, samples: parseExposition(text) };
  };
  /** Scrapes until `done` holds (the visibility gauges refresh every ~10 s): 60 s at most. */
  const scrapeUntil = (done: (samples: Sample[]) => boolean, what: string) =>
    waitFor(scrape, (s) => done(s.samples), `${what} on ${metricsUrl}; worker output:\n${worker.output().slice(-2000)}`, 60_000);

  before(async () => {
    env = await getTestEnv();
    ramp = await realRamp(env, { 'release-managers': ['carol'] });
    const address = `127.0.0.1:${await freePort()}`;
    metricsUrl = `http://${address}/metrics`;
    worker = startWorkerProcess(
      {
        TEMPORAL_ADDRESS: env.address,
        RAMP_TASK_QUEUE: taskQueue,
        RAMP_CACHE_DIR: ramp.cacheDir,
        RAMP_GROUPS_FILE: ramp.groupsFile,
        RAMP_METRICS_ADDRESS: address,
      },
      TEST_WORKER_MAIN,
    );
    await worker.started;
  });
  after(async () => {
    await worker?.kill('SIGKILL');
    await ramp?.cleanup();
    await env?.teardown();
  });

  test('visibility gauges show the stage at its gate and its canary weight; after, nothing runs; Core metrics in the same body', async () => {
    const pipeline = webPipeline({ url: ramp.remote.remoteUrl });
    const name = pipeline.name;
    const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue,
      workflowId: promotionWorkflowId(name, '1.1.0'),
      args: [
        {
          apiVersion: 'ramp/v1',
          pipeline,
          version: '1.1.0',
          requestedBy: 'rm',
          kind: 'promote',
          release: { commit: 'abc1234', time: new Date(Date.now() - 3_600_000).toISOString() },
        },
      ],
    });
    const production = env.client.workflow.getHandle(stageWorkflowId(name, 'production'));

    // At the approval gate: before any canary step, so the weight in Git is 0.
    await waitFor(
      () => production.query(stageStatusQuery),
      (s) => s.phase === 'AwaitingApproval',
      'the production gate',
      60_000,
    );
    const atGate = await scrapeUntil(
      (s) => values(s, 'ramp_stages_running', { pipeline: name, stage: 'production', phase: 'AwaitingApproval' })[0] === 1,
      'production AwaitingApproval',
    );
    assert.deepEqual(values(atGate.samples, 'ramp_stages_running', { pipeline: name }), [1], 'only production runs');
    assert.deepEqual(values(atGate.samples, 'ramp_canary_weight', { pipeline: name, stage: 'production' }), [0]);
    assert.deepEqual(values(atGate.samples, 'ramp_promotions_running', { pipeline: name, phase: 'Running' }), [1]);

    // Approved: setWeight 20, then the indefinite pause.
    await production.executeUpdate(approveUpdate, { args: [{ promotionId: handle.workflowId, actor: 'carol' }] });
    await waitFor(
      () => production.query(stageStatusQuery),
      (s) => s.phase === 'Paused',
      'the production pause',
      60_000,
    );
    const paused = await scrapeUntil(
      (s) => values(s, 'ramp_stages_running', { pipeline: name, stage: 'production', phase: 'Paused' })[0] === 1,
      'production Paused',
    );
    assert.deepEqual(values(paused.samples, 'ramp_canary_weight', { pipeline: name, stage: 'production' }), [20]);
    assert.deepEqual(values(paused.samples, 'ramp_stages_running', { pipeline: name, phase: 'AwaitingApproval' }), [], 'the gate is behind it');
    const ours = paused.samples.filter((s) => s.labels.pipeline === name);
    assert.ok(ours.length >= 3, 'the gauges of the paused stage');
    assert.deepEqual(
      ours.flatMap((s) => Object.values(s.labels)).filter((v) => v.includes('1.1.0') || v.includes('@')),
      [],
      'no version or promotion id in any label',
    );

    await production.executeUpdate(resumeUpdate, { args: [{ promotionId: handle.workflowId, actor: 'rm' }] });
    const result = await handle.result();
    assert.equal(result.phase, 'Succeeded');

    const afterwards = await scrapeUntil(
      (s) => values(s, 'ramp_promotions_running', { pipeline: name }).length === 0 && values(s, 'ramp_stages_running', { pipeline: name }).length === 0,
      `nothing of ${name} running`,
    );
    assert.deepEqual(values(afterwards.samples, 'ramp_canary_weight', { pipeline: name }), []);
    // Temporal Core's metrics, fetched from its loopback exporter into the same exposition.
    assert.ok(
      values(afterwards.samples, 'temporal_workflow_completed', { task_queue: taskQueue }).some((v) => v >= 1),
      'Core counted the completed workflows',
    );
    assert.match(afterwards.text, /^# TYPE ramp_promotions_finished_total counter$/m);
    assert.deepEqual(values(afterwards.samples, 'ramp_build_info', { component: 'worker' }), [1]);
    assert.ok(values(afterwards.samples, 'process_resident_memory_bytes', {}).length === 1, 'Node process metrics, registered once');

    // The facts ramp's workflows reported for this promotion, against what happened.
    const once = (metric: string, labels: Record<string, string>) =>
      assert.deepEqual(values(afterwards.samples, metric, { pipeline: name, ...labels }), [1], `${metric} ${JSON.stringify(labels)}`);
    once('ramp_promotions_started_total', { kind: 'promote' });
    once('ramp_promotions_finished_total', { kind: 'promote', outcome: 'Succeeded' });
    once('ramp_promotion_duration_seconds_count', { kind: 'promote', outcome: 'Succeeded' });
    for (const stage of result.stages.map((s) => s.name)) {
      once('ramp_stage_duration_seconds_count', { stage });
      once('ramp_deployments_total', { stage });
    }
    once('ramp_approvals_requested_total', { stage: 'production' });
    once('ramp_approval_wait_seconds_count', { stage: 'production', outcome: 'approved' });
    once('ramp_gate_wait_seconds_count', { stage: 'production', gate: 'approval' });
    once('ramp_gate_wait_seconds_count', { stage: 'production', gate: 'pause' });
    // The release's source commit was an hour before the start: every stage's lead time is at least that.
    once('ramp_lead_time_seconds_count', { stage: 'production' });
    assert.ok(values(afterwards.samples, 'ramp_lead_time_seconds_sum', { pipeline: name, stage: 'production' })[0]! >= 3600);
    const commits = result.stages.reduce((n, s) => n + (s.result?.commits.length ?? 0), 0);
    assert.ok(commits >= 3, 'a commit per stage at least');
    assert.deepEqual(
      values(afterwards.samples, 'ramp_git_pushes_total', { pipeline: name, outcome: 'pushed' }),
      [commits],
      'one push per commit the stages recorded',
    );
    assert.deepEqual(values(afterwards.samples, 'ramp_rollbacks_total', { pipeline: name }), [], 'nothing rolled back');
  });

  test('facts a workflow reports through the ramp sink are in the exposition, once each', async () => {
    const pipeline = `observed-${randomUUID().slice(0, 8)}`;
    const facts: DeliveryFact[] = [
      { kind: 'promotion-started', pipeline, promotionKind: 'promote' },
      { kind: 'promotion-finished', pipeline, promotionKind: 'promote', outcome: 'Succeeded', durationMs: 42_000 },
      { kind: 'deployment', pipeline, stage: 'production', leadTimeMs: 3_600_000 },
      { kind: 'rollback', pipeline, stage: 'staging', cause: 'abort', reactionMs: null },
    ];
    const reported = await env.client.workflow.execute<typeof observeWorkflow>('observeWorkflow', {
      taskQueue,
      workflowId: `observe-${pipeline}`,
      args: [facts],
      workflowExecutionTimeout: '60s',
    });
    assert.equal(reported, facts.length);
    const { samples } = await scrapeUntil((s) => values(s, 'ramp_promotions_started_total', { pipeline }).length > 0, `the facts of ${pipeline}`);
    assert.deepEqual(values(samples, 'ramp_promotions_started_total', { pipeline, kind: 'promote' }), [1]);
    assert.deepEqual(values(samples, 'ramp_promotions_finished_total', { pipeline, kind: 'promote', outcome: 'Succeeded' }), [1]);
    assert.deepEqual(values(samples, 'ramp_promotion_duration_seconds_sum', { pipeline, outcome: 'Succeeded' }), [42]);
    assert.deepEqual(values(samples, 'ramp_deployments_total', { pipeline, stage: 'production' }), [1]);
    assert.deepEqual(values(samples, 'ramp_lead_time_seconds_count', { pipeline, stage: 'production' }), [1]);
    assert.deepEqual(values(samples, 'ramp_lead_time_seconds_sum', { pipeline, stage: 'production' }), [3600]);
    assert.deepEqual(values(samples, 'ramp_rollbacks_total', { pipeline, stage: 'staging', cause: 'abort' }), [1]);
    assert.deepEqual(values(samples, 'ramp_rollback_reaction_seconds_count', { pipeline, stage: 'staging' }), [], 'no detection time: no reaction observed');
  });
});
