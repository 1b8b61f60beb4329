/**
 * Decisions that cannot be forged or replayed, on the real dev server with the worker's own
 * identity activity (real Ed25519 keys, real signatures) and fakes of ramp's other activities:
 * a signed approval counts for the verified person it names and only for the gate, attempt and
 * commit it was taken on; a copy, a forgery or an unsigned approval is refused and recorded;
 * the promotion's starter cannot approve it; two distinct verified approvers satisfy a quorum.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ActorMethod, type Actor } from '../../src/identity/actor.js';
import type { DecisionAction, DecisionTarget } from '../../src/identity/decision.js';
import { generateDecisionKeys, signDecision, type DecisionSigningKey } from '../../src/identity/decision-signature.js';
import type { PipelineSpec } from '../../src/schema/pipeline.js';
import {
  approveUpdate,
  resumeUpdate,
  promotionWorkflowId,
  stageStatusQuery,
  stageWorkflowId,
  type PromotionStatus,
  type StageStatus,
} from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { fakeRamp } from '../support/fake-activities.js';
import { webPipeline } from '../support/pipelines.js';
import { waitFor } from '../support/wait.js';
import { recordWorkflows } from '../replay/record.js';

const person = (name: string, groups: string[] = []): Actor => ({
  subject: `sub-${name}`,
  name,
  email: `${name}@example.com`,
  groups,
  issuer: 'https://id.example.com',
  method: ActorMethod.Oidc,
});

const alice = person('alice', ['release-managers']);
const bob = person('bob', ['sre']);
const carol = person('carol', ['sre']);
const mallory = person('mallory');

/** Production alone, gated by `approval`, one canary step. */
function production(approval: string): PipelineSpec {
  const spec = webPipeline({ productionApproval: `      ${approval}`, productionSteps: ['setWeight: 50'] });
  return { ...spec, stages: spec.stages.slice(2) };
}

async function refused(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => assert.fail('the update was accepted'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WorkflowUpdateFailedError, `expected a refusal, got ${String(error)}`);
  assert.equal((error.cause as { type?: string }).type, 'Forbidden');
  return (error.cause as Error).message;
}

