/**
 * The operator's commands to a stage (wired in stage.ts): validators refuse at once with the
 * reason, without a trace in history; handlers change the record and say what they did. A
 * command that reaches its handler but is not allowed (an approval or an override by someone
 * not entitled) is refused there, so that the refusal is on the record.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { decide, refusal } from '../src/domain/approval.js';
import { OverrideKind, overrideEligible, overrideRefusal } from '../src/domain/override.js';
import { PauseReason, StagePhase, TERMINAL_STAGE_PHASES } from '../src/domain/phases.js';
import type { Ack, OperatorArgs } from './messages.js';
import { now, type StageRecord } from './stage-record.js';

export class StageCommands {
  /** Workflow time of the last operator command handled (workflow time is fixed per activation). */
  lastCommandAt = -1;

  constructor(private readonly record: StageRecord) {}

  /** The stage's name and promotion, for messages. */
  private get stage(): string {
    return this.record.input.stage.name;
  }

  private get promotionId(): string {
    return this.record.input.promotionId;
  }

  validateCommand(args: OperatorArgs): void {
    if (args.promotionId !== this.promotionId) {
      throw new Error(`environment ${this.stage} is running promotion ${this.promotionId}, not ${args.promotionId}`);
    }
    if (TERMINAL_STAGE_PHASES.includes(this.record.status.phase)) {
      throw new Error(`stage ${this.stage} of ${this.promotionId} has already finished (${this.record.status.phase})`);
    }
  }

  validateResume(args: OperatorArgs): void {
    this.validateCommand(args);
    if (this.record.status.phase !== StagePhase.Paused) throw new Error(`stage ${this.stage} is not paused (it is ${this.record.status.phase})`);
    if (this.record.status.pauseReason === PauseReason.AwaitingApproval) {
      throw new Error(`stage ${this.stage} waits for approval, which resume cannot give. Use ramp approve`);
    }
  }

  validatePause(args: OperatorArgs): void {
    this.validateCommand(args);
    if (this.record.requests.pause) throw new Error(`stage ${this.stage} is already paused by ${this.record.requests.pause.actor}`);
    if (this.record.status.strategy !== 'canary') throw new Error(`stage ${this.stage} is direct: there are no steps to pause between`);
    if (this.record.status.phase !== StagePhase.Progressing && this.record.status.phase !== StagePhase.Paused) {
      throw new Error(`stage ${this.stage} cannot pause while ${this.record.status.phase}`);
    }
  }

  validateSkip(args: OperatorArgs): void {
    this.validateCommand(args);
    if (this.record.status.strategy !== 'canary') throw new Error(`stage ${this.stage} is direct: there are no canary steps to skip`);
    if (this.record.status.phase === StagePhase.AwaitingApproval) throw new Error(`stage ${this.stage} waits for its approval gate; approve it first`);
    if (this.record.status.phase !== StagePhase.Progressing && this.record.status.phase !== StagePhase.Paused) {
      throw new Error(`stage ${this.stage} cannot skip while ${this.record.status.phase}`);
    }
    const approvalStep = this.record.canary()?.steps.findIndex((s, i) => i >= this.record.status.currentStep && s.kind === 'approval') ?? -1;
    if (approvalStep >= 0) {
      throw new Error(`skipping would bypass the approval at step ${approvalStep + 1}; approve it first, then skip`);
    }
    if (this.record.requests.skip) throw new Error(`${this.record.requests.skip.actor} has already asked to skip`);
  }

  abortRefusal(args: OperatorArgs): string | null {
    try {
      this.validateCommand(args);
    } catch (error) {
      return (error as Error).message;
    }
    if (this.record.requests.abort)
      return `stage ${this.stage} is already aborting (${this.record.requests.abort.actor}: ${this.record.requests.abort.reason})`;
    if (this.record.status.phase === StagePhase.RollingBack) return `stage ${this.stage} is already rolling back`;
    return null;
  }

  validateAbort(args: OperatorArgs & { reason: string }): void {
    const why = this.abortRefusal(args);
    if (why !== null) throw new Error(why);
    if (args.reason.trim() === '') throw new Error('say why: an abort needs a reason (--reason)');
  }

  /** Approvals are accepted even when refused, so that refused attempts are on the record. */
  decideApproval(action: 'approve' | 'reject', actor: string, comment: string): Ack {
    this.lastCommandAt = Date.now();
    const record = this.record.pendingApproval();
    const decision = { actor, at: now(), comment };
    if (!record) {
      const reason = `stage ${this.stage} is not waiting for approval (it is ${this.record.status.phase})`;
      this.record.event(`${action}-refused`, reason, actor);
      throw ApplicationFailure.nonRetryable(reason, 'Refused');
    }
    const why = refusal(record, actor, action);
    if (why !== null) {
      record.refused.push({ ...decision, action, reason: why });
      this.record.event(`${action}-refused`, why, actor);
      throw ApplicationFailure.nonRetryable(why, 'Refused');
    }
    if (action === 'reject') record.rejection = decision;
    else record.approvals.push(decision);
    record.outcome = decide(record);
    const count = `${record.approvals.length}/${record.minApprovals}`;
    const message =
      action === 'reject'
        ? `${actor} rejected the ${record.gate} approval${comment ? `: ${comment}` : ''}`
        : `${actor} approved the ${record.gate} approval (${count})${comment ? `: ${comment}` : ''}`;
    this.record.event(action === 'reject' ? 'rejected' : 'approved', message, actor);
    return { message };
  }

  resume(args: OperatorArgs): Ack {
    this.lastCommandAt = Date.now();
    const inconclusive = this.record.status.pauseReason === PauseReason.InconclusiveAnalysis;
    if (inconclusive)
      this.override(OverrideKind.Inconclusive, args.actor, 'resume past an inconclusive analysis', this.record.inconclusive ?? 'an inconclusive analysis');
    this.record.requests.pause = null;
    this.record.requests.resumes++;
    this.record.requests.decidedBy = args.actor;
    const message = inconclusive ? `${args.actor} overrode the inconclusive analysis and resumed the stage` : `${args.actor} resumed the stage`;
    this.record.event('resumed', message, args.actor);
    return { message };
  }

  /**
   * Records an override, or refuses it — on the record — when `actor` is not entitled
   * (src/domain/override.ts).
   */
  private override(kind: OverrideKind, actor: string, doing: string, what: string): void {
    const why = overrideRefusal(overrideEligible(this.record.input.stage, this.record.status.groups ?? {}), actor, doing);
    if (why !== null) {
      this.record.event('override-refused', why, actor);
      throw ApplicationFailure.nonRetryable(why, 'Refused');
    }
    (this.record.status.overrides ??= []).push({ kind, actor, at: now(), what });
    this.record.event('override', `${actor} overrode: ${what}`, actor);
  }

  pause(args: OperatorArgs & { reason?: string }): Ack {
    this.lastCommandAt = Date.now();
    this.record.requests.pause = { actor: args.actor, reason: args.reason ?? '' };
    const message = `${args.actor} paused the stage${args.reason ? `: ${args.reason}` : ''}; it stops after the current step`;
    this.record.event('paused', message, args.actor);
    return { message };
  }

  skip(args: OperatorArgs): Ack {
    this.lastCommandAt = Date.now();
    const remaining = this.record.status.steps.filter((s) => s.index >= this.record.status.currentStep).map((s) => s.label);
    this.override(OverrideKind.Skip, args.actor, 'skip the remaining canary steps', `skipped the remaining canary steps (${remaining.join(', ') || 'none'})`);
    this.record.requests.skip = { actor: args.actor };
    this.record.requests.decidedBy = args.actor;
    this.record.requests.pause = null;
    const message = `${args.actor} skipped the remaining canary steps; promoting fully`;
    this.record.event('skipped', message, args.actor);
    return { message };
  }

  abort(args: OperatorArgs & { reason: string }): Ack {
    this.lastCommandAt = Date.now();
    this.record.requests.abort = { actor: args.actor, reason: args.reason };
    const message = `${args.actor} aborted the stage: ${args.reason}`;
    this.record.event('abort-requested', message, args.actor);
    return { message };
  }
}
