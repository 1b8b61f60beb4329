/**
 * Upgrading ramp under running promotions (docs/temporal.md): promotions start on an EARLIER
 * release's workflow code (each kept release in test/upgrade/releases/, or RAMP_PREVIOUS_RELEASE
 * built from Git: previous-release.ts), park — at an approval
 * gate, at an indefinite canary pause, in a timed pause between two setWeight steps — the old
 * worker stops, a worker with today's code takes the same task queue, and they finish: with the
 * right commits in Git, once each, the trailers of the code that wrote each commit, and no
 * workflow task that failed (a non-determinism would leave the promotion stuck, retrying its task).
 * The repository's history guard — a long-lived watch, started by the first push on the old code —
 * keeps checking on the new code. Real dev server, real activities, real Git remotes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { guardWorkflowId } from '../../src/domain/guard.js';
import type { PipelineSpec } from '../../src/schema/pipeline.js';
import { guardStatusQuery, type GuardStatus } from '../../workflows/guard-messages.js';
import {
  approveUpdate,
  promotionWorkflowId,
  resumeUpdate,
  stageStatusQuery,
  stageWorkflowId,
  type PromotionStatus,
  type StageStatus,
} from '../../workflows/messages.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';
import { createTestWorker, getTestEnv, uniqueTaskQueue } from '../harness/temporal.js';
import { webPipeline } from '../support/pipelines.js';
import { realRamp } from '../support/real-ramp.js';
import { waitFor } from '../support/wait.js';
import { releasesUnderTest, type ReleaseUnderTest } from './previous-release.js';

/** Generous: the machine is shared, and the old bundle's first build alone takes seconds. */
const DEADLINE_MS = 120_000;
const OLD_IDENTITY = 'ramp-previous-release';
const NEW_IDENTITY = 'ramp-current';
/** What the promotions say of the release's source: the current code writes it as trailers (docs/dora.md). */
const SOURCE = { commit: '0123456789abcdef0123456789abcdef01234567', time: '2026-11-30T09:00:00.000Z' };

/**
 * What each kept release already did, so the test knows what the upgrade changes. A release kept
 * without a row here fails the test: say what it does.
 */
const TRAITS: Record<string, { sourceTrailers: boolean; gateWait: boolean }> = {
  // Issue 12's end: before the delivery trailers and the status's gateWait (issue 13).
  'v0.12.0': { sourceTrailers: false, gateWait: false },
  'v0.13.0': { sourceTrailers: true, gateWait: true },
};

/** The traits of a release under test; one built from Git (RAMP_PREVIOUS_RELEASE) is taken to have today's. */
function traitsOf(release: ReleaseUnderTest): { sourceTrailers: boolean; gateWait: boolean } {
  const traits = TRAITS[release.name] ?? (/^v\d/.test(release.name) ? undefined : { sourceTrailers: true, gateWait: true });
  if (!traits) throw new Error(`release ${release.name} is kept but test/upgrade/upgrade.test.ts's TRAITS does not say what it does: add a row`);
  return traits;
}

const releases = await releasesUnderTest();

interface RampCommit {
  stage: string;
  step: string;
  trailers: Record<string, string>;
}

/** ramp's commits on the remote's main since the seed, oldest first, with their trailers. */
async function rampCommits(remote: GitOpsRemote): Promise<RampCommit[]> {
  const { git } = await remote.workdir();
  const log = await git.raw(['log', '--reverse', '--format=%(trailers:unfold,only)%x1e', `${remote.seedCommit}..HEAD`]);
  return log
    .split('\x1e')
    .map((block) => block.trim())
    .filter((block) => block.length > 0)
    .map((block) => {
      const trailers = Object.fromEntries(
        block.split('\n').map((line) => {
          const at = line.indexOf(':');
          return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
        }),
      );
      return { stage: trailers['Ramp-Stage'] ?? '?', step: trailers['Ramp-Step'] ?? '?', trailers };
    });
}

test('releases are kept to upgrade from', () => {
  // Guarded: with none, the upgrade tests below would not exist and the file would pass.
  assert.ok(releases.length > 0);
});

