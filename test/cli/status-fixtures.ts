/** Hand-built status objects for the renderers' table tests: a paused canary of web@1.4.2. */
import type { ApprovalRecord } from '../../src/domain/approval.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';

export const utc = { color: false, timeZone: 'utc' } as const;
export const at = (s: number) => new Date(Date.UTC(2026, 10, 21, 9, 0, s)).toISOString();

export function approval(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    gate: 'gate',
    approvals: [{ actor: 'carol', at: at(20), comment: 'ship it' }],
    rejection: null,
    refused: [
      { actor: 'mallory', at: at(15), comment: '', action: 'approve', reason: 'mallory is not an approver of the gate approval. Approvers: alice, carol' },
    ],
    eligible: ['alice', 'carol'],
    minApprovals: 1,
    deadline: null,
    outcome: 'Approved',
    ...overrides,
  };
}

export function production(overrides: Partial<StageStatus> = {}): StageStatus {
  return {
    promotionId: 'web@1.4.2',
    pipeline: 'web',
    stage: 'production',
    version: '1.4.2',
    attempt: 1,
    phase: 'Paused',
    pauseReason: 'CanaryPauseStep',
    pauseUntil: null,
    message: 'paused until resumed (ramp resume)',
    strategy: 'canary',
    currentStep: 1,
    steps: [
      { index: 0, label: 'setWeight 20', status: 'Succeeded', startedAt: at(21), finishedAt: at(22) },
      { index: 1, label: 'pause', status: 'Running', startedAt: at(22), finishedAt: null },
      { index: 2, label: 'setWeight 60', status: 'Pending', startedAt: null, finishedAt: null },
    ],
    canaryWeight: 20,
    commits: [{ sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', step: '1/0/canary/20', at: at(21) }],
    reverts: [],
    approvals: [approval()],
    events: [
      { at: at(10), kind: 'started', message: 'stage production: promoting 1.4.2 (attempt 1)' },
      { at: at(15), kind: 'approve-refused', actor: 'mallory', message: 'mallory is not an approver' },
      { at: at(20), kind: 'approved', actor: 'carol', message: 'carol approved the gate approval (1/1): ship it' },
      { at: at(21), kind: 'commit', message: 'canary 1.4.2 at 20%: a1b2c3d4e5f6' },
    ],
    failure: null,
    ...overrides,
  };
}

export function preview(): StageStatus {
  return {
    ...production(),
    stage: 'preview',
    phase: 'Promoted',
    pauseReason: null,
    message: '1.4.2 is stable in preview',
    strategy: 'direct',
    currentStep: 0,
    steps: [],
    canaryWeight: 0,
    commits: [{ sha: '0f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4', step: '1/update', at: at(5) }],
    approvals: [],
    events: [{ at: at(5), kind: 'promoted', message: '1.4.2 is stable in preview' }],
  };
}

export function promotion(overrides: Partial<PromotionStatus> = {}): PromotionStatus {
  return {
    promotionId: 'web@1.4.2',
    pipeline: 'web',
    version: '1.4.2',
    kind: 'promote',
    requestedBy: 'rm',
    phase: 'Running',
    message: 'stage production (attempt 1)',
    activeStage: { name: 'production', workflowId: 'web/production' },
    waitingFor: null,
    stages: [
      { name: 'preview', workflowId: 'web/preview', attempt: 1, phase: 'Promoted', result: preview() },
      { name: 'production', workflowId: 'web/production', attempt: 1, phase: 'Progressing', result: null },
      { name: 'dr', workflowId: 'web/dr', attempt: 0, phase: 'Pending', result: null },
    ],
    startedAt: at(0),
    finishedAt: null,
    events: [
      { at: at(0), kind: 'started', actor: 'rm', message: 'rm asked to promote web 1.4.2' },
      { at: at(9), kind: 'stage-started', message: 'stage production started (attempt 1)' },
    ],
    ...overrides,
  };
}
