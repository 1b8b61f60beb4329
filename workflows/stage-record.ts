/**
 * The record of one stage's rollout: its status (phase, steps, commits, approvals, events) and
 * the operator's requests, with the small transitions every part of the stage uses. Kept across
 * continue-as-new (StageInput.resume).
 */
import { ApprovalOutcome, type ApprovalRecord } from '../src/domain/approval.js';
import { FailureReason, type PauseReason, StagePhase, StepStatus } from '../src/domain/phases.js';
import { stepLabel } from '../src/domain/stage-writes.js';
import type { CanaryStrategySpec } from '../src/schema/pipeline.js';
import type { Actor } from '../src/identity/actor.js';
import type { StageRequests, StageStatus } from './messages.js';
import { publishAttributes, stageAttributes } from './search-attributes.js';
import type { CurrentStageInput } from './stage-input.js';
import { AuditOutbox, type AuditDecision } from './audit-outbox.js';
import { isDecisionKind } from '../src/audit/record.js';
import { StageFacts } from './stage-facts.js';

/** Ends the normal flow of a stage: abort, rejection, approval timeout, failed gate. */
export class StageStop extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

export const now = (): string => new Date(Date.now()).toISOString();

/** An event's `actor` (the display name) and `identity` (the Actor, when known). */
export function actorFields(actor: Actor | string | undefined): { actor?: string; identity?: Actor } {
  if (actor === undefined || actor === '') return {};
  return typeof actor === 'string' ? { actor } : { actor: actor.name, identity: actor };
}

/** The innermost message of an activity or child failure, for people. */
export function describeFailure(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(error);
}

/** What an event adds to the audit record of a decision. */
export type AuditContext = Pick<AuditDecision, 'channel' | 'decisionId' | 'gate' | 'commit' | 'reason' | 'policy'>;

export class StageRecord {
  readonly status: StageStatus;
  readonly requests: StageRequests;
  /** The verdict of the Inconclusive analysis the stage is paused on, while it is. */
  inconclusive: string | null = null;
  /** Decisions on their way to the audit trail (docs/governance.md#audit-trail). */
  readonly audit: AuditOutbox;
  /** What the stage reports to the worker's metrics (stage-facts.ts). */
  readonly facts: StageFacts;

  constructor(readonly input: CurrentStageInput) {
    this.status = input.resume?.status ?? initialStatus(input);
    this.facts = new StageFacts(this);
    this.requests = input.resume?.requests ?? { abort: null, pause: null, skip: null, resumes: 0 };
    this.audit = new AuditOutbox(input.repository);
    this.audit.onFailure = (message) => this.event('audit-write-failed', message);
  }

  canary(): CanaryStrategySpec | null {
    return this.input.stage.strategy.kind === 'canary' ? this.input.stage.strategy : null;
  }

  pendingApproval(): ApprovalRecord | undefined {
    const last = this.status.approvals[this.status.approvals.length - 1];
    return last?.outcome === ApprovalOutcome.Pending ? last : undefined;
  }

  setPhase(phase: StagePhase, message: string, pauseReason: PauseReason | null = null): void {
    this.status.phase = phase;
    this.status.message = message;
    this.status.pauseReason = phase === StagePhase.Paused ? pauseReason : null;
    publishAttributes(stageAttributes({ ...this.status, promotionId: this.input.promotionId }));
  }

  startStep(index: number): void {
    const step = this.status.steps[index]!;
    step.status = StepStatus.Running;
    step.startedAt ??= now();
  }

  finishStep(index: number, status: StepStatus): void {
    const step = this.status.steps[index]!;
    step.status = status;
    step.finishedAt = now();
  }

  /**
   * Appends to the record; `actor` as established (an Actor), or a name from before identities.
   * A decision (src/audit/record.ts isDecisionKind) also goes to the audit trail, with `context`
   * (where it was taken, the signed decision's id, the gate and commit when not the current ones).
   */
  event(kind: string, message: string, actor?: Actor | string, context: AuditContext = {}): void {
    this.status.events.push({ at: now(), kind, message, ...actorFields(actor) });
    if (isDecisionKind(kind)) this.audited({ kind, message, ...(actor !== undefined ? { actor } : {}), ...context });
  }

  /** Sends a decision to the audit trail, bound to this stage (the latest approval's gate and commit, else the latest commit). */
  audited(decision: AuditDecision): void {
    const { promotionId, pipeline, stage, attempt } = this.input;
    const approval = /^(approve|reject)/.test(decision.kind) ? this.status.approvals.at(-1) : undefined;
    const commit = approval ? approval.commit : this.status.commits.at(-1)?.sha;
    this.audit.add({
      promotionId,
      pipeline,
      stage: stage.name,
      attempt,
      ...(approval ? { gate: approval.gate } : {}),
      ...(commit !== undefined && commit !== null ? { commit } : {}),
      ...decision,
    });
  }

  checkpointAbort(): void {
    const abort = this.requests.abort;
    if (abort) throw new StageStop(FailureReason.Aborted, `aborted by ${abort.actor}: ${abort.reason}`);
  }
}

function initialStatus(input: CurrentStageInput): StageStatus {
  const { promotionId, pipeline, stage, version, attempt } = input;
  const steps = stage.strategy.kind === 'canary' ? stage.strategy.steps : [];
  return {
    promotionId,
    pipeline,
    stage: stage.name,
    version,
    attempt,
    phase: StagePhase.Progressing,
    pauseReason: null,
    pauseUntil: null,
    message: 'starting',
    strategy: stage.strategy.kind,
    currentStep: 0,
    steps: steps.map((step, index) => ({ index, label: stepLabel(step), status: StepStatus.Pending, startedAt: null, finishedAt: null })),
    canaryWeight: 0,
    commits: [],
    reverts: [],
    approvals: [],
    events: [{ at: now(), kind: 'started', message: `stage ${stage.name}: promoting ${version} (attempt ${attempt})` }],
    failure: null,
  };
}
