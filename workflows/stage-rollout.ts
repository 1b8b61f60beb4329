/**
 * The state of one stage's rollout and every transition of it. The stage workflow wires the
 * handlers and runs `run()`; this class owns the status, validates operator commands, and
 * records every decision.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  startChild,
  type ChildWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import { ApprovalOutcome, decide, eligibleApprovers, refusal, type ApprovalRecord } from '../src/domain/approval.js';
import type { StageChange } from '../src/domain/changes.js';
import { formatDuration } from '../src/domain/duration.js';
import { FailureReason, PauseReason, StagePhase, StepStatus, TERMINAL_STAGE_PHASES } from '../src/domain/phases.js';
import { canaryStartChanges, fullPromotionChanges, routingLabels, stepKey, stepLabel, weightChanges } from '../src/domain/plan.js';
import type { ApprovalSpec, CanaryStrategySpec, StageSpec, WebhookSpec } from '../src/schema/pipeline.js';
import type { WebhookPayload } from '../activities/webhooks.js';
import { AnalysisPhase } from '../src/domain/analysis/phases.js';
import { resolveAnalysis, type AnalysisRefSpec } from '../src/domain/analysis-ref.js';
import { analysisWorkflow, terminateAnalysisSignal, type AnalysisInput, type AnalysisResult } from './analysis.js';
import { gitRollback, gitWrite, notification, quick, webhook } from './activity-options.js';
import { describeLive, goLive, NotLive, syncOf } from './stage-sync.js';
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
  type StageInput,
  type StageRequests,
  type StageStatus,
} from './messages.js';

const git = proxyActivities<RampActivities>(gitWrite);
const rollbackGit = proxyActivities<RampActivities>(gitRollback);
const lookups = proxyActivities<RampActivities>(quick);
const notifier = proxyActivities<RampActivities>(notification);
const hooks = proxyActivities<RampActivities>(webhook);

/** Ends the normal flow of a stage: abort, rejection or approval timeout. */
class StageStop extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

const now = (): string => new Date(Date.now()).toISOString();

/** The canary's background analysis: its child workflow and, once it ends, its result. */
interface Background {
  label: string;
  handle: ChildWorkflowHandle<typeof analysisWorkflow>;
  result: AnalysisResult | null;
  /** Whether the stage has acted on the result. */
  judged: boolean;
}

export class StageRollout {
  readonly status: StageStatus;
  private readonly requests: StageRequests;
  private canaryStarted = false;
  /** Workflow time of the last operator command handled (workflow time is fixed per activation). */
  private lastCommandAt = -1;
  private background: Background | null = null;

  constructor(private readonly input: StageInput) {
    this.status = input.resume?.status ?? this.initialStatus();
    this.requests = input.resume?.requests ?? { abort: null, pause: null, skip: null, resumes: 0 };
    this.canaryStarted = this.status.commits.length > 0;
  }

  // ------------------------------------------------------------ handlers

  registerHandlers(): void {
    setHandler(stageStatusQuery, () => this.status);
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
    if (args.promotionId !== this.input.promotionId) {
      throw new Error(`environment ${this.input.stage.name} is running promotion ${this.input.promotionId}, not ${args.promotionId}`);
    }
    if (TERMINAL_STAGE_PHASES.includes(this.status.phase)) {
      throw new Error(`stage ${this.input.stage.name} of ${this.input.promotionId} has already finished (${this.status.phase})`);
    }
  }

  private validateResume(args: OperatorArgs): void {
    this.validateCommand(args);
    if (this.status.phase !== StagePhase.Paused) throw new Error(`stage ${this.input.stage.name} is not paused (it is ${this.status.phase})`);
    if (this.status.pauseReason === PauseReason.AwaitingApproval) {
      throw new Error(`stage ${this.input.stage.name} waits for approval, which resume cannot give. Use ramp approve`);
    }
  }

  private validatePause(args: OperatorArgs): void {
    this.validateCommand(args);
    if (this.requests.pause) throw new Error(`stage ${this.input.stage.name} is already paused by ${this.requests.pause.actor}`);
    if (this.status.strategy !== 'canary') throw new Error(`stage ${this.input.stage.name} is direct: there are no steps to pause between`);
    if (this.status.phase !== StagePhase.Progressing && this.status.phase !== StagePhase.Paused) {
      throw new Error(`stage ${this.input.stage.name} cannot pause while ${this.status.phase}`);
    }
  }