describe('signed decisions', () => {
  let env: TestWorkflowEnvironment;
  let key: DecisionSigningKey;
  let otherKey: DecisionSigningKey;
  let keysFile: string;
  before(async () => {
    env = await getTestEnv();
    const keys = await generateDecisionKeys('test-key');
    key = keys.signing;
    otherKey = (await generateDecisionKeys('test-key')).signing; // same kid, another key: a forgery
    keysFile = path.join(await mkdtemp(path.join(tmpdir(), 'ramp-decisions-')), 'decision-keys.json');
    await writeFile(keysFile, JSON.stringify(keys.publicKeys));
  });
  after(async () => env?.teardown());

  const sign = (action: DecisionAction, actor: Actor, target: Partial<DecisionTarget>, signing = key, ttlMs = 300_000) =>
    signDecision(
      {
        decisionId: randomUUID(),
        action,
        actor,
        target: { promotionId: '', pipeline: '', version: '', stage: null, gate: null, attempt: null, commit: null, ...target },
        issuedAt: new Date(Date.now() - 1000).toISOString(),
        expiresAt: new Date(Date.now() + ttlMs).toISOString(),
      },
      signing,
    );

  /** Starts a promotion requested (and signed) by `requester`, runs `during`, returns its end. */
  async function promote(
    pipeline: PipelineSpec,
    requester: Actor,
    during: (stage: WorkflowHandle, promotionId: string) => Promise<void>,
    /** With RAMP_RECORD_HISTORIES=1: the replay shape to save (test/replay). */
    shape: string,
  ): Promise<PromotionStatus> {
    const fake = fakeRamp({}, { decisionKeysFile: keysFile });
    const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities });
    return worker.runUntil(async () => {
      const promotionId = promotionWorkflowId(pipeline.name, '1.1.0');
      const decision = await sign('promote', requester, { promotionId, pipeline: pipeline.name, version: '1.1.0' });
      const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionId,
        args: [{ apiVersion: 'ramp/v1', pipeline, version: '1.1.0', requestedBy: requester.name, decision, kind: 'promote' }],
      });
      await during(env.client.workflow.getHandle(stageWorkflowId(pipeline.name, 'production')), promotionId);
      const result = await promotionOutcome(handle.result());
      await recordWorkflows(env, shape, pipeline.name);
      return result;
    });
  }

  const atGate = (stage: WorkflowHandle): Promise<StageStatus> =>
    waitFor(
      () => stage.query(stageStatusQuery),
      (s) => s.phase === 'AwaitingApproval',
      'the approval gate',
    );

  /** What an approval of the pending gate must name. */
  const gateTarget = (s: StageStatus): Partial<DecisionTarget> => {
    const record = s.approvals.at(-1)!;
    return {
      promotionId: s.promotionId,
      pipeline: s.pipeline,
      version: s.version,
      stage: s.stage,
      attempt: s.attempt,
      gate: record.gate,
      commit: record.commit ?? null,
    };
  };

  test('only verified, bound, fresh decisions by entitled people count; every refusal is on the record', async () => {
    const pipeline = production('approval: { approvers: ["group:sre"], minApprovals: 2 }');
    let gate!: StageStatus;
    const result = await promote(
      pipeline,
      alice,
      async (stage, promotionId) => {
        gate = await atGate(stage);
        assert.match(gate.approvals[0]!.commit ?? '', /^[0-9a-f]{40}$/, 'the gate is bound to a commit');
        const target = gateTarget(gate);
        const approve = async (decision: string, actor = 'whoever') => stage.executeUpdate(approveUpdate, { args: [{ promotionId, actor, decision }] });

        assert.match(await refused(stage.executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'bob' }] })), /bob is not a verified identity/);
        assert.match(await refused(approve(await sign('approve', bob, target, otherKey))), /signature does not verify/);
        assert.match(await refused(approve(await sign('approve', bob, target, key, -120_000))), /expired/);
        assert.match(await refused(approve(await sign('approve', bob, { ...target, attempt: 2 }))), /another state: attempt 2 \(this is 1\)/);
        assert.match(await refused(approve(await sign('approve', bob, { ...target, commit: 'f'.repeat(40) }))), /another state: commit f+/);
        assert.match(await refused(approve(await sign('approve', bob, { ...target, version: '9.9.9' }))), /another state: version 9\.9\.9/);
        assert.match(await refused(approve(await sign('reject', bob, target))), /signed to reject, not to approve/);
        assert.match(
          await refused(approve(await sign('approve', mallory, target))),
          /mallory is not in group:sre, which approves the gate approval of production/,
        );

        const bobs = await sign('approve', bob, target);
        await approve(bobs);
        assert.match(await refused(approve(bobs)), /was already used/, 'the same decision again, under another update id');
        assert.match(await refused(approve(await sign('approve', bob, target))), /bob has already approved/);
        await approve(await sign('approve', carol, target));
      },
      'verified-decisions',
    );
    assert.equal(result.phase, 'Succeeded');
    const record = result.stages[0]!.result!;
    const approvals = record.approvals[0]!;
    assert.deepEqual(
      approvals.approvals.map((d) => [d.identity?.subject, d.identity?.method]),
      [
        ['sub-bob', 'oidc'],
        ['sub-carol', 'oidc'],
      ],
    );
    const refusedKinds = record.events.filter((e) => e.kind === 'approve-refused');
    assert.ok(refusedKinds.length >= 8, `every refusal is on the record (${refusedKinds.length})`);
    assert.ok(refusedKinds.every((e) => e.identity !== undefined));
    assert.deepEqual(result.requester, alice, 'the promotion records its verified requester');
  });

  test('four-eyes: the starter cannot approve their own release; unsigned commands that need no one in particular count, recorded as unverified', async () => {
    const spec = webPipeline({
      productionApproval: '      approval: { approvers: ["group:sre", "group:release-managers"] }',
      productionSteps: ['setWeight: 50', 'pause: {}'],
    });
    const pipeline = { ...spec, stages: spec.stages.slice(2) };
    const result = await promote(
      pipeline,
      alice,
      async (stage, promotionId) => {
        const target = gateTarget(await atGate(stage));
        const decision = await sign('approve', alice, target);
        assert.match(
          await refused(stage.executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'alice', decision }] })),
          /alice started this promotion and may not approve it/,
        );
        await stage.executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'bob', decision: await sign('approve', bob, target) }] });
        await waitFor(
          () => stage.query(stageStatusQuery),
          (s) => s.pauseReason === 'CanaryPauseStep',
          'the pause step',
        );
        await stage.executeUpdate(resumeUpdate, { args: [{ promotionId, actor: 'oncall' }] });
      },
      'four-eyes',
    );
    assert.equal(result.phase, 'Succeeded');
    const record = result.stages[0]!.result!;
    assert.equal(record.events.find((e) => e.kind === 'resumed')?.identity?.method, 'local-unverified');
    assert.ok(record.events.some((e) => e.kind === 'approve-refused' && e.identity?.subject === 'sub-alice'));
  });
});
