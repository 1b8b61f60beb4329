/**
 * Long waits stay under history limits: on a dev server of its own that suggests
 * continue-as-new after 30 events, a stage reminding approvers and a promotion waiting for a
 * busy environment both continue in new runs, and carry every decision across.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer, type DevServer } from '../../scripts/lib/dev-server.js';
import { ensureTemporalCli } from '../../scripts/lib/tools.js';
import {
  approveUpdate,
  promotionStatusQuery,
  promotionWorkflowId,
  resumeUpdate,
  stageStatusQuery,
  stageWorkflowId,
  type PromotionInput,
} from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { innermostMessage, retryAcrossContinueAsNew } from '../../cli/connection.js';
import { cleanupOnSignal } from '../harness/reaper.js';
import { recordWorkflows } from '../replay/record.js';
import { createTestWorker, installTestRuntime } from '../harness/temporal.js';
import { fakeRamp } from '../support/fake-activities.js';
import { webPipeline } from '../support/pipelines.js';
import { waitFor } from '../support/wait.js';
import type { InjectedSinks } from '@temporalio/worker';
import type { DeliveryFact } from '../../src/observability/facts.js';
import type { RampSinks } from '../../workflows/observe.js';

/** A `ramp` sink that records the workflows' facts (workflows/observe.ts). */
function recordingFacts(): { facts: DeliveryFact[]; sinks: InjectedSinks<RampSinks> } {
  const facts: DeliveryFact[] = [];
  return { facts, sinks: { ramp: { observe: { fn: (_info, fact) => void facts.push(fact) } } } };
}

function kinds(facts: DeliveryFact[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of facts) out[f.kind] = (out[f.kind] ?? 0) + 1;
  return out;
}

