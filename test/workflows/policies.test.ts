/**
 * Policies end to end on the real dev server with the real activities over a real Git remote
 * (docs/governance.md): a deny stops a stage before any commit and names the policy; a
 * require-approval policy adds a gate that needs its own approval; a warn is recorded and lets the
 * change through; a deny at the rollback
 * checkpoint is honoured only by a policy that lists `rollback`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PipelineSpec } from '../../src/schema/pipeline.js';
import { abortUpdate, approveUpdate, promotionWorkflowId, stageStatusQuery, stageWorkflowId, type StageStatus } from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { seedPipeline } from '../support/pipelines.js';
import { recordWorkflows } from '../replay/record.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { refusalOf, waitFor } from '../support/wait.js';

describe('policies on a real GitOps repository', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  async function promote(
    ramp: RealRamp,
    pipeline: PipelineSpec,
    body: (h: WorkflowHandle<typeof promotionWorkflow>, stage: (name: string) => WorkflowHandle) => Promise<void>,
    version = '1.1.0',
    /** With RAMP_RECORD_HISTORIES=1: save every workflow of the run as this replay shape (test/replay). */
    record?: string,
  ) {
    const { worker, taskQueue } = await createTestWorker(env, { activities: ramp.activities });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionWorkflowId(pipeline.name, version),
        args: [{ apiVersion: 'ramp/v1', pipeline, version, requestedBy: 'rm', kind: 'promote' }],
      });
      await body(handle, (name) => env.client.workflow.getHandle(stageWorkflowId(pipeline.name, name)));
      if (record) await recordWorkflows(env, record, pipeline.name);
    });
  }
  const waitStage = (h: WorkflowHandle, done: (s: StageStatus) => boolean, what: string) => waitFor(() => h.query(stageStatusQuery), done, what, 60_000);

  test('a deny at the commit checkpoint stops the stage before anything is written, naming the policy and its hash', async () => {
    const ramp = await realRamp(env);
    try {
      const pipeline = seedPipeline({
        url: ramp.remote.remoteUrl,
        policies: [
          '    - name: only-own-directory',
          '      at: [commit]',
          '      when: diff.files.exists(f, !f.startsWith(stage.path + "/")) || diff.changedLines == 0',
          '      effect: deny',
          '      message: the change must touch only the stage directory',
          '    - name: staging-frozen',
          '      at: [commit]',
          '      when: stage.name == "staging" && diff.files.exists(f, f.endsWith("canary.yaml"))',
          '      effect: deny',
          '      message: staging canaries are frozen',
        ].join('\n'),
        stages: { preview: {}, staging: { steps: ['setWeight: 10'] } },
      });
      let staging: StageStatus | undefined;
      await promote(
        ramp,
        pipeline,
        async (handle, stage) => {
          assert.equal((await promotionOutcome(handle.result())).phase, 'Aborted');
          // Queries need a worker: asked while it runs.
          staging = await stage('staging').query(stageStatusQuery);
        },
        undefined,
        'policy-deny',
      );
      assert.ok(staging);
      assert.equal(staging.failure?.reason, 'PolicyDenied');
      assert.match(
        staging.failure.message,
        /^policy staging-frozen \([0-9a-f]{12}\) denies the commit 1\/0\/canary\/10 of 1\.1\.0 to staging: staging canaries are frozen$/,
      );
      assert.deepEqual(staging.commits, [], 'staging committed nothing');
      assert.ok(staging.events.some((e) => e.kind === 'policy-decision' && /staging-frozen/.test(e.message)));
      const decisions = staging.policyDecisions ?? [];
      assert.deepEqual(
        decisions.map((d) => [d.policy, d.checkpoint, d.matched]),
        [
          ['only-own-directory', 'commit', false],
          ['staging-frozen', 'commit', true],
        ],
      );
      assert.ok(decisions.every((d) => /^[0-9a-f]{64}$/.test(d.hash)));
      // Preview's one commit is on the branch after the seed; nothing of staging's.
      const written = await subjects(ramp);
      assert.equal(written.length, 1, `only preview committed: ${written.join('; ')}`);
      assert.match(written[0]!, /\/preview: /);
      assert.deepEqual(await ramp.files('envs/staging'), await ramp.seedFiles('envs/staging'));
    } finally {
      await ramp.cleanup();
    }
  });

  test('a require-approval policy adds a gate that only its group can approve', async () => {
    const ramp = await realRamp(env, { sre: ['sam'], 'release-managers': ['carol'] });
    try {
      const pipeline = seedPipeline({
        url: ramp.remote.remoteUrl,
        policies: [
          '    - name: sre-signs-production',
          '      at: [stage-start]',
          '      when: stage.name == "production"',
          '      effect: require-approval',
          '      require: 1 of group:sre',
          '      message: production needs an SRE',
          '    - name: big-change',
          '      at: [commit]',
          '      when: diff.changedLines >= 2',
          '      effect: warn',
          '      message: a change of two lines or more',
        ].join('\n'),
        stages: { production: { with: ['approval: { approvers: ["group:release-managers"] }'] } },
      });
      await promote(
        ramp,
        pipeline,
        async (handle, stage) => {
          const production = stage('production');
          await waitStage(production, (s) => s.approvals.some((a) => a.gate === 'policy:sre-signs-production' && a.outcome === 'Pending'), 'the policy gate');
          const before = await production.query(stageStatusQuery);
          assert.deepEqual(before.commits, []);
          assert.ok(before.events.some((e) => e.kind === 'policy-decision' && /sre-signs-production .* requires approval at stage-start/.test(e.message)));
          assert.match(
            await refusalOf(production.executeUpdate(approveUpdate, { args: [{ promotionId: handle.workflowId, actor: 'carol' }] })),
            /carol \(unverified\) is not in group:sre, which approves the policy:sre-signs-production approval/,
          );
          await production.executeUpdate(approveUpdate, { args: [{ promotionId: handle.workflowId, actor: 'sam' }] });
          // Then the stage's own gate, for the release managers.
          await waitStage(production, (s) => s.phase === 'AwaitingApproval' && s.approvals.some((a) => a.gate === 'gate'), 'the stage gate');
          await production.executeUpdate(approveUpdate, { args: [{ promotionId: handle.workflowId, actor: 'carol' }] });
          const result = await promotionOutcome(handle.result());
          assert.equal(result.phase, 'Succeeded');
          // The warn was recorded at the commit (the image line changes: one line out, one in) and did not stop it.
          const done = await production.query(stageStatusQuery);
          assert.ok(
            done.events.some(
              (e) => e.kind === 'policy-decision' && /^policy big-change \([0-9a-f]{12}\) warns at commit: a change of two lines or more$/.test(e.message),
            ),
          );
          assert.deepEqual(
            (done.policyDecisions ?? []).map((d) => [d.policy, d.checkpoint, d.effect, d.matched]),
            [
              ['sre-signs-production', 'stage-start', 'require-approval', true],
              ['big-change', 'commit', 'warn', true],
            ],
          );
        },
        undefined,
        'policy-require-approval',
      );
      assert.match((await ramp.files('envs/production'))['stable.yaml']!, /image: web:1\.1\.0/);
    } finally {
      await ramp.cleanup();
    }
  });

  test('a deny at the rollback checkpoint keeps the commits only where the policy lists rollback', async () => {
    const ramp = await realRamp(env);
    try {
      const policy = (at: string) =>
        [
          '    - name: no-staging-rollback',
          `      at: [${at}]`,
          '      when: stage.name == "staging"',
          '      effect: deny',
          '      message: staging is rolled forward only',
        ].join('\n');
      // Listed at full-promotion only (a checkpoint the aborted stage never reaches): the rollback is not blocked.
      for (const [at, blocked] of [
        ['full-promotion', false],
        ['rollback', true],
      ] as const) {
        const pipeline = seedPipeline({ url: ramp.remote.remoteUrl, policies: policy(at), stages: { staging: { steps: ['setWeight: 10', 'pause: {}'] } } });
        await promote(ramp, pipeline, async (handle, stage) => {
          const staging = stage('staging');
          await waitStage(staging, (s) => s.phase === 'Paused' && s.commits.length === 1, 'the staging pause');
          await handle.executeUpdate(abortUpdate, { args: [{ promotionId: handle.workflowId, actor: 'rm', reason: 'testing rollback policies' }] });
          await promotionOutcome(handle.result());
          const status = await staging.query(stageStatusQuery);
          if (blocked) {
            assert.deepEqual(status.reverts, [], `${at}: the policy kept the canary commit`);
            assert.match(
              status.message,
              /a policy refused the rollback \(policy no-staging-rollback \([0-9a-f]{12}\) denies the rollback of staging: staging is rolled forward only\)/,
            );
            assert.notDeepEqual(await ramp.files('envs/staging'), await ramp.seedFiles('envs/staging'));
          } else {
            assert.equal(status.reverts.length, 1, `${at}: rollbacks are never blocked by default`);
            assert.deepEqual(await ramp.files('envs/staging'), await ramp.seedFiles('envs/staging'));
            assert.equal(status.policyDecisions, undefined, 'no policy named a checkpoint the stage reached');
          }
        });
      }
    } finally {
      await ramp.cleanup();
    }
  });
});

/** The subjects of the branch's commits since the seed, newest first. */
async function subjects(ramp: RealRamp): Promise<string[]> {
  const { git } = await ramp.remote.workdir();
  return (await git.raw(['log', '--format=%s', `${ramp.remote.seedCommit}..HEAD`])).split('\n').filter(Boolean);
}
