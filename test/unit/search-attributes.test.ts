/** What ramp's workflows show in Temporal's visibility: the pure parts of workflows/search-attributes.ts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApprovalOutcome, type ApprovalRecord } from '../../src/domain/approval.js';
import { PauseReason, PromotionPhase, StagePhase } from '../../src/domain/phases.js';
import {
  RampPhase,
  RampStage,
  RampWaitingFor,
  changedAttributes,
  promotionAttributes,
  promotionWaitingFor,
  stageAttributes,
  stageDisplayPhase,
  stageWaitingFor,
} from '../../workflows/search-attributes.js';

const gate = (outcome: ApprovalOutcome, approved: string[] = []): ApprovalRecord => ({
  gate: 'gate',
  approvals: approved.map((actor) => ({ actor, at: '2026-11-21T09:00:00Z', comment: '' })),
  rejection: null,
  refused: [],
  eligible: ['alice', 'carol', 'dave'],
  minApprovals: 2,
  deadline: null,
  outcome,
});

describe('stage phase and whom it waits for', () => {
  const cases: [string, StagePhase, PauseReason | null, ApprovalRecord[], string, string[]][] = [
    ['approval gate', StagePhase.AwaitingApproval, null, [gate(ApprovalOutcome.Pending)], 'AwaitingApproval', ['alice', 'carol', 'dave']],
    [
      'approval step, one approved',
      StagePhase.Paused,
      PauseReason.AwaitingApproval,
      [gate(ApprovalOutcome.Pending, ['carol'])],
      'AwaitingApproval',
      ['alice', 'dave'],
    ],
    ['inconclusive analysis', StagePhase.Paused, PauseReason.InconclusiveAnalysis, [], 'Inconclusive', ['operator']],
    ['pause step', StagePhase.Paused, PauseReason.CanaryPauseStep, [], 'Paused', ['operator']],
    ['operator pause', StagePhase.Paused, PauseReason.UserPaused, [gate(ApprovalOutcome.Approved, ['alice', 'carol'])], 'Paused', ['operator']],
    ['webhook confirmation', StagePhase.Paused, PauseReason.AwaitingConfirmation, [], 'AwaitingConfirmation', ['webhook']],
    ['closed deploy window', StagePhase.Paused, PauseReason.DeployWindowClosed, [], 'WindowClosed', ['clock']],
    ['soak', StagePhase.Paused, PauseReason.Soaking, [], 'Soaking', ['clock']],
    ['progressing', StagePhase.Progressing, null, [gate(ApprovalOutcome.Approved, ['alice', 'carol'])], 'Progressing', []],
    ['rolled back', StagePhase.RolledBack, null, [gate(ApprovalOutcome.Rejected)], 'RolledBack', []],
  ];
  for (const [name, phase, reason, approvals, shown, waiting] of cases) {
    test(name, () => {
      assert.equal(stageDisplayPhase(phase, reason), shown);
      assert.deepEqual(stageWaitingFor(phase, reason, approvals), waiting);
    });
  }
});

describe('promotion', () => {
  test('whom it waits for', () => {
    assert.deepEqual(promotionWaitingFor(PromotionPhase.WaitingForEnvironment, 'web@1.1.0'), ['web@1.1.0']);
    assert.deepEqual(promotionWaitingFor(PromotionPhase.WaitingForEnvironment, null), ['another promotion']);
    assert.deepEqual(promotionWaitingFor(PromotionPhase.Failed, null), ['operator']);
    assert.deepEqual(promotionWaitingFor(PromotionPhase.Running, null), []);
    assert.deepEqual(promotionWaitingFor(PromotionPhase.Aborted, null), []);
  });

  test('attributes: nothing to wait for removes RampWaitingFor; no stage removes RampStage', () => {
    const pairs = promotionAttributes({ pipeline: 'web', version: '1.4.2', phase: PromotionPhase.Running, stage: null, heldBy: null });
    assert.deepEqual(
      pairs.map((p) => [p.key.name, p.value]),
      [
        ['RampKind', 'promotion'],
        ['RampPipeline', 'web'],
        ['RampVersion', '1.4.2'],
        ['RampStage', null],
        ['RampPhase', 'Running'],
        ['RampWaitingFor', null],
      ],
    );
  });
});

describe('changedAttributes: only what differs is upserted', () => {
  const pairs = stageAttributes({
    promotionId: 'web@1.4.2',
    pipeline: 'web',
    version: '1.4.2',
    stage: 'production',
    phase: StagePhase.AwaitingApproval,
    pauseReason: null,
    approvals: [gate(ApprovalOutcome.Pending)],
  });
  test('all, on a workflow that has none', () => {
    assert.deepEqual(
      changedAttributes(pairs, () => undefined).map((p) => p.key.name),
      ['RampKind', 'RampPipeline', 'RampVersion', 'RampStage', 'RampPromotion', 'RampPhase', 'RampWaitingFor'],
    );
  });
  test('none, when every value is already there', () => {
    const current = new Map(pairs.map((p) => [p.key.name, p.value]));
    assert.deepEqual(
      changedAttributes(pairs, (p) => current.get(p.key.name)),
      [],
    );
  });
  test('a new phase and a removed waiting-for; removing an absent one is no change', () => {
    const next = stageAttributes({
      promotionId: 'web@1.4.2',
      pipeline: 'web',
      version: '1.4.2',
      stage: 'production',
      phase: StagePhase.Progressing,
      pauseReason: null,
      approvals: [],
    });
    const current = new Map<string, unknown>(pairs.map((p) => [p.key.name, p.value]));
    assert.deepEqual(
      changedAttributes(next, (p) => current.get(p.key.name)).map((p) => [p.key.name, p.value]),
      [
        [RampPhase.name, 'Progressing'],
        [RampWaitingFor.name, null],
      ],
    );
    current.delete(RampWaitingFor.name);
    current.set(RampPhase.name, 'Progressing');
    assert.deepEqual(
      changedAttributes(next, (p) => current.get(p.key.name)),
      [],
    );
    assert.equal(RampStage.type, 'KEYWORD');
  });
});