describe('continue-as-new', () => {
  let dir: string;
  let server: DevServer;
  let env: TestWorkflowEnvironment;
  before(async () => {
    installTestRuntime();
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-can-'));
    server = await startDevServer({
      temporal: (await ensureTemporalCli()).path,
      logFile: path.join(dir, 'temporal.log'),
      extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=30'],
    });
    cleanupOnSignal(() => server.stop());
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  });
  after(async () => {
    await env?.teardown();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const input = (pipeline: PromotionInput['pipeline'], version: string): PromotionInput => ({
    apiVersion: 'ramp/v1',
    pipeline,
    version,
    requestedBy: 'rm',
    kind: 'promote',
    settings: { environmentPollMs: 20 },
  });

  test('an approval that keeps reminding continues as new and keeps its record', async () => {
    const fake = fakeRamp();
    const spec = webPipeline({
      productionApproval: '      approval: { approvers: [alice], timeout: 700ms, onTimeout: remind }',
      productionSteps: ['setWeight: 50'],
    });
    const pipeline = { ...spec, stages: spec.stages.slice(2) };
    const { facts, sinks } = recordingFacts();
    const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities, sinks });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionWorkflowId(pipeline.name, '1.0.1'),
        args: [input(pipeline, '1.0.1')],
      });
      const stage = env.client.workflow.getHandle(stageWorkflowId(pipeline.name, 'production'));
      await waitFor(
        () => stage.query(stageStatusQuery),
        (s) => s.phase === 'AwaitingApproval',
        'the approval gate',
      );
      const firstRun = (await stage.describe()).runId;
      await waitFor(
        () => stage.query(stageStatusQuery),
        (s) => s.events.some((e) => e.kind === 'continued-as-new'),
        'a continue-as-new',
        30_000,
      );
      assert.notEqual((await stage.describe()).runId, firstRun);
      // The new run keeps reminding: a reminder after the continue-as-new.
      await waitFor(
        () => stage.query(stageStatusQuery),
        (s) => s.events.slice(s.events.findIndex((e) => e.kind === 'continued-as-new')).some((e) => e.kind === 'approval-reminder'),
        'a reminder in the new run',
        30_000,
      );
      // Right after a continue-as-new the next one is seconds away; should an update still reach
      // a closing run, it is sent again, as the CLI does.
      await retryAcrossContinueAsNew(() => stage.executeUpdate(approveUpdate, { args: [{ promotionId: handle.workflowId, actor: 'mallory' }] })).catch(
        (e: unknown) => {
          if (!/mallory \(unverified\) is not an approver/.test(innermostMessage(e))) throw e;
        },
      );
      await retryAcrossContinueAsNew(() => stage.executeUpdate(approveUpdate, { args: [{ promotionId: handle.workflowId, actor: 'alice' }] }));
      const result = await handle.result();
      assert.equal(result.phase, 'Succeeded');
      const production = result.stages[0]!.result!;
      assert.deepEqual(
        fake.commits.map((c) => c.trailers.approvedBy),
        [['alice'], ['alice']],
        'nothing was written before alice approved',
      );
      assert.equal(production.approvals.length, 1, 'one gate, one record, across runs');
      assert.deepEqual(
        production.approvals[0]!.approvals.map((d) => d.actor),
        ['alice'],
      );
      assert.deepEqual(
        production.approvals[0]!.refused.map((d) => d.actor),
        ['mallory'],
      );
      assert.ok(production.events.filter((e) => e.kind === 'approval-reminder').length >= 2, 'reminded before and after continuing as new');
      assert.equal(production.events.filter((e) => e.kind === 'approval-waiting').length, 1, 'approvers are told once that it waits');
      await recordWorkflows(env, 'approval-continue-as-new', pipeline.name);
      // Each fact once, although two runs of the stage waited at the gate.
      await waitFor(
        () => Promise.resolve(kinds(facts)),
        (k) => k['promotion-finished'] === 1,
        'the promotion-finished fact',
      );
      assert.deepEqual(kinds(facts), {
        'promotion-started': 1,
        'approval-requested': 1,
        'approval-decided': 1,
        'gate-waited': 1,
        deployment: 1,
        'stage-finished': 1,
        'promotion-finished': 1,
      });
    });
    assert.equal(fake.notifications.filter((n) => n.kind === 'approval-waiting').length, 1);
  });

  test('a promotion waiting for a busy environment continues as new, then proceeds', async () => {
    const fake = fakeRamp();
    const spec = webPipeline({ stagingSteps: ['setWeight: 10', 'pause: {}'] });
    const pipeline = { ...spec, stages: spec.stages.slice(1, 2) };
    const { facts, sinks } = recordingFacts();
    const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities, sinks });
    await worker.runUntil(async () => {
      const first = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionWorkflowId(pipeline.name, '1.0.0'),
        args: [input(pipeline, '1.0.0')],
      });
      const staging = env.client.workflow.getHandle(stageWorkflowId(pipeline.name, 'staging'));
      await waitFor(
        () => staging.query(stageStatusQuery),
        (s) => s.phase === 'Paused',
        'the first promotion paused',
      );
      fake.holders.set(stageWorkflowId(pipeline.name, 'staging'), first.workflowId);
      const second = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionWorkflowId(pipeline.name, '2.0.0'),
        args: [input(pipeline, '2.0.0')],
      });
      await waitFor(
        () => second.query(promotionStatusQuery),
        (s) => s.events.some((e) => e.kind === 'continued-as-new'),
        'the waiting promotion to continue as new',
        30_000,
      );
      await staging.executeUpdate(resumeUpdate, { args: [{ promotionId: first.workflowId, actor: 'rm' }] });
      await first.result();
      fake.holders.clear();
      await waitFor(
        () => staging.query(stageStatusQuery),
        (s) => s.promotionId === second.workflowId && s.phase === 'Paused',
        'the second promotion in staging',
        30_000,
      );
      await staging.executeUpdate(resumeUpdate, { args: [{ promotionId: second.workflowId, actor: 'rm' }] });
      const result = await second.result();
      assert.equal(result.phase, 'Succeeded');
      assert.equal(result.events.filter((e) => e.kind === 'started').length, 1);
      assert.equal(result.events.filter((e) => e.kind === 'waiting').length, 1);
      await recordWorkflows(env, 'environment-continue-as-new', pipeline.name);
      // Two promotions, each started and finished once: the run that continued as new does not start again.
      await waitFor(
        () => Promise.resolve(kinds(facts)),
        (k) => k['promotion-finished'] === 2,
        'both promotion-finished facts',
      );
      assert.equal(kinds(facts)['promotion-started'], 2);
      assert.equal(kinds(facts).deployment, 2);
    });
  });
});
