/**
 * The operator's commands to a stage: Updates with synchronous validators (approve, reject,
 * resume, pause, skip, abort), the abort Signal, and the status Query. Validators refuse with
 * the reason; handlers change the record and say what they did.
 */
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { decide, refusal } from '../src/domain/approval.js';
import { PauseReason, StagePhase, TERMINAL_STAGE_PHASES } from '../src/domain/phases.js';
import {
  abortSignal,
  abortUpdate,
  approveUpdate,
  pauseUpdate,
  rejectUpdate,
  resumeUpdate,
  skipUpdate,
  stageStatusQuery,
  type Ack,
  type OperatorArgs,
} from './messages.js';
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

  register(): void {
    setHandler(stageStatusQuery, () => this.record.status);
    // Validators are typed by hand: the SDK's validator parameter is not inferred.
    setHandler(approveUpdate, (args) => this.decideApproval('approve', args.actor, args.comment ?? ''), {
      validator: (args: OperatorArgs) => this.validateCommand(args),
    });
    setHandler(rejectUpdate, (args) => this.decideApproval('reject', args.actor, args.reason), {
      validator: (args: OperatorArgs) => this.validateCommand(args),
    });
    setHandler(resumeUpdate, (args) => this.resume(args), { validator: (args: OperatorArgs) => this.validateResume(args) });
    setHandler(pauseUpdate, (args) => this.pause(args), { validator: (args: OperatorArgs) => this.validatePause(args) });
    setHandler(skipUpdate, (args) => this.skip(args), { validator: (args: OperatorArgs) => this.validateSkip(args) });
    setHandler(abortUpdate, (args) => this.abort(args), { validator: (args: OperatorArgs & { reason: string }) => this.validateAbort(args) });
    setHandler(abortSignal, (args) => {
      if (this.abortRefusal(args) === null) this.abort(args);
    });
  }

  private validateCommand(args: OperatorArgs): void {
    if (args.promotionId !== this.promotionId) {
      throw new Error(`environment ${this.stage} is running promotion ${this.promotionId}, not ${args.promotionId}`);
    }
    if (TERMINAL_STAGE_PHASES.includes(this.record.status.phase)) {
      throw new Error(`stage ${this.stage} of ${this.promotionId} has already finished (${this.record.status.phase})`);
    }
  }

  private validateResume(args: OperatorArgs): void {
    this.validateCommand(args);
    if (this.record.status.phase !== StagePhase.Paused) throw new Error(`stage ${this.stage} is not paused (it is ${this.record.status.phase})`);
    if (this.record.status.pauseReason === PauseReason.AwaitingApproval) {
      throw new Error(`stage ${this.stage} waits for approval, which resume cannot give. Use ramp approve`);
    }
  }

  private validatePause(args: OperatorArgs): void {
    this.validateCommand(args);
    if (this.record.requests.pause) throw new Error(`stage ${this.stage} is already paused by ${this.record.requests.pause.actor}`);
    if (this.record.status.strategy !== 'canary') throw new Error(`stage ${this.stage} is direct: there are no steps to pause between`);
    if (this.record.status.phase !== StagePhase.Progressing && this.record.status.phase !== StagePhase.Paused) {
      throw new Error(`stage ${this.stage} cannot pause while ${this.record.status.phase}`);
    }
  }

  private validateSkip(args: OperatorArgs): void {
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

  private abortRefusal(args: OperatorArgs): string | null {
    try {
      this.validateCommand(args);
    } catch (error) {
      return (error as Error).message;
    }
    if (this.record.requests.abort) return `stage ${this.stage} is already aborting (${this.record.requests.abort.actor}: ${this.record.requests.abort.reason})`;
    if (this.record.status.phase === StagePhase.RollingBack) return `stage ${this.stage} is already rolling back`;
    return null;
  }

  private validateAbort(args: OperatorArgs & { reason: string }): void {
    const why = this.abortRefusal(args);
    if (why !== null) throw new Error(why);
    if (args.reason.trim() === '') throw new Error('say why: an abort needs a reason (--reason)');
  }

  /** Approvals are accepted even when refused, so that refused attempts are on the record. */
  private decideApproval(action: 'approve' | 'reject', actor: string, comment: string): Ack {
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

  private resume(args: OperatorArgs): Ack {
    this.lastCommandAt = Date.now();
    this.record.requests.pause = null;
    this.record.requests.resumes++;
    const message = `${args.actor} resumed the stage`;
    this.record.event('resumed', message, args.actor);
    return { message };
  }

  private pause(args: OperatorArgs & { reason?: string }): Ack {
    this.lastCommandAt = Date.now();
    this.record.requests.pause = { actor: args.actor, reason: args.reason ?? '' };
    const message = `${args.actor} paused the stage${args.reason ? `: ${args.reason}` : ''}; it stops after the current step`;
    this.record.event('paused', message, args.actor);
    return { message };
  }

  private skip(args: OperatorArgs): Ack {
    this.lastCommandAt = Date.now();
    this.record.requests.skip = { actor: args.actor };
    this.record.requests.pause = null;
    const message = `${args.actor} skipped the remaining canary steps; promoting fully`;
    this.record.event('skipped', message, args.actor);
    return { message };
  }

  private abort(args: OperatorArgs & { reason: string }): Ack {
    this.lastCommandAt = Date.now();
    this.record.requests.abort = { actor: args.actor, reason: args.reason };
    const message = `${args.actor} aborted the stage: ${args.reason}`;
    this.record.event('abort-requested', message, args.actor);
    return { message };
  }
}
