/**
 * Deploy windows, overrides and soak time on the real dev server, with fakes of ramp's own
 * activities but the real window edges (activities/windows.ts). Windows open and close within
 * seconds: one-off windows and six-field cron expressions (seconds first) timed from now. The
 * time-skipping test server cannot register ramp's search attributes (its OperatorService is
 * unimplemented), so these run in real time with generous deadlines; DST is table-tested in
 * test/unit/window-edges.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { resumeUpdate, stageStatusQuery, windowOverrideUpdate, type StageStatus } from '../../workflows/messages.js';
import { getTestEnv } from '../harness/temporal.js';
import { fakeRamp } from '../support/fake-activities.js';
import { seedPipeline } from '../support/pipelines.js';
import { runPromotion } from '../support/run-promotion.js';
import { createTestWorker } from '../harness/temporal.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import { promotionWorkflowId, type PromotionStatus } from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import type { FakeRamp } from '../support/fake-activities.js';
import type { PipelineSpec } from '../../src/schema/pipeline.js';
import { createFreezeReader } from '../../activities/freeze.js';
import { refusalOf, waitFor } from '../support/wait.js';
import type { InjectedSinks } from '@temporalio/worker';
import type { DeliveryFact } from '../../src/observability/facts.js';
import type { RampSinks } from '../../workflows/observe.js';

const DEADLINE = 90_000;
const status = (stage: WorkflowHandle) => stage.query(stageStatusQuery);
const waitStage = (stage: WorkflowHandle, done: (s: StageStatus) => boolean, what: string) => waitFor(() => status(stage), done, what, DEADLINE);

/** `2026-11-30T19:40:05`: a UTC wall time `ms` from now, for a one-off window's start. */
const localIn = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 19);
/** A six-field cron (seconds first) that fires once an hour, `ms` from now (UTC). */
function cronIn(ms: number): string {
  const at = new Date(Date.now() + ms);
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} * * * *`;
}

/** Waits (polling the clock, not a fixed sleep) until the wall clock has passed `iso`. */
async function until(iso: string): Promise<void> {
  while (Date.now() <= Date.parse(`${iso}Z`)) await sleep(100);
}

const production = (windows: string[], steps = ['setWeight: 20', 'pause: {}', 'setWeight: 60']) =>
  seedPipeline({ stages: { production: { with: windows, steps } } });

/** Promotes `version` to production alone (staging is not part of this promotion: the soak reads Git). */
async function productionOnly(env: TestWorkflowEnvironment, fake: FakeRamp, pipeline: PipelineSpec, during?: () => Promise<void>): Promise<PromotionStatus> {
  const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue,
      workflowId: promotionWorkflowId(pipeline.name, '1.1.0'),
      args: [{ apiVersion: 'ramp/v1', pipeline, version: '1.1.0', requestedBy: 'rm', kind: 'promote', stages: ['production'] }],
    });
    await during?.();
    return promotionOutcome(handle.result());
  });
}

describe('deploy windows and soak time', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  test('the freeze reader: no freeze workflow is no freeze', async () => {
    assert.equal(await createFreezeReader(env.client, () => `ramp-freeze/${randomUUID()}`).readFreeze(), null);
  });

  test('a promotion started outside its allow window waits (Paused, DeployWindowClosed) and runs when it opens', async () => {
    const fake = fakeRamp();
    const pipeline = production([`windows: { allow: [{ name: soon, cron: "${cronIn(8_000)}", duration: 30m }] }`], ['setWeight: 20', 'setWeight: 60']);
    const facts: DeliveryFact[] = [];
    const sinks: InjectedSinks<RampSinks> = { ramp: { observe: { fn: (_info, fact) => void facts.push(fact) } } };
    let waiting!: StageStatus;
    const result = await runPromotion(
      env,
      fake.activities,
      pipeline,
      '1.1.0',
      async ({ stage }) => {
        waiting = await waitStage(stage('production'), (s) => s.pauseReason === 'DeployWindowClosed', 'the wait for the window');
        assert.equal(fake.commits.length, 0, 'nothing is written while the window is closed');
      },
      'window-wait',
      sinks,
    );
    // The wait is reported once, from the window's closed state to its opening.
    const waits = facts.flatMap((f) => (f.kind === 'gate-waited' ? [f] : []));
    assert.deepEqual(
      waits.map((w) => w.gate),
      ['window'],
    );
    assert.ok(waits[0]!.waitMs >= 1000, `waited ${waits[0]!.waitMs} ms`);
    assert.match(waiting.message, /^waits for the deploy window soon: opens \w{3} \d{4}-\d\d-\d\d \d\d:\d\d UTC; closed outside the allow window soon/);
    assert.ok(waiting.pauseUntil && waiting.window?.nextOpen === waiting.pauseUntil, 'the status says when it opens');
    assert.equal(result.phase, 'Succeeded');
    const stage = result.stages[0]!.result!;
    assert.ok(stage.events.some((e) => e.kind === 'window-opened'));
    const opened = Date.parse(waiting.window.nextOpen);
    assert.ok(Date.parse(stage.commits[0]!.at) >= opened, 'the first commit comes after the window opened');
  });

  for (const onClose of ['pauseAtNextStep', 'finishStep', 'abort'] as const) {
    test(`a deny window that starts mid-canary: onClose ${onClose}`, async () => {
      const fake = fakeRamp();
      // Active from 12 s to 20 s from now; the test resumes the indefinite pause once it is active.
      const start = localIn(12_000);
      const pipeline = production([`windows: { onClose: ${onClose}, deny: [{ name: change-freeze, start: "${start}", duration: 8s, reason: CAB-7 }] }`]);
      let held: StageStatus | null = null;
      const result = await runPromotion(
        env,
        fake.activities,
        pipeline,
        '1.1.0',
        async ({ stage, promotionId }) => {
          const handle = stage('production');
          await waitStage(handle, (s) => s.pauseReason === 'CanaryPauseStep', 'the pause step');
          await until(start);
          await handle.executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'alice' }] });
          if (onClose === 'abort') return;
          held = await waitStage(handle, (s) => s.pauseReason === 'DeployWindowClosed', 'the hold for the deny window');
          assert.equal(fake.commits.length, 1, 'no commit while the window is closed');
          assert.match(
            await refusalOf(handle.executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'alice' }] })),
            /waits for its deploy window, which resume cannot open/,
          );
        },
        onClose === 'pauseAtNextStep' ? 'window-close-mid-canary' : undefined,
      );
      const stage = result.stages[0]!.result!;
      if (onClose === 'abort') {
        assert.equal(result.phase, 'Aborted');
        assert.equal(stage.phase, 'RolledBack');
        assert.equal(stage.failure?.reason, 'WindowClosed');
        assert.match(stage.failure.message, /deny window change-freeze \(CAB-7\)/);
        assert.equal(fake.reverts.length, 1, 'the stage rolled back its canary');
        return;
      }
      assert.equal(result.phase, 'Succeeded');
      const h = held as StageStatus | null;
      assert.ok(h);
      assert.match(h.message, /closed in the deny window change-freeze \(CAB-7\)/);
      // pauseAtNextStep extends the running pause step; finishStep lets it finish, then holds.
      assert.equal(h.steps[1]!.status, onClose === 'pauseAtNextStep' ? 'Running' : 'Succeeded');
      assert.ok(Date.parse(stage.commits[1]!.at) >= Date.parse(`${start}Z`) + 8_000, 'the next commit waited for the window to end');
    });
  }

  test('an override lets the stage through a closed window, needs a reason, and is recorded with its actor', async () => {
    const fake = fakeRamp();
    const pipeline = production([`windows: { allow: [{ name: next-year, start: "${localIn(365 * 86_400_000)}", duration: 1h }] }`], ['setWeight: 20']);
    const result = await runPromotion(
      env,
      fake.activities,
      pipeline,
      '1.1.0',
      async ({ stage, promotionId }) => {
        const handle = stage('production');
        await waitStage(handle, (s) => s.pauseReason === 'DeployWindowClosed', 'the wait for the window');
        assert.match(await refusalOf(handle.executeUpdate(windowOverrideUpdate, { args: [{ promotionId, actor: 'carol', reason: ' ' }] })), /needs a reason/);
        const ack = await handle.executeUpdate(windowOverrideUpdate, { args: [{ promotionId, actor: 'carol', reason: 'hotfix for INC-9' }] });
        assert.match(ack.message, /carol overrode the closed deploy window \(outside the allow window next-year\): hotfix for INC-9/);
      },
      'window-override',
    );
    assert.equal(result.phase, 'Succeeded');
    const stage = result.stages[0]!.result!;
    assert.deepEqual(
      stage.windowOverrides?.map((o) => [o.actor, o.reason]),
      [['carol', 'hotfix for INC-9']],
    );
    assert.ok(stage.events.some((e) => e.kind === 'window-override' && e.actor === 'carol'));
    assert.ok(fake.commits.every((c) => c.trailers.requestedBy === 'carol' || c.trailers.requestedBy === 'rm'));
    assert.equal(fake.commits[0]!.trailers.requestedBy, 'carol', 'the first commit after the override names who overrode');
  });

  test('soak from Git: counts from the version’s full promotion in staging; never promoted there, the stage fails and says so', async () => {
    const pipeline = seedPipeline({
      stages: { staging: { steps: ['setWeight: 50'] }, production: { with: ['soak: { after: staging, for: 8s }'], steps: ['setWeight: 20'] } },
    });
    const never = fakeRamp();
    const refused = await productionOnly(env, never, pipeline);
    const failed = refused.stages.find((s) => s.name === 'production')!.result!;
    assert.equal(failed.failure?.reason, 'NotSoaked');
    assert.match(
      failed.failure.message,
      /1\.1\.0 was never promoted to staging \(.*\), where it must soak for 8s before production\. Promote it through staging first/,
    );
    assert.equal(never.commits.length, 0);

    const fake = fakeRamp();
    const since = new Date(Date.now() - 2_000).toISOString();
    fake.gitHistory = [
      {
        sha: 'a'.repeat(40),
        committedAt: since,
        subject: 'web/staging: promote',
        promotion: 'web@1.1.0',
        stage: 'staging',
        step: '1/promote',
        version: '1.1.0',
        approvedBy: [],
        requestedBy: null,
        rollback: null,
      },
    ];
    const other = seedPipeline({
      name: `${pipeline.name}-git`,
      stages: { staging: { steps: ['setWeight: 50'] }, production: { with: ['soak: { after: staging, for: 8s }'], steps: ['setWeight: 20'] } },
    });
    const result = await productionOnly(env, fake, other);
    const prod = result.stages.find((s) => s.name === 'production')!.result!;
    assert.equal(result.phase, 'Succeeded');
    assert.equal(prod.soak?.since, since);
    assert.ok(Date.parse(prod.commits[0]!.at) >= Date.parse(since) + 8_000, 'production wrote only after the soak');
  });

  test('soak: production waits until the version has been stable in staging long enough, then runs', async () => {
    const fake = fakeRamp();
    const pipeline = seedPipeline({
      stages: { staging: { steps: ['setWeight: 50'] }, production: { with: ['soak: { after: staging, for: 6s }'], steps: ['setWeight: 20'] } },
    });
    let soaking!: StageStatus;
    const result = await runPromotion(
      env,
      fake.activities,
      pipeline,
      '1.1.0',
      async ({ stage }) => {
        soaking = await waitStage(stage('production'), (s) => s.pauseReason === 'Soaking', 'the soak');
      },
      'soak-wait',
    );
    assert.match(soaking.message, /^soaks in staging: \d+ s left$/);
    assert.equal(result.phase, 'Succeeded');
    const staging = result.stages[0]!.result!;
    const prod = result.stages[1]!.result!;
    const promoted = staging.events.findLast((e) => e.kind === 'promoted')!.at;
    assert.equal(prod.soak?.since, promoted, 'the soak counts from when staging promoted the version');
    assert.ok(Date.parse(prod.commits[0]!.at) >= Date.parse(promoted) + 6_000, 'production wrote only after the soak');
  });
});
