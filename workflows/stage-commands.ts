/**
 * The operator's commands to a stage (wired in stage.ts): validators refuse at once with the
 * reason, without a trace in history; handlers change the record and say what they did. A
 * command that reaches its handler but is not allowed (an approval or an override by someone
 * not entitled) is refused there, so that the refusal is on the record.
 */
import { ApplicationFailure, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import { ApprovalOutcome, decide, refusal, type Groups } from '../src/domain/approval.js';
import { gateDecisionRefusal, gateOutcome, progress, type GateContext } from '../src/domain/gate-decision.js';
import { OverrideKind, overrideEligible, overrideRefusal, overrideRefusalFor } from '../src/domain/override.js';
import { Permission, accessGroups, groupsOf, permissionRefusal } from '../src/domain/permissions.js';
import { isVerified, unverifiedActor, type Actor } from '../src/identity/actor.js';
import { DecisionAction, DecisionChannel, type DecisionTarget } from '../src/identity/decision.js';
import { VERIFIED_DECISIONS_PATCH, authenticate, forbidden, identityRefusal } from './command-identity.js';
import { PauseReason, StagePhase, TERMINAL_STAGE_PHASES } from '../src/domain/phases.js';
import { OverrideLabel, overrideLabel } from '../src/observability/fact-labels.js';
import { policyGates } from '../src/governance/policy-gate.js';
import type { Ack, OperatorArgs } from './messages.js';
import { now, type AuditContext, type StageRecord } from './stage-record.js';

/** Where a decision was taken, for its audit record: the signed channel (`cli` when unsigned) and the signed decision's id. */
type Taken = Pick<AuditContext, 'channel' | 'decisionId'>;

/** Groups of the worker's file that a permission check needs and the stage has not resolved yet. */
const lookups = proxyLocalActivities<RampActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });

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
    if (this.record.status.pauseReason === PauseReason.DeployWindowClosed) {
      throw new Error(
        `stage ${this.stage} waits for its deploy window, which resume cannot open. It goes on by itself when the window opens, or: ramp window-override ${this.promotionId} --reason "…"`,
      );
    }
    if (this.record.status.pauseReason === PauseReason.Soaking) {
      throw new Error(`stage ${this.stage} soaks (${this.record.status.message}); resume cannot shorten the soak. Wait, or abort`);
    }
  }

  validateWindowOverride(args: OperatorArgs & { reason: string }): void {
    this.validateCommand(args);
    if (typeof args.reason !== 'string' || args.reason.trim() === '') throw new Error('say why: a window override needs a reason (--reason)');
    const window = this.record.status.window;
    if (!window) throw new Error(`stage ${this.stage} has not checked its deploy windows yet; nothing to override`);
    if (window.open) throw new Error(`the deploy window of ${this.stage} is open (${window.reason}); nothing to override`);
  }

  /**
   * Lets the stage through the closed period of its deploy window (or a freeze): a signed
   * decision, a reason, and the override permission; recorded with the actor.
   */
  async windowOverride(args: OperatorArgs & { reason: string }): Promise<Ack> {
    this.lastCommandAt = Date.now();
    const { actor, channel, decisionId } = await this.identifyDecision(args, DecisionAction.WindowOverride, true, () => ({}));
    const why = permissionRefusal({
      permission: Permission.Override,
      pipeline: this.record.input.pipeline,
      access: this.record.input.access ?? null,
      actor,
      groups: await this.workerGroups(actor),
      stage: this.stage,
    });
    if (why !== null) {
      this.record.event('window-override-refused', why, actor);
      throw forbidden(why);
    }
    const window = this.record.status.window;
    const override = {
      actor: actor.name,
      identity: actor,
      reason: args.reason.trim(),
      at: now(),
      until: window?.nextOpen ?? null,
      closed: window?.reason ?? 'the deploy window is closed',
      channel,
      ...(decisionId !== undefined ? { decisionId } : {}),
    };
    this.record.requests.windowOverride = override;
    (this.record.status.windowOverrides ??= []).push(override);
    this.record.requests.decidedBy = actor.name;
    const message = `${actor.name} overrode the closed deploy window (${override.closed}): ${override.reason}`;
    this.record.event('window-override', message, actor);
    this.record.facts.override(OverrideLabel.WindowOverride);
    return { message };
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

  /** What a signed decision about this stage must name (the approval's gate and commit are added). */
  private target(): Partial<DecisionTarget> {
    const { promotionId, pipeline, version, attempt, stage } = this.record.input;
    return { promotionId, pipeline, version, stage: stage.name, attempt };
  }

  /**
   * Who sent the command (command-identity.ts), with where the decision was taken (the signed
   * channel; `cli` for a direct Temporal command, which is unsigned) and the signed decision's id,
   * for the record. When the identity is refused (unverified where a verified person is needed,
   * a decision about another state, a decision used before): a refusal on the record and an
   * error of type Forbidden.
   */
  private async identifyDecision(
    args: OperatorArgs,
    action: DecisionAction,
    needsVerified: boolean,
    expected: () => Partial<DecisionTarget>,
  ): Promise<{ actor: Actor } & Taken> {
    const auth = await authenticate(args, action, needsVerified);
    const why = identityRefusal(auth, action, { ...this.target(), ...expected() }, this.record.requests.decisionIds ?? []);
    if (why !== null) {
      const signed = auth.verified ? { channel: auth.claims.channel ?? DecisionChannel.Cli, decisionId: auth.claims.decisionId } : {};
      this.record.event(`${action}-refused`, why, auth.actor, signed);
      throw forbidden(why);
    }
    if (!auth.verified) return { actor: auth.actor, channel: DecisionChannel.Cli };
    (this.record.requests.decisionIds ??= []).push(auth.claims.decisionId);
    return { actor: auth.actor, channel: auth.claims.channel ?? DecisionChannel.Cli, decisionId: auth.claims.decisionId };
  }

  /** Approvals are accepted even when refused, so that refused attempts are on the record. */
  async decideApproval(action: 'approve' | 'reject', args: OperatorArgs, comment: string): Promise<Ack> {
    this.lastCommandAt = Date.now();
    const pending = this.record.pendingApproval();
    const { actor, channel, decisionId } = await this.identifyDecision(args, action, true, () =>
      pending ? { gate: pending.gate, ...(pending.commit !== undefined ? { commit: pending.commit } : {}) } : {},
    );
    const record = this.record.pendingApproval();
    // Recorded data only (no command): where it was taken, and the signed decision's id.
    const decision = { actor: actor.name, identity: actor, channel, ...(decisionId !== undefined ? { decisionId } : {}), at: now(), comment };
    // Where it was taken and the signed decision's id, for the audit trail.
    const taken = { channel, ...(decisionId !== undefined ? { decisionId } : {}) };
    if (!record || record !== pending) {
      const reason = `stage ${this.stage} is not waiting for approval (it is ${this.record.status.phase})`;
      this.record.event(`${action}-refused`, reason, actor, taken);
      throw ApplicationFailure.nonRetryable(reason, 'Refused');
    }
    // Before identities: the names the gate expanded when it opened, one approval per name.
    const context = patched(VERIFIED_DECISIONS_PATCH) ? await this.gateContext(actor) : null;
    const why = context ? gateDecisionRefusal(record, actor, action, context) : refusal(record, actor.name, action);
    if (why !== null) {
      record.refused.push({ ...decision, action, reason: why });
      this.record.event(`${action}-refused`, why, actor, taken);
      throw context ? forbidden(why) : ApplicationFailure.nonRetryable(why, 'Refused');
    }
    if (action === 'reject') record.rejection = decision;
    else record.approvals.push(decision);
    record.outcome = context ? gateOutcome(record, context) : decide(record);
    if (record.outcome === ApprovalOutcome.Rejected) this.record.facts.failureDetected();
    const count = context ? progress(record, context).summary : `${record.approvals.length}/${record.minApprovals}`;
    const message =
      action === 'reject'
        ? `${actor.name} rejected the ${record.gate} approval${comment ? `: ${comment}` : ''}`
        : `${actor.name} approved the ${record.gate} approval (${count})${comment ? `: ${comment}` : ''}`;
    this.record.event(action === 'reject' ? 'rejected' : 'approved', message, actor, { ...taken, ...(comment ? { reason: comment } : {}) });
    return { message };
  }

  /**
   * What a gate's decisions are judged against (src/domain/gate-decision.ts): the pinned stage
   * and access block, the worker's groups for an unverified name, and who made the release.
   */
  private async gateContext(actor: Actor): Promise<GateContext> {
    const { requester, requestedBy, release, stage, pipeline } = this.record.input;
    return {
      pipeline,
      stage,
      access: this.record.input.access ?? null,
      groups: await this.workerGroups(actor),
      release: { starter: requester ?? (requestedBy ? unverifiedActor(requestedBy) : null), authors: release?.authors ?? [] },
      policyGates: policyGates(this.record.input.policies),
    };
  }

  /**
   * The worker's groups (status.groups), with the access block's groups resolved when an
   * unverified name needs them (a local activity, once per stage); verified people bring their
   * token's groups instead.
   */
  private async workerGroups(actor: Actor): Promise<Groups> {
    const known = this.record.status.groups ?? {};
    if (isVerified(actor)) return known;
    const missing = accessGroups(this.record.input.access ?? null).filter((g) => !(g in known));
    if (missing.length > 0) this.record.status.groups = { ...known, ...(await lookups.resolveGroups(missing)) };
    return this.record.status.groups ?? {};
  }

  /** Why `actor` may not operate this stage (the access block), or null; refusals go on the record as `<action>-refused`. */
  private async checkOperate(actor: Actor, action: DecisionAction, taken: Taken): Promise<void> {
    if (!patched(VERIFIED_DECISIONS_PATCH)) return;
    const why = permissionRefusal({
      permission: Permission.Operate,
      pipeline: this.record.input.pipeline,
      access: this.record.input.access ?? null,
      actor,
      groups: await this.workerGroups(actor),
      stage: this.stage,
    });
    if (why !== null) {
      this.record.event(`${action}-refused`, why, actor, taken);
      throw forbidden(why);
    }
  }

  async resume(args: OperatorArgs): Promise<Ack> {
    this.lastCommandAt = Date.now();
    const inconclusive = this.record.status.pauseReason === PauseReason.InconclusiveAnalysis;
    const { actor, ...taken } = await this.identifyDecision(args, 'resume', inconclusive, () => ({}));
    await this.checkOperate(actor, 'resume', taken);
    if (inconclusive)
      await this.override(
        OverrideKind.Inconclusive,
        actor,
        'resume past an inconclusive analysis',
        this.record.inconclusive ?? 'an inconclusive analysis',
        taken,
      );
    this.record.requests.pause = null;
    this.record.requests.resumes++;
    this.record.requests.decidedBy = actor.name;
    const message = inconclusive ? `${actor.name} overrode the inconclusive analysis and resumed the stage` : `${actor.name} resumed the stage`;
    this.record.event('resumed', message, actor, taken);
    return { message };
  }

  /**
   * Records an override, or refuses it — on the record — when `actor` is not entitled: an
   * approver of the stage's gates (src/domain/override.ts), the access block's granted ones too.
   */
  private async override(kind: OverrideKind, actor: Actor, doing: string, what: string, taken: Taken): Promise<void> {
    const why = patched(VERIFIED_DECISIONS_PATCH)
      ? overrideRefusalFor(actor, this.record.input.stage, this.record.input.access ?? null, groupsOf(await this.workerGroups(actor)), doing)
      : overrideRefusal(overrideEligible(this.record.input.stage, this.record.status.groups ?? {}), actor.name, doing);
    if (why !== null) {
      this.record.event('override-refused', why, actor, taken);
      throw patched(VERIFIED_DECISIONS_PATCH) ? forbidden(why) : ApplicationFailure.nonRetryable(why, 'Refused');
    }
    (this.record.status.overrides ??= []).push({ kind, actor: actor.name, identity: actor, at: now(), what });
    this.record.facts.override(overrideLabel(kind));
    this.record.event('override', `${actor.name} overrode: ${what}`, actor, taken);
  }

  async pause(args: OperatorArgs & { reason?: string }): Promise<Ack> {
    this.lastCommandAt = Date.now();
    const { actor, ...taken } = await this.identifyDecision(args, 'pause', false, () => ({}));
    await this.checkOperate(actor, 'pause', taken);
    this.record.requests.pause = { actor: actor.name, reason: args.reason ?? '' };
    const message = `${actor.name} paused the stage${args.reason ? `: ${args.reason}` : ''}; it stops after the current step`;
    this.record.event('paused', message, actor, taken);
    return { message };
  }

  async skip(args: OperatorArgs & { reason?: string }): Promise<Ack> {
    this.lastCommandAt = Date.now();
    const { actor, ...taken } = await this.identifyDecision(args, 'skip', true, () => ({}));
    await this.checkOperate(actor, 'skip', taken);
    const remaining = this.record.status.steps.filter((s) => s.index >= this.record.status.currentStep).map((s) => s.label);
    await this.override(
      OverrideKind.Skip,
      actor,
      'skip the remaining canary steps',
      `skipped the remaining canary steps (${remaining.join(', ') || 'none'})`,
      taken,
    );
    this.record.requests.skip = { actor: actor.name };
    this.record.requests.decidedBy = actor.name;
    this.record.requests.pause = null;
    const message = `${actor.name} skipped the remaining canary steps${args.reason ? `: ${args.reason}` : ''}; promoting fully`;
    this.record.event('skipped', message, actor, taken);
    return { message };
  }

  /** An abort Update: the caller's identity and permission are established first (an alert's Signal is not: abortRequested). */
  async abort(args: OperatorArgs & { reason: string }): Promise<Ack> {
    this.lastCommandAt = Date.now();
    const { actor, ...taken } = await this.identifyDecision(args, 'abort', false, () => ({}));
    await this.checkOperate(actor, 'abort', taken);
    return this.abortRequested(actor, args.reason, taken);
  }

  /** Records an abort by `actor` (an Actor, or the unverified name of an alert's Signal), with where a signed one was taken. */
  abortRequested(actor: Actor | string, reason: string, taken: Taken | Record<string, never> = {}): Ack {
    this.lastCommandAt = Date.now();
    const name = typeof actor === 'string' ? actor : actor.name;
    this.record.requests.abort = { actor: name, reason };
    this.record.facts.failureDetected();
    const message = `${name} aborted the stage: ${reason}`;
    this.record.event('abort-requested', message, actor, taken);
    return { message };
  }
}