// The releases side by side: each waits mostly on timers and gates, not on the machine.
describe('upgrading ramp under running promotions', { concurrency: true }, () => {
  for (const previous of releases)
    describe(`upgrading ramp from ${previous.name} (${previous.sha.slice(0, 12)}) under running promotions`, () => {
      let env: TestWorkflowEnvironment;
      const traits = traitsOf(previous);
      before(async () => {
        env = await getTestEnv();
      });
      after(async () => env?.teardown());

      test('the current worker serves every activity the previous release calls', async () => {
        const ramp = await realRamp(env);
        try {
          const { names, types } = previous.activities;
          // Guarded: an empty list would pass; the previous release calls Git, approvals and notifications.
          assert.ok(types.includes('RampActivities'), `the previous release's proxy types: ${types.join(', ')}`);
          for (const known of ['commitStageChange', 'revertStageCommits', 'resolveGroups', 'deliverNotification']) {
            if (!names.includes(known)) assert.fail(`the previous release's activities lack ${known}: ${names.join(', ')}`);
          }
          const served = new Set(Object.keys(ramp.activities));
          assert.deepEqual(
            names.filter((n) => !served.has(n)),
            [],
            'activities the previous release calls that the current worker does not register: keep them (or a shim) until no promotion of that release runs',
          );
        } finally {
          await ramp.cleanup();
        }
      });

      test('promotions parked on the previous release finish on the current code: commits once each, no workflow task failed', async () => {
        const ramp = await realRamp(env, { 'release-managers': ['carol'] }, undefined, {}, { guard: { intervalMs: 2_000 } });
        const remotes = { gate: ramp.remote, pause: await createGitOpsRemote(), timed: await createGitOpsRemote() };
        const taskQueue = uniqueTaskQueue('upgrade');
        const pipelines = {
          // Parked at production's approval gate.
          gate: webPipeline({ url: remotes.gate.remoteUrl, productionSteps: ['setWeight: 20', 'setWeight: 60'] }),
          // Parked at an indefinite pause in staging's canary, after its first step.
          pause: webPipeline({
            url: remotes.pause.remoteUrl,
            stagingSteps: ['setWeight: 10', 'pause: {}', 'setWeight: 50'],
            productionApproval: '',
            productionSteps: ['setWeight: 50'],
          }),
          // Mid-canary: a timer between two setWeight steps, running while no worker runs.
          timed: webPipeline({
            url: remotes.timed.remoteUrl,
            stagingSteps: ['setWeight: 10', 'pause: { duration: 30s }', 'setWeight: 50'],
            productionApproval: '',
            productionSteps: ['setWeight: 50'],
          }),
        };
        const stage = (p: PipelineSpec, name: string) => env.client.workflow.getHandle(stageWorkflowId(p.name, name));
        const waitStage = (p: PipelineSpec, name: string, done: (s: StageStatus) => boolean, what: string) =>
          waitFor(() => stage(p, name).query(stageStatusQuery), done, what, DEADLINE_MS);
        const promotions: Record<keyof typeof pipelines, WorkflowHandle<typeof promotionWorkflow> | undefined> = {
          gate: undefined,
          pause: undefined,
          timed: undefined,
        };
        const start = (key: keyof typeof pipelines) =>
          env.client.workflow
            .start<typeof promotionWorkflow>('promotionWorkflow', {
              taskQueue,
              workflowId: promotionWorkflowId(pipelines[key].name, '1.1.0'),
              args: [{ apiVersion: 'ramp/v1', pipeline: pipelines[key], version: '1.1.0', requestedBy: 'rm', kind: 'promote', release: SOURCE }],
            })
            .then((h) => (promotions[key] = h));
        let newWorker: { worker: Worker; running: Promise<void> } | undefined;
        const guards = Object.values(remotes).map((r) => env.client.workflow.getHandle(guardWorkflowId({ url: r.remoteUrl, branch: 'main' })));
        try {
          // --- the previous release
          const old = await createTestWorker(env, {
            taskQueue,
            activities: ramp.activities,
            workflowBundle: { codePath: previous.codePath },
            identity: OLD_IDENTITY,
          });
          const oldRunning = old.worker.run();
          let parked: { gate: StageStatus; pause: StageStatus; timed: StageStatus };
          try {
            await start('gate');
            await start('pause');
            const gate = await waitStage(
              pipelines.gate,
              'production',
              (s) => s.phase === 'AwaitingApproval',
              'the production approval gate, on the previous release',
            );
            const pause = await waitStage(
              pipelines.pause,
              'staging',
              (s) => s.pauseReason === 'CanaryPauseStep',
              "staging's canary pause, on the previous release",
            );
            // Started last, so that its 30 s timer still runs when the old worker stops.
            await start('timed');
            const timed = await waitStage(
              pipelines.timed,
              'staging',
              (s) => s.pauseReason === 'CanaryPauseStep' && s.pauseUntil !== null && s.canaryWeight === 10,
              "staging's timed pause after setWeight 10, on the previous release",
            );
            parked = { gate, pause, timed };
            // The guard of the gate's repository started with the first push: a watch on the old code too.
            await waitFor(
              () => guards[0]!.query(guardStatusQuery),
              (g: GuardStatus) => g.checks >= 1,
              'the history guard, on the previous release',
              DEADLINE_MS,
            );
          } finally {
            old.worker.shutdown();
            await oldRunning;
          }
          // Evidence that the previous release answered: a release before issue 13 has none of its fields.
          if (!traits.gateWait)
            assert.ok(!('gateWait' in parked.pause), `the previous release does not report gateWait: ${JSON.stringify(parked.pause).slice(0, 300)}`);
          assert.ok(Date.parse(parked.timed.pauseUntil!) > Date.now(), 'the timed pause still runs while no worker does');

          // --- the current release, on the same task queue
          const upgradedAt = Date.now();
          const current = await createTestWorker(env, { taskQueue, activities: ramp.activities, identity: NEW_IDENTITY });
          newWorker = { worker: current.worker, running: current.worker.run() };
          // The current code replayed the old history without a non-determinism and answers with its own fields.
          const replayed = await waitStage(pipelines.pause, 'staging', (s) => s.gateWait?.gate === 'pause', "the paused canary's status from the current code");
          assert.ok(
            Date.parse(replayed.gateWait!.since) < upgradedAt,
            `the wait started on the previous release, as its history says: ${replayed.gateWait!.since}`,
          );
          const gateBefore = (await guards[0]!.query(guardStatusQuery)).checks;

          await stage(pipelines.gate, 'production').executeUpdate(approveUpdate, { args: [{ promotionId: promotions.gate!.workflowId, actor: 'carol' }] });
          await stage(pipelines.pause, 'staging').executeUpdate(resumeUpdate, { args: [{ promotionId: promotions.pause!.workflowId, actor: 'rm' }] });

          const outcomes = {} as Record<keyof typeof pipelines, PromotionStatus>;
          for (const key of ['gate', 'pause', 'timed'] as const) outcomes[key] = await finished(env, promotions[key]!, pipelines[key]);
          for (const key of ['gate', 'pause', 'timed'] as const) assert.equal(outcomes[key].phase, 'Succeeded', `${key}: ${outcomes[key].message}`);
          await waitFor(
            () => guards[0]!.query(guardStatusQuery),
            (g: GuardStatus) => g.checks > gateBefore,
            'the history guard to keep checking, on the current code',
            DEADLINE_MS,
          );

          // --- Git: every step once; commits written by a release without source trailers lack them, those after carry them.
          const expected = {
            gate: {
              before: ['preview 1/update', 'staging 1/0/canary/10', 'staging 1/1/setWeight-50', 'staging 1/promote'],
              after: ['production 1/0/canary/20', 'production 1/1/setWeight-60', 'production 1/promote'],
            },
            pause: {
              before: ['preview 1/update', 'staging 1/0/canary/10'],
              after: ['staging 1/2/setWeight-50', 'staging 1/promote', 'production 1/0/canary/50', 'production 1/promote'],
            },
            timed: {
              before: ['preview 1/update', 'staging 1/0/canary/10'],
              after: ['staging 1/2/setWeight-50', 'staging 1/promote', 'production 1/0/canary/50', 'production 1/promote'],
            },
          };
          for (const key of ['gate', 'pause', 'timed'] as const) {
            const commits = await rampCommits(remotes[key]);
            assert.deepEqual(
              commits.map((c) => `${c.stage} ${c.step}`),
              [...expected[key].before, ...expected[key].after],
              `${key}: ramp's commits, each step once`,
            );
            assert.ok(commits.every((c) => c.trailers['Ramp-Promotion'] === promotions[key]!.workflowId && c.trailers['Ramp-Version'] === '1.1.0'));
            const sourced = commits.map(
              (c) =>
                `${c.stage} ${c.step}${c.trailers['Ramp-Source-Commit'] === SOURCE.commit && c.trailers['Ramp-Source-Time'] === SOURCE.time ? ' sourced' : ''}`,
            );
            assert.deepEqual(
              sourced,
              [...expected[key].before.map((s) => (traits.sourceTrailers ? `${s} sourced` : s)), ...expected[key].after.map((s) => `${s} sourced`)],
              `${key}: source trailers from ${traits.sourceTrailers ? 'both releases' : 'the current code only'}`,
            );
          }
          const gateProduction = (await rampCommits(remotes.gate)).filter((c) => c.stage === 'production');
          assert.ok(
            gateProduction.every((c) => c.trailers['Ramp-Approved-By'] === 'carol'),
            'the approval given on the current code is on its commits',
          );

          // --- which code ran: both workers completed workflow tasks of each promotion, and no task failed.
          for (const key of ['gate', 'pause', 'timed'] as const) {
            const history = await promotions[key]!.fetchHistory();
            const identities = new Set(
              (history.events ?? []).flatMap((e) =>
                e.workflowTaskCompletedEventAttributes?.identity ? [e.workflowTaskCompletedEventAttributes.identity] : [],
              ),
            );
            assert.deepEqual([...identities].sort(), [NEW_IDENTITY, OLD_IDENTITY].sort(), `${key}: workflow tasks by both releases`);
          }
        } finally {
          for (const g of guards) await g.terminate('the upgrade test is over').catch(() => undefined);
          if (newWorker) {
            newWorker.worker.shutdown();
            await newWorker.running;
          }
          await remotes.pause.cleanup();
          await remotes.timed.cleanup();
          await ramp.cleanup();
        }
      });
    });
});

