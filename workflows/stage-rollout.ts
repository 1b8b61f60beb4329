/**
 * The flow of one stage's rollout: approval gate, commits, canary steps, analysis, full
 * promotion, and on failure the rollback. The stage workflow wires the handlers and runs
 * `run()`. The record (stage-record.ts), the operator's commands (stage-commands.ts), the
 * webhooks and notifications (stage-webhooks.ts) and sync (stage-sync.ts) live beside it.
 */
import {
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
  workflowInfo,
} from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import { ApprovalOutcome, eligibleApprovers } from '../src/domain/approval.js';
import type { StageChange } from '../src/domain/changes.js';
import { formatDuration } from '../src/domain/duration.js';
import { FailureReason, PauseReason, StagePhase, StepStatus } from '../src/domain/phases.js';
import { canaryStartChanges, fullPromotionChanges, routingLabels, stepKey, weightChanges } from '../src/domain/plan.js';
import type { ApprovalSpec, CanaryStrategySpec, StageSpec } from '../src/schema/pipeline.js';
import { AnalysisPhase } from '../src/domain/analysis/phases.js';
import { resolveAnalysis, type AnalysisRefSpec } from '../src/domain/analysis-ref.js';
import { analysisWorkflow, terminateAnalysisSignal, type AnalysisInput, type AnalysisResult } from './analysis.js';
import { gitRollback, gitWrite, quick } from './activity-options.js';
import { describeLive, goLive, NotLive, syncOf } from './stage-sync.js';
import { StageCommands } from './stage-commands.js';
import { describeFailure, now, StageRecord, StageStop } from './stage-record.js';
import { StageWebhooks } from './stage-webhooks.js';
import type { StageInput, StageRequests, StageStatus } from './messages.js';

const git = proxyActivities<RampActivities>(gitWrite);
const rollbackGit = proxyActivities<RampActivities>(gitRollback);
const lookups = proxyActivities<RampActivities>(quick);

/** The canary's background analysis: its child workflow and, once it ends, its result. */
interface Background {
  label: string;
  handle: ChildWorkflowHandle<typeof analysisWorkflow>;
  result: AnalysisResult | null;
  /** Whether the stage has acted on the result. */
  judged: boolean;
}

export class StageRollout {
  private readonly record: StageRecord;
  private readonly commands: StageCommands;
  private readonly hooks: StageWebhooks;
  private canaryStarted: boolean;
  private background: Background | null = null;

  constructor(input: StageInput) {
    this.record = new StageRecord(input);
    this.commands = new StageCommands(this.record);
    this.hooks = new StageWebhooks(this.record);
    this.canaryStarted = this.status.commits.length > 0;
  }

  get status(): StageStatus {
    return this.record.status;
  }

  private get input(): StageInput {
    return this.record.input;
  }

  private get requests(): StageRequests {
    return this.record.requests;
  }

  /** The status query and the operator's updates and signals (stage-commands.ts). */
  registerHandlers(): void {
    this.commands.register();
  }

  // ------------------------------------------------------------ the flow