  private validateSkip(args: OperatorArgs): void {
    this.validateCommand(args);
    if (this.status.strategy !== 'canary') throw new Error(`stage ${this.input.stage.name} is direct: there are no canary steps to skip`);
    if (this.status.phase === StagePhase.AwaitingApproval) throw new Error(`stage ${this.input.stage.name} waits for its approval gate; approve it first`);
    if (this.status.phase !== StagePhase.Progressing && this.status.phase !== StagePhase.Paused) {
      throw new Error(`stage ${this.input.stage.name} cannot skip while ${this.status.phase}`);
    }
    const approvalStep = this.canary()?.steps.findIndex((s, i) => i >= this.status.currentStep && s.kind === 'approval') ?? -1;
    if (approvalStep >= 0) {
      throw new Error(`skipping would bypass the approval at step ${approvalStep + 1}; approve it first, then skip`);
    }
    if (this.requests.skip) throw new Error(`${this.requests.skip.actor} has already asked to skip`);
  }

  private abortRefusal(args: OperatorArgs): string | null {
    try {
      this.validateCommand(args);
    } catch (error) {
      return (error as Error).message;
    }
    if (this.requests.abort) return `stage ${this.input.stage.name} is already aborting (${this.requests.abort.actor}: ${this.requests.abort.reason})`;
    if (this.status.phase === StagePhase.RollingBack) return `stage ${this.input.stage.name} is already rolling back`;
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
    const record = this.pendingApproval();
    const decision = { actor, at: now(), comment };
    if (!record) {
      const reason = `stage ${this.input.stage.name} is not waiting for approval (it is ${this.status.phase})`;
      this.event(`${action}-refused`, reason, actor);
      throw ApplicationFailure.nonRetryable(reason, 'Refused');
    }
    const why = refusal(record, actor, action);
    if (why !== null) {
      record.refused.push({ ...decision, action, reason: why });
      this.event(`${action}-refused`, why, actor);
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
    this.event(action === 'reject' ? 'rejected' : 'approved', message, actor);
    return { message };
  }

  private resume(args: OperatorArgs): Ack {
    this.lastCommandAt = Date.now();
    this.requests.pause = null;
    this.requests.resumes++;
    const message = `${args.actor} resumed the stage`;
    this.event('resumed', message, args.actor);
    return { message };
  }

  private pause(args: OperatorArgs & { reason?: string }): Ack {
    this.lastCommandAt = Date.now();
    this.requests.pause = { actor: args.actor, reason: args.reason ?? '' };
    const message = `${args.actor} paused the stage${args.reason ? `: ${args.reason}` : ''}; it stops after the current step`;
    this.event('paused', message, args.actor);
    return { message };
  }

  private skip(args: OperatorArgs): Ack {
    this.lastCommandAt = Date.now();
    this.requests.skip = { actor: args.actor };
    this.requests.pause = null;
    const message = `${args.actor} skipped the remaining canary steps; promoting fully`;
    this.event('skipped', message, args.actor);
    return { message };
  }

  private abort(args: OperatorArgs & { reason: string }): Ack {
    this.lastCommandAt = Date.now();
    this.requests.abort = { actor: args.actor, reason: args.reason };
    const message = `${args.actor} aborted the stage: ${args.reason}`;
    this.event('abort-requested', message, args.actor);
    return { message };
  }

  // ------------------------------------------------------------ the flow

  async run(): Promise<void> {
    const { stage } = this.input;
    try {
      const fastTrack = this.input.fastTrack === true;
      // After continue-as-new the gate may already be approved (skip it) or still pending (resume it).
      const gatePassed = this.status.approvals.some((a) => a.gate === 'gate' && a.outcome === ApprovalOutcome.Approved);
      if (stage.approval && !fastTrack && !gatePassed) await this.approvalGate(stage.approval, 'gate');
      this.setPhase(StagePhase.Progressing, `writing ${this.input.version}`);
      if (!fastTrack && this.status.commits.length === 0) {
        await this.confirmHooks('confirm-rollout', `the rollout of ${this.input.version}`);
        await this.gateHooks('pre-rollout');
      }
      if (stage.strategy.kind === 'canary' && !fastTrack) await this.walkCanary(stage.strategy);
      if (fastTrack) for (const step of this.status.steps) step.status = StepStatus.Skipped;
      this.checkpointAbort();
      await this.finishBackground();
      const verification = (stage as Partial<typeof stage>).verification; // absent in specs pinned before verification existed
      if (verification?.prePromotion && !fastTrack) await this.analysis(verification.prePromotion, 'pre-promotion');
      if (!fastTrack) await this.confirmHooks('confirm-promotion', `the promotion of ${this.input.version} to stable`);
      this.checkpointAbort();
      await this.promoteFully();
      if (verification?.postPromotion && !fastTrack) await this.analysis(verification.postPromotion, 'post-promotion');
      this.setPhase(StagePhase.Promoted, `${this.input.version} is stable in ${stage.name}`);
      this.event('promoted', this.status.message);
      await this.watchDrift();
      await this.tell('stage-promoted', this.status.message);
      await this.tellHooks('post-rollout', this.status.message);
    } catch (error) {
      if (error instanceof ContinueAsNew) throw error;
      await this.fail(error);
    }
  }

  /** At a safe point in a long wait: start a fresh run with this state when history is long. */
  private async continueAsNewIfSuggested(): Promise<void> {
    if (!workflowInfo().continueAsNewSuggested) return;
    // Never close the run in the activation that handled a command: the server would tell its
    // sender the update was aborted although it took effect. The next round continues as new.
    if (this.lastCommandAt === Date.now()) return;
    // A running background analysis is a child this run awaits: keep the run until it ends.
    if (this.background && !this.background.result) return;
    await condition(allHandlersFinished);
    this.event('continued-as-new', `history reached ${workflowInfo().historyLength} events; continuing in a new run`);
    await continueAsNew<(input: StageInput) => Promise<StageStatus>>({ ...this.input, resume: { status: this.status, requests: this.requests } });
  }

  private async walkCanary(canary: CanaryStrategySpec): Promise<void> {
    for (let i = this.status.currentStep; i < canary.steps.length; i++) {
      const background = (canary as Partial<CanaryStrategySpec>).analysis; // absent in specs pinned before it existed
      if (background && !this.background && i + 1 >= background.startingStep) await this.startBackground(background);
      await this.checkpoint();
      if (this.requests.skip) {
        for (let j = i; j < canary.steps.length; j++) this.status.steps[j]!.status = StepStatus.Skipped;
        break;
      }
      this.status.currentStep = i;
      const step = canary.steps[i]!;
      this.startStep(i);
      await this.gateHooks('rollout');
      if (step.kind === 'setWeight' && step.weight > this.status.canaryWeight) {
        await this.confirmHooks('confirm-traffic-increase', `${step.weight}% of traffic to ${this.input.version}`);
      }
      if (!this.canaryStarted) {
        const start = canaryStartChanges(canary);
        const withWeight = step.kind === 'setWeight' ? weightChanges(canary, step.weight) : [];
        await this.commit([...start, ...withWeight], stepKey(this.input.attempt, i, 'canary', step.kind === 'setWeight' ? step.weight : 0), `canary ${this.input.version}${step.kind === 'setWeight' ? ` at ${step.weight}%` : ''}`);
        this.canaryStarted = true;
        if (step.kind === 'setWeight') this.status.canaryWeight = step.weight;
      }
      switch (step.kind) {
        case 'setWeight':
          if (this.status.canaryWeight !== step.weight) {
            await this.commit(weightChanges(canary, step.weight), stepKey(this.input.attempt, i, `setWeight-${step.weight}`), `canary ${this.input.version} at ${step.weight}%`);
            this.status.canaryWeight = step.weight;
          }
          break;
        case 'pause':
          await this.pauseStep(step.durationMs);
          break;
        case 'analysis':
          await this.analysis(step, `step ${i + 1}`);
          break;
        case 'approval':
          await this.approvalGate(step.approval, `step ${i + 1}`);
          break;
        default: {
          const unreachable: never = step;
          throw new Error(`unknown step ${JSON.stringify(unreachable)}`);
        }
      }
      this.finishStep(i, StepStatus.Succeeded);
      this.status.currentStep = i + 1;
    }
  }

  /**
   * Runs an analysis as a child workflow and acts on its verdict: Successful continues; Failed
   * or Error fails the stage (rollback); Inconclusive pauses for a human — `resume` continues,
   * `abort` rolls back.
   */
  private async analysis(ref: AnalysisRefSpec, where: string): Promise<void> {
    const { label, input } = this.prepareAnalysis(ref, where);
    const result = await executeChild(analysisWorkflow, { workflowId: this.analysisWorkflowId(where), args: [input] });
    await this.verdict(label, result);
  }

  private prepareAnalysis(ref: AnalysisRefSpec, where: string): { label: string; input: AnalysisInput } {
    const { pipeline, stage, version, image } = this.input;
    const routing = stage.strategy.kind === 'canary' ? stage.strategy.trafficRouting : undefined;
    const labels = routingLabels(routing);
    const resolved = resolveAnalysis(ref, this.input.analysisTemplates ?? [], { pipeline, stage: stage.name, version, image, ...labels });
    if (resolved.missing.length > 0) throw new StageStop(FailureReason.AnalysisFailed, `analysis templates ${resolved.missing.join(', ')} are not in the pipeline`);
    const label = `${where}: analysis ${ref.templates.join(', ')}`;
    this.event('analysis-started', `${label} (${resolved.metrics.length} metric(s)${resolved.judges.length > 0 ? `, ${resolved.judges.length} judge(s)` : ''})`);
    return { label, input: { label, metrics: resolved.metrics, judges: resolved.judges, args: resolved.args } };
  }

  private analysisWorkflowId(where: string): string {
    return `${workflowInfo().workflowId}/${this.input.attempt}/${where.replaceAll(' ', '-')}`;
  }

  /** Acts on an analysis result: Successful continues; Inconclusive waits for a human; else fails. */
  private async verdict(label: string, result: AnalysisResult): Promise<void> {
    (this.status.analyses ??= []).push(result);
    const verdict = `${label}: ${result.phase}${result.message ? ` — ${result.message}` : ''}`;
    this.event('analysis', verdict);
    if (result.phase === AnalysisPhase.Successful) return;
    if (result.phase === AnalysisPhase.Inconclusive) {
      const resumes = this.requests.resumes;
      this.setPhase(StagePhase.Paused, `${verdict}. ramp resume ${this.input.promotionId} continues, ramp abort rolls back`, PauseReason.InconclusiveAnalysis);
      await condition(() => this.requests.resumes > resumes || this.requests.abort !== null);
      this.checkpointAbort();
      this.setPhase(StagePhase.Progressing, 'continuing after an inconclusive analysis');
      return;
    }
    throw new StageStop(FailureReason.AnalysisFailed, verdict);
  }

  /** Starts the canary's background analysis; it runs until full promotion or a verdict. */
  private async startBackground(ref: AnalysisRefSpec): Promise<void> {
    const { label, input } = this.prepareAnalysis(ref, 'background');
    const handle = await startChild(analysisWorkflow, { workflowId: this.analysisWorkflowId('background'), args: [input] });
    const background: Background = { label, handle, result: null, judged: false };
    this.background = background;
    handle.result().then(
      (result) => {
        background.result = result;
      },
      (error: unknown) => {
        background.result = { label, phase: AnalysisPhase.Error, message: `the analysis workflow failed: ${describeFailure(error)}`, metrics: [], runSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 }, dryRunSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 }, startedAt: now(), finishedAt: now() };
      },
    );
  }

  /** Whether the background analysis ended badly and the stage has not acted on it yet (wakes pauses). */
  private backgroundDecided(): boolean {
    const result = this.background?.result;
    return result !== null && result !== undefined && result.phase !== AnalysisPhase.Successful && !this.background!.judged;
  }

  /** Acts on the background analysis's verdict once it has one. */
  private async checkBackground(): Promise<void> {
    const background = this.background;
    if (!background?.result || background.judged) return;
    background.judged = true;
    await this.verdict(background.label, background.result);
  }

  /** At full promotion: ends the background analysis (what violated no limit counts as passed) and acts on it. */
  private async finishBackground(): Promise<void> {
    const background = this.background;
    if (!background) return;
    if (!background.result) {
      await background.handle.signal(terminateAnalysisSignal, 'the canary reached full promotion');
      await condition(() => background.result !== null);
    }
    await this.checkBackground();
  }

  // ------------------------------------------------------------ webhooks (docs/webhooks.md)

  private hooksOf(type: WebhookSpec['type']): WebhookSpec[] {
    // `webhooks` is absent in specs pinned before webhooks existed.
    return ((this.input.stage as Partial<StageSpec>).webhooks ?? []).filter((h) => h.type === type);
  }

  private hookPayload(message?: string): WebhookPayload {
    const { pipeline, stage, promotionId, version } = this.input;
    return { pipeline, stage: stage.name, promotionId, version, phase: this.status.phase, ...(message ? { message } : {}) };
  }

  /** pre-rollout and rollout hooks: a hook that does not answer 2xx (after its retries) fails the stage. */
  private async gateHooks(type: 'pre-rollout' | 'rollout'): Promise<void> {
    for (const hook of this.hooksOf(type)) {
      const answer = await hooks.callWebhook({ hook, payload: this.hookPayload() });
      this.event('webhook', `${type} webhook ${hook.name}: ${answer.ok ? `HTTP ${answer.status}` : answer.error}`);
      if (!answer.ok) throw new StageStop(FailureReason.WebhookFailed, `${type} webhook ${hook.name} failed: ${answer.error}`);
    }
  }

  /** confirm-* hooks: wait, asking again every interval, until every one answers 2xx. */
  private async confirmHooks(type: 'confirm-rollout' | 'confirm-traffic-increase' | 'confirm-promotion', what: string): Promise<void> {
    const pending = this.hooksOf(type);
    let waited = false;
    while (pending.length > 0) {
      for (const hook of [...pending]) {
        const answer = await hooks.callWebhook({ hook, payload: this.hookPayload() });
        if (answer.ok) {
          pending.splice(pending.indexOf(hook), 1);
          this.event('webhook', `${type} webhook ${hook.name} confirmed ${what}`);
        } else if (!waited) {
          this.event('webhook', `${type} webhook ${hook.name} has not confirmed ${what} yet (${answer.error}); asking again every ${formatDuration(hook.intervalMs)}`);
        }
      }
      if (pending.length === 0) break;
      waited = true;
      const previous = { phase: this.status.phase, message: this.status.message, reason: this.status.pauseReason };
      this.setPhase(StagePhase.Paused, `waiting for ${type} webhook(s) ${pending.map((h) => h.name).join(', ')} to confirm ${what}`, PauseReason.AwaitingConfirmation);
      await condition(() => this.requests.abort !== null, Math.min(...pending.map((h) => h.intervalMs)));
      this.checkpointAbort();
      this.setPhase(previous.phase, previous.message, previous.reason);
    }
  }

  /** rollback hooks: asked between steps; a 2xx answer aborts the canary. */
  private async rollbackHooks(): Promise<void> {
    for (const hook of this.hooksOf('rollback')) {
      const answer = await hooks.callWebhook({ hook, payload: this.hookPayload() });
      if (answer.ok) throw new StageStop(FailureReason.WebhookFailed, `rollback webhook ${hook.name} asked to roll back (HTTP ${answer.status})`);
    }
  }

  /** post-rollout and event hooks only tell; their answers never change the stage. */
  private async tellHooks(type: 'post-rollout' | 'event', message: string): Promise<void> {
    for (const hook of this.hooksOf(type)) {
      const answer = await hooks.callWebhook({ hook, payload: this.hookPayload(message) });
      if (!answer.ok) log.warn(`${type} webhook ${hook.name}: ${answer.error ?? 'failed'}`);
    }
  }

  private async promoteFully(): Promise<void> {
    const { stage, attempt, version } = this.input;
    this.setPhase(StagePhase.Promoting, `promoting ${version} to stable`);
    await this.commit(fullPromotionChanges(stage), stepKey(attempt, stage.strategy.kind === 'canary' ? 'promote' : 'update'), stage.strategy.kind === 'canary' ? `promote ${version} to stable` : `update to ${version}`);
    this.status.canaryWeight = 0;
  }

  /** A pause step: timed, or until resumed; skip and abort end it early. */
  private async pauseStep(durationMs: number | null): Promise<void> {
    const resumes = this.requests.resumes;
    const until = durationMs === null ? null : Date.now() + durationMs;
    this.status.pauseUntil = until === null ? null : new Date(until).toISOString();
    this.setPhase(StagePhase.Paused, durationMs === null ? 'paused until resumed (ramp resume)' : `paused for ${formatDuration(durationMs)}`, PauseReason.CanaryPauseStep);
    const ended = () => this.requests.resumes > resumes || this.requests.abort !== null || this.requests.skip !== null || this.backgroundDecided();
    if (until === null) await condition(ended);
    else await condition(ended, Math.max(0, until - Date.now()));
    this.status.pauseUntil = null;
    this.checkpointAbort();
    await this.checkBackground();
    this.setPhase(StagePhase.Progressing, 'continuing');
  }

  /** Between steps: stop for an operator's pause, honour an abort, act on a background verdict. */
  private async checkpoint(): Promise<void> {
    this.checkpointAbort();
    await this.checkBackground();
    await this.rollbackHooks();
    if (this.requests.pause) {
      const by = this.requests.pause;
      this.setPhase(StagePhase.Paused, `paused by ${by.actor}${by.reason ? `: ${by.reason}` : ''} (ramp resume to continue)`, PauseReason.UserPaused);
      await condition(() => this.requests.pause === null || this.requests.abort !== null);
      this.checkpointAbort();
      this.setPhase(StagePhase.Progressing, 'continuing');
    }
  }

  private checkpointAbort(): void {
    const abort = this.requests.abort;
    if (abort) throw new StageStop(FailureReason.Aborted, `aborted by ${abort.actor}: ${abort.reason}`);
  }

  /** Waits for an approval; returns when approved, throws StageStop when rejected or timed out. */
  private async approvalGate(approval: ApprovalSpec, gate: string): Promise<void> {
    // After continue-as-new the gate's record is already here, still pending.
    let record = this.pendingApproval();
    if (record?.gate !== gate) {
      const groups = approval.approvers.filter((a) => a.kind === 'group').map((a) => a.name);
      const members = groups.length > 0 ? await lookups.resolveGroups(groups) : {};
      const deadlineMs = approval.timeoutMs === null ? null : Date.now() + approval.timeoutMs;
      record = {
        gate,
        approvals: [],
        rejection: null,
        refused: [],
        eligible: eligibleApprovers(approval, members),
        minApprovals: approval.minApprovals,
        deadline: deadlineMs === null ? null : new Date(deadlineMs).toISOString(),
        outcome: ApprovalOutcome.Pending,
      };
      this.status.approvals.push(record);
    }
    const waiting = `waiting for ${approval.minApprovals} approval(s) from ${record.eligible.join(', ') || '(nobody)'}`;
    if (gate === 'gate') this.setPhase(StagePhase.AwaitingApproval, waiting);
    else this.setPhase(StagePhase.Paused, waiting, PauseReason.AwaitingApproval);
    if (record.approvals.length === 0 && !this.status.events.some((e) => e.kind === 'approval-waiting' && e.message.startsWith(`${gate} approval`))) {
      this.event('approval-waiting', `${gate} approval: ${waiting}`);
      await this.tell('approval-waiting', `${this.input.stage.name} ${gate}: ${waiting}`);
    }
    const current = record;

    const settled = () => current.outcome !== ApprovalOutcome.Pending || this.requests.abort !== null;
    for (;;) {
      const deadline = current.deadline === null ? null : Date.parse(current.deadline);
      if (deadline === null) await condition(settled);
      else await condition(settled, Math.max(0, deadline - Date.now()));
      if (settled() || approval.onTimeout === 'reject') break;
      // onTimeout: remind — tell people again and keep waiting, one more timeout each round.
      this.event('approval-reminder', `${gate} approval still waiting after ${formatDuration(approval.timeoutMs ?? 0)}`);
      await this.tell('approval-reminder', `${this.input.stage.name} ${gate}: still ${waiting}`);
      current.deadline = new Date(Date.now() + (approval.timeoutMs ?? 0)).toISOString();
      await this.continueAsNewIfSuggested();
    }
    this.checkpointAbort();
    if (record.outcome === ApprovalOutcome.Pending) {
      record.outcome = ApprovalOutcome.TimedOut;
      throw new StageStop(FailureReason.ApprovalTimedOut, `the ${gate} approval timed out after ${formatDuration(approval.timeoutMs ?? 0)}`);
    }
    if (record.outcome === ApprovalOutcome.Rejected) {
      const by = record.rejection!;
      throw new StageStop(FailureReason.Rejected, `rejected by ${by.actor}${by.comment ? `: ${by.comment}` : ''}`);
    }
    this.event('approval-granted', `${gate} approval granted by ${record.approvals.map((d) => d.actor).join(', ')}`);
  }

  private async commit(changes: StageChange[], step: string, what: string): Promise<void> {
    const { promotionId, pipeline, stage, version, repository, image } = this.input;
    const approvedBy = this.status.approvals.flatMap((a) => (a.outcome === ApprovalOutcome.Approved ? a.approvals.map((d) => d.actor) : []));
    const result = await git.commitStageChange({
      repository,
      stagePath: stage.path,
      image,
      version,
      changes,
      subject: `${pipeline}/${stage.name}: ${what}`,
      trailers: { promotion: promotionId, stage: stage.name, step, version, ...(approvedBy.length > 0 ? { approvedBy: [...new Set(approvedBy)] } : {}) },
    });
    if (result.sha !== null) {
      this.status.commits.push({ sha: result.sha, step, at: now() });
      this.event('commit', `${what}: ${result.sha.slice(0, 12)}${result.reused ? ' (found from an earlier attempt)' : ''}`);
      await this.waitLive(result.sha, what);
    } else {
      this.event('commit', `${what}: the files already said so; nothing to commit`);
    }
  }

  /**
   * With a sync mode: the commit is applied (or its agent applied it), every workload rolled
   * out healthy and the live traffic weights equal Git's — or the stage fails (NotHealthy).
   * An abort stops the wait.
   */
  private async waitLive(sha: string, what: string): Promise<void> {
    const { stage, repository } = this.input;
    const sync = syncOf(stage);
    if (!sync) return;
    const message = this.status.message;
    this.status.message = `${what}: waiting for ${sha.slice(0, 12)} to be live and healthy (sync ${sync.mode}, up to ${formatDuration(sync.timeoutMs)})`;
    try {
      const result = await goLive({ repository, stage, sync, sha, routing: this.canary()?.trafficRouting ?? null, stop: () => this.requests.abort !== null });
      this.status.live = { sha: result.sha, at: now(), message: describeLive(result) };
      this.event('live', `${what}: ${result.sha.slice(0, 12)} is live and healthy: ${this.status.live.message}`);
      this.status.message = message;
    } catch (error) {
      this.checkpointAbort();
      if (error instanceof NotLive) throw new StageStop(FailureReason.NotHealthy, `${what} did not become live and healthy: ${error.message}`);
      throw error;
    }
  }

  // ------------------------------------------------------------ failure and rollback

  private async fail(error: unknown): Promise<void> {
    const stop = error instanceof StageStop ? error : null;
    const reason = stop?.reason ?? (isCancellation(error) ? FailureReason.Aborted : FailureReason.StepFailed);
    const message = stop?.message ?? (isCancellation(error) ? 'the promotion was cancelled' : describeFailure(error));
    this.status.failure = { reason, message };
    const running = this.status.steps.find((s) => s.status === StepStatus.Running);
    const stepFailed = reason === FailureReason.StepFailed || reason === FailureReason.AnalysisFailed;
    if (running) this.finishStep(running.index, stepFailed ? StepStatus.Failed : StepStatus.Skipped);
    this.event('failed', message);

    const toRevert = this.status.commits.filter((c) => !this.status.reverts.some((r) => r.reverted === c.sha));
    if (toRevert.length === 0) {
      this.setPhase(StagePhase.RolledBack, `${message}; nothing had been written to Git`);
    } else if (!this.input.stage.rollback.automatic) {
      this.setPhase(StagePhase.Failed, `${message}; automatic rollback is off, so Git keeps ${toRevert.length} commit(s) of ${this.input.version}. Roll back with ramp rollback`);
    } else {
      this.setPhase(StagePhase.RollingBack, `${message}; reverting ${toRevert.length} commit(s)`);
      try {
        await CancellationScope.nonCancellable(() => this.revert(toRevert.map((c) => c.sha).reverse(), message));
        this.status.canaryWeight = 0;
        const cluster = await CancellationScope.nonCancellable(() => this.rollbackLive());
        this.setPhase(StagePhase.RolledBack, `${message}; Git is back where it was (${this.status.reverts.length} revert commit(s))${cluster}`);
      } catch (revertError) {
        const shas = toRevert.map((c) => c.sha.slice(0, 12)).reverse().join(' ');
        this.setPhase(StagePhase.Failed, `${message}; the rollback failed too (${describeFailure(revertError)}). Revert by hand: git revert ${shas}`);
      }
    }
    this.event(this.status.phase === StagePhase.RolledBack ? 'rolled-back' : 'rollback-failed', this.status.message);
    await CancellationScope.nonCancellable(() => this.watchDrift());
    await CancellationScope.nonCancellable(async () => {
      await this.tell('stage-rolled-back', this.status.message);
      await this.tellHooks('post-rollout', this.status.message).catch(() => {});
    });
  }

  /** With drift detection: (re)start the environment's drift watch with this stage's spec. Best effort. */
  private async watchDrift(): Promise<void> {
    const { stage, pipeline, repository } = this.input;
    if (!(stage as Partial<StageSpec>).drift || !syncOf(stage)) return;
    try {
      const id = await lookups.watchDrift({ pipeline, repository, stage });
      this.event('drift-watch', `drift watch ${id} compares ${stage.name} with Git every ${formatDuration(stage.drift!.intervalMs)}`);
    } catch (error) {
      log.warn(`could not start the drift watch of ${stage.name}: ${describeFailure(error)}`);
    }
  }

  /** After the reverts, with a sync mode: the cluster back on Git's state. Returns a clause for the status. */
  private async rollbackLive(): Promise<string> {
    const { stage, repository } = this.input;
    const sync = syncOf(stage);
    if (!sync) return '';
    const sha = this.status.reverts[this.status.reverts.length - 1]?.sha ?? null;
    try {
      const result = await goLive({ repository, stage, sync, sha, routing: this.canary()?.trafficRouting ?? null });
      this.status.live = { sha: result.sha, at: now(), message: describeLive(result) };
      this.event('live', `rollback: ${result.sha.slice(0, 12)} is live and healthy: ${this.status.live.message}`);
      return ' and the cluster is healthy on it';
    } catch (error) {
      const why = error instanceof NotLive ? error.message : describeFailure(error);
      this.event('rollback-not-live', `rollback: the cluster did not become healthy on Git's state: ${why}`);
      return `, but the cluster did not become healthy on it: ${why}`;
    }
  }

  private async revert(newestFirst: string[], reason: string): Promise<void> {
    const { promotionId, stage, attempt, version, repository } = this.input;
    const result = await rollbackGit.revertStageCommits({
      repository,
      promotion: promotionId,
      stage: stage.name,
      step: stepKey(attempt, 'rollback'),
      version,
      commits: newestFirst,
      reason,
    });
    for (const r of result.reverts) {
      this.status.reverts.push({ ...r, at: now() });
      this.event('revert', `reverted ${r.reverted.slice(0, 12)} with ${r.sha.slice(0, 12)}`);
    }
  }

  // ------------------------------------------------------------ bookkeeping

  private canary(): CanaryStrategySpec | null {
    return this.input.stage.strategy.kind === 'canary' ? this.input.stage.strategy : null;
  }

  private pendingApproval(): ApprovalRecord | undefined {
    const last = this.status.approvals[this.status.approvals.length - 1];
    return last?.outcome === ApprovalOutcome.Pending ? last : undefined;
  }

  private setPhase(phase: StagePhase, message: string, pauseReason: PauseReason | null = null): void {
    this.status.phase = phase;
    this.status.message = message;
    this.status.pauseReason = phase === StagePhase.Paused ? pauseReason : null;
  }

  private startStep(index: number): void {
    const step = this.status.steps[index]!;
    step.status = StepStatus.Running;
    step.startedAt ??= now();
  }

  private finishStep(index: number, status: StepStatus): void {
    const step = this.status.steps[index]!;
    step.status = status;
    step.finishedAt = now();
  }

  private event(kind: string, message: string, actor?: string): void {
    this.status.events.push({ at: now(), kind, message, ...(actor ? { actor } : {}) });
  }

  private async tell(kind: 'approval-waiting' | 'approval-reminder' | 'stage-promoted' | 'stage-rolled-back', message: string): Promise<void> {
    try {
      await notifier.notify({ kind, promotionId: this.input.promotionId, pipeline: this.input.pipeline, stage: this.input.stage.name, version: this.input.version, message });
      await this.tellHooks('event', `${kind}: ${message}`);
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.warn('notification failed', { error: describeFailure(error) });
    }
  }

  private initialStatus(): StageStatus {
    const { promotionId, pipeline, stage, version, attempt } = this.input;
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
}

/** The innermost message of an activity or child failure, for people. */
export function describeFailure(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(error);
}