/**
 * The promotion's end, with a deadline: a non-determinism does not fail the workflow, it fails
 * its workflow task again and again, so a stuck promotion is reported with the failed tasks of
 * every workflow of its pipeline.
 */
async function finished(env: TestWorkflowEnvironment, handle: WorkflowHandle<typeof promotionWorkflow>, pipeline: PipelineSpec): Promise<PromotionStatus> {
  try {
    await waitFor(
      () => handle.describe(),
      (d) => d.status.name !== 'RUNNING',
      `${handle.workflowId} to end`,
      DEADLINE_MS,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nworkflow task failures: ${(await taskFailures(env, pipeline.name)).join('\n') || 'none'}`);
  }
  const failures = await taskFailures(env, pipeline.name);
  assert.deepEqual(failures, [], `${pipeline.name}: no workflow task failed`);
  return promotionOutcome(handle.result());
}

/** The failed workflow tasks of every workflow whose id starts with the pipeline's name: `<workflow id>: <message>`. */
async function taskFailures(env: TestWorkflowEnvironment, prefix: string): Promise<string[]> {
  const failures: string[] = [];
  for await (const execution of env.client.workflow.list({ query: `WorkflowId STARTS_WITH "${prefix}"` })) {
    const history = await env.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    for (const e of history.events ?? []) {
      const failed = e.workflowTaskFailedEventAttributes;
      if (failed) failures.push(`${execution.workflowId}: ${failed.failure?.message ?? String(failed.cause)}`);
    }
  }
  return failures;
}