  async run(): Promise<void> {
    const { stage } = this.input;
    try {
      const fastTrack = this.input.fastTrack === true;
      // After continue-as-new the gate may already be approved (skip it) or still pending (resume it).
      const gatePassed = this.status.approvals.some((a) => a.gate === 'gate' && a.outcome === ApprovalOutcome.Approved);
      if (stage.approval && !fastTrack && !gatePassed) await this.approvalGate(stage.approval, 'gate');
      this.record.setPhase(StagePhase.Progressing, `writing ${this.input.version}`);
      if (!fastTrack && this.status.commits.length === 0) {
        await this.hooks.confirm('confirm-rollout', `the rollout of ${this.input.version}`);
        await this.hooks.gate('pre-rollout');
      }
      if (stage.strategy.kind === 'canary' && !fastTrack) await this.walkCanary(stage.strategy);
      if (fastTrack) for (const step of this.status.steps) step.status = StepStatus.Skipped;
      this.record.checkpointAbort();
      await this.finishBackground();
      const verification = (stage as Partial<typeof stage>).verification; // absent in specs pinned before verification existed
      if (verification?.prePromotion && !fastTrack) await this.analysis(verification.prePromotion, 'pre-promotion');
      if (!fastTrack) await this.hooks.confirm('confirm-promotion', `the promotion of ${this.input.version} to stable`);
      this.record.checkpointAbort();
      await this.promoteFully();
      if (verification?.postPromotion && !fastTrack) await this.analysis(verification.postPromotion, 'post-promotion');
      this.record.setPhase(StagePhase.Promoted, `${this.input.version} is stable in ${stage.name}`);
      this.record.event('promoted', this.status.message);
      await this.watchDrift();
      await this.hooks.notify('stage-promoted', this.status.message);
      await this.hooks.tell('post-rollout', this.status.message);
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
    if (this.commands.lastCommandAt === Date.now()) return;
    // A running background analysis is a child this run awaits: keep the run until it ends.
    if (this.background && !this.background.result) return;
    await condition(allHandlersFinished);
    this.record.event('continued-as-new', `history reached ${workflowInfo().historyLength} events; continuing in a new run`);
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
      this.record.startStep(i);
      await this.hooks.gate('rollout');
      if (step.kind === 'setWeight' && step.weight > this.status.canaryWeight) {
        await this.hooks.confirm('confirm-traffic-increase', `${step.weight}% of traffic to ${this.input.version}`);
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
      this.record.finishStep(i, StepStatus.Succeeded);
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
    this.record.event('analysis-started', `${label} (${resolved.metrics.length} metric(s)${resolved.judges.length > 0 ? `, ${resolved.judges.length} judge(s)` : ''})`);
    return { label, input: { label, metrics: resolved.metrics, judges: resolved.judges, args: resolved.args } };
  }

  private analysisWorkflowId(where: string): string {
    return `${workflowInfo().workflowId}/${this.input.attempt}/${where.replaceAll(' ', '-')}`;
  }

  /** Acts on an analysis result: Successful continues; Inconclusive waits for a human; else fails. */
  private async verdict(label: string, result: AnalysisResult): Promise<void> {
    (this.status.analyses ??= []).push(result);
    const verdict = `${label}: ${result.phase}${result.message ? ` — ${result.message}` : ''}`;
    this.record.event('analysis', verdict);
    if (result.phase === AnalysisPhase.Successful) return;
    if (result.phase === AnalysisPhase.Inconclusive) {
      const resumes = this.requests.resumes;
      this.record.setPhase(StagePhase.Paused, `${verdict}. ramp resume ${this.input.promotionId} continues, ramp abort rolls back`, PauseReason.InconclusiveAnalysis);
      await condition(() => this.requests.resumes > resumes || this.requests.abort !== null);
      this.record.checkpointAbort();
      this.record.setPhase(StagePhase.Progressing, 'continuing after an inconclusive analysis');
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

  private async promoteFully(): Promise<void> {
    const { stage, attempt, version } = this.input;
    this.record.setPhase(StagePhase.Promoting, `promoting ${version} to stable`);
    await this.commit(fullPromotionChanges(stage), stepKey(attempt, stage.strategy.kind === 'canary' ? 'promote' : 'update'), stage.strategy.kind === 'canary' ? `promote ${version} to stable` : `update to ${version}`);
    this.status.canaryWeight = 0;
  }

  /** A pause step: timed, or until resumed; skip and abort end it early. */
  private async pauseStep(durationMs: number | null): Promise<void> {
    const resumes = this.requests.resumes;
    const until = durationMs === null ? null : Date.now() + durationMs;
    this.status.pauseUntil = until === null ? null : new Date(until).toISOString();
    this.record.setPhase(StagePhase.Paused, durationMs === null ? 'paused until resumed (ramp resume)' : `paused for ${formatDuration(durationMs)}`, PauseReason.CanaryPauseStep);
    const ended = () => this.requests.resumes > resumes || this.requests.abort !== null || this.requests.skip !== null || this.backgroundDecided();
    if (until === null) await condition(ended);
    else await condition(ended, Math.max(0, until - Date.now()));
    this.status.pauseUntil = null;
    this.record.checkpointAbort();
    await this.checkBackground();
    this.record.setPhase(StagePhase.Progressing, 'continuing');
  }

  /** Between steps: stop for an operator's pause, honour an abort, act on a background verdict. */
  private async checkpoint(): Promise<void> {
    this.record.checkpointAbort();
    await this.checkBackground();
    await this.hooks.rollback();
    if (this.requests.pause) {
      const by = this.requests.pause;
      this.record.setPhase(StagePhase.Paused, `paused by ${by.actor}${by.reason ? `: ${by.reason}` : ''} (ramp resume to continue)`, PauseReason.UserPaused);
      await condition(() => this.requests.pause === null || this.requests.abort !== null);
      this.record.checkpointAbort();
      this.record.setPhase(StagePhase.Progressing, 'continuing');
    }
  }

  /** Waits for an approval; returns when approved, throws StageStop when rejected or timed out. */
  private async approvalGate(approval: ApprovalSpec, gate: string): Promise<void> {
    // After continue-as-new the gate's record is already here, still pending.
    let record = this.record.pendingApproval();
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
    if (gate === 'gate') this.record.setPhase(StagePhase.AwaitingApproval, waiting);
    else this.record.setPhase(StagePhase.Paused, waiting, PauseReason.AwaitingApproval);
    if (record.approvals.length === 0 && !this.status.events.some((e) => e.kind === 'approval-waiting' && e.message.startsWith(`${gate} approval`))) {
      this.record.event('approval-waiting', `${gate} approval: ${waiting}`);
      await this.hooks.notify('approval-waiting', `${this.input.stage.name} ${gate}: ${waiting}`);
    }
    const current = record;

    const settled = () => current.outcome !== ApprovalOutcome.Pending || this.requests.abort !== null;
    for (;;) {
      const deadline = current.deadline === null ? null : Date.parse(current.deadline);
      if (deadline === null) await condition(settled);
      else await condition(settled, Math.max(0, deadline - Date.now()));
      if (settled() || approval.onTimeout === 'reject') break;
      // onTimeout: remind — tell people again and keep waiting, one more timeout each round.
      this.record.event('approval-reminder', `${gate} approval still waiting after ${formatDuration(approval.timeoutMs ?? 0)}`);
      await this.hooks.notify('approval-reminder', `${this.input.stage.name} ${gate}: still ${waiting}`);
      current.deadline = new Date(Date.now() + (approval.timeoutMs ?? 0)).toISOString();
      await this.continueAsNewIfSuggested();
    }
    this.record.checkpointAbort();
    if (record.outcome === ApprovalOutcome.Pending) {
      record.outcome = ApprovalOutcome.TimedOut;
      throw new StageStop(FailureReason.ApprovalTimedOut, `the ${gate} approval timed out after ${formatDuration(approval.timeoutMs ?? 0)}`);
    }
    if (record.outcome === ApprovalOutcome.Rejected) {
      const by = record.rejection!;
      throw new StageStop(FailureReason.Rejected, `rejected by ${by.actor}${by.comment ? `: ${by.comment}` : ''}`);
    }
    this.record.event('approval-granted', `${gate} approval granted by ${record.approvals.map((d) => d.actor).join(', ')}`);
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
      this.record.event('commit', `${what}: ${result.sha.slice(0, 12)}${result.reused ? ' (found from an earlier attempt)' : ''}`);
      await this.waitLive(result.sha, what);
    } else {
      this.record.event('commit', `${what}: the files already said so; nothing to commit`);
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
      const result = await goLive({ repository, stage, sync, sha, routing: this.record.canary()?.trafficRouting ?? null, stop: () => this.requests.abort !== null });
      this.status.live = { sha: result.sha, at: now(), message: describeLive(result) };
      this.record.event('live', `${what}: ${result.sha.slice(0, 12)} is live and healthy: ${this.status.live.message}`);
      this.status.message = message;
    } catch (error) {
      this.record.checkpointAbort();
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
    if (running) this.record.finishStep(running.index, stepFailed ? StepStatus.Failed : StepStatus.Skipped);
    this.record.event('failed', message);

    const toRevert = this.status.commits.filter((c) => !this.status.reverts.some((r) => r.reverted === c.sha));
    if (toRevert.length === 0) {
      this.record.setPhase(StagePhase.RolledBack, `${message}; nothing had been written to Git`);
    } else if (!this.input.stage.rollback.automatic) {
      this.record.setPhase(StagePhase.Failed, `${message}; automatic rollback is off, so Git keeps ${toRevert.length} commit(s) of ${this.input.version}. Roll back with ramp rollback`);
    } else {
      this.record.setPhase(StagePhase.RollingBack, `${message}; reverting ${toRevert.length} commit(s)`);
      try {
        await CancellationScope.nonCancellable(() => this.revert(toRevert.map((c) => c.sha).reverse(), message));
        this.status.canaryWeight = 0;
        const cluster = await CancellationScope.nonCancellable(() => this.rollbackLive());
        this.record.setPhase(StagePhase.RolledBack, `${message}; Git is back where it was (${this.status.reverts.length} revert commit(s))${cluster}`);
      } catch (revertError) {
        const shas = toRevert.map((c) => c.sha.slice(0, 12)).reverse().join(' ');
        this.record.setPhase(StagePhase.Failed, `${message}; the rollback failed too (${describeFailure(revertError)}). Revert by hand: git revert ${shas}`);
      }
    }
    this.record.event(this.status.phase === StagePhase.RolledBack ? 'rolled-back' : 'rollback-failed', this.status.message);
    await CancellationScope.nonCancellable(() => this.watchDrift());
    await CancellationScope.nonCancellable(async () => {
      await this.hooks.notify('stage-rolled-back', this.status.message);
      await this.hooks.tell('post-rollout', this.status.message).catch(() => {});
    });
  }

  /** With drift detection: (re)start the environment's drift watch with this stage's spec. Best effort. */
  private async watchDrift(): Promise<void> {
    const { stage, pipeline, repository } = this.input;
    if (!(stage as Partial<StageSpec>).drift || !syncOf(stage)) return;
    try {
      const id = await lookups.watchDrift({ pipeline, repository, stage });
      this.record.event('drift-watch', `drift watch ${id} compares ${stage.name} with Git every ${formatDuration(stage.drift!.intervalMs)}`);
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
      const result = await goLive({ repository, stage, sync, sha, routing: this.record.canary()?.trafficRouting ?? null });
      this.status.live = { sha: result.sha, at: now(), message: describeLive(result) };
      this.record.event('live', `rollback: ${result.sha.slice(0, 12)} is live and healthy: ${this.status.live.message}`);
      return ' and the cluster is healthy on it';
    } catch (error) {
      const why = error instanceof NotLive ? error.message : describeFailure(error);
      this.record.event('rollback-not-live', `rollback: the cluster did not become healthy on Git's state: ${why}`);
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
      this.record.event('revert', `reverted ${r.reverted.slice(0, 12)} with ${r.sha.slice(0, 12)}`);
    }
  }
}
