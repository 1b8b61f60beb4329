/**
 * The flow of one stage's rollout: approval gate, commits, canary steps, analysis, full
 * promotion, and on failure the rollback. The stage workflow (stage.ts) wires the handlers and
 * runs `run()`. Beside it: the record (stage-record.ts), the operator's commands
 * (stage-commands.ts), approvals and overrides (stage-approval.ts), analyses and their
 * verdicts (stage-analysis.ts), webhooks and notifications (stage-webhooks.ts), sync
 * (stage-sync.ts) and the one rollback routine (rollback.ts).
 */
import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import { ApprovalOutcome } from '../src/domain/approval.js';
import { FailureType } from '../src/domain/failure-types.js';
import type { StageChange } from '../src/domain/changes.js';
import { formatDuration } from '../src/domain/duration.js';
import { FailureReason, PauseReason, StagePhase, StepStatus } from '../src/domain/phases.js';
import { canaryStartChanges, fullPromotionChanges, stepKey, weightChanges } from '../src/domain/stage-writes.js';
import type { CanaryStrategySpec } from '../src/schema/pipeline.js';
import { StageAnalysis, Verdict } from './stage-analysis.js';
import { StageApprovals } from './stage-approval.js';
import { gitWrite, quick } from './activity-options.js';
import { rollBack } from './rollback.js';
import { upgradeStageInput, type CurrentStageInput } from './stage-input.js';
import { describeLive, goLive, NotLive, syncOf } from './stage-sync.js';
import { StageCommands } from './stage-commands.js';
import { StagePolicies } from './stage-policies.js';
import { StageWindows } from './stage-windows.js';
import { describeFailure, now, StageRecord, StageStop } from './stage-record.js';
import { StageWebhooks } from './stage-webhooks.js';
import { deliveryTrailers } from './delivery-trailers.js';
import type { StageInput, StageRequests, StageStatus } from './messages.js';

const git = proxyActivities<RampActivities>(gitWrite);
const lookups = proxyActivities<RampActivities>(quick);

/**
 * A stage continues as new only when no command is running or was just handled, also after
 * draining its audit outbox (histories recorded before it continued right after draining).
 */
export const CONTINUE_AFTER_COMMANDS_PATCH = 'continue-after-commands';

/** The `ApplicationFailure.type` behind an activity or child failure, if any. */
function failureType(error: unknown): string | null {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof ApplicationFailure) return current.type ?? null;
  }
  return null;
}

export class StageRollout {
  private readonly record: StageRecord;
  /** The operator's commands; stage.ts wires them to the messages. */
  readonly commands: StageCommands;
  private readonly hooks: StageWebhooks;
  private readonly approvals: StageApprovals;
  private readonly analyses: StageAnalysis;
  private readonly windows: StageWindows;
  private readonly policies: StagePolicies;
  private canaryStarted: boolean;

  constructor(input: StageInput) {
    this.record = new StageRecord(upgradeStageInput(input));
    this.commands = new StageCommands(this.record);
    this.hooks = new StageWebhooks(this.record);
    this.approvals = new StageApprovals(this.record, this.hooks, () => this.continueAsNewIfSuggested());
    this.analyses = new StageAnalysis(this.record, this.approvals);
    this.windows = new StageWindows(this.record, () => this.continueAsNewIfSuggested());
    this.policies = new StagePolicies(this.record, this.approvals, this.windows);
    this.canaryStarted = this.status.commits.length > 0;
  }

  get status(): StageStatus {
    return this.record.status;
  }

  /** Resolves once the stage's decisions are on the audit trail (or given up): before the stage returns. */
  auditDrained(): Promise<void> {
    return this.record.audit.drained();
  }

  private get input(): CurrentStageInput {
    return this.record.input;
  }

  private get requests(): StageRequests {
    return this.record.requests;
  }

  // ------------------------------------------------------------ the flow

  async run(): Promise<void> {
    const { stage } = this.input;
    try {
      // A rollback goes straight to full promotion: the version was live here before (promotion.ts checks).
      const fastTrack = this.input.kind === 'rollback';
      // After continue-as-new the gate may already be approved (skip it) or still pending (resume it).
      const gatePassed = this.status.approvals.some((a) => a.gate === 'gate' && a.outcome === ApprovalOutcome.Approved);
      // Governance (docs/governance.md): soak time and deploy windows, then the stage-start policies.
      await this.windows.beforeStage();
      if (!fastTrack) await this.policies.check('stage-start');
      else {
        const denied = await this.policies.rollbackRefusal();
        if (denied !== null) throw new StageStop(FailureReason.PolicyDenied, denied);
      }
      if (stage.approval && !fastTrack && !gatePassed) await this.approvals.gate(stage.approval, 'gate');
      this.record.setPhase(StagePhase.Progressing, `writing ${this.input.version}`);
      if (!fastTrack && this.status.commits.length === 0) {
        await this.hooks.confirm('confirm-rollout', `the rollout of ${this.input.version}`);
        await this.hooks.gate('pre-rollout');
      }
      if (stage.strategy.kind === 'canary' && !fastTrack) await this.walkCanary(stage.strategy);
      if (fastTrack) for (const step of this.status.steps) step.status = StepStatus.Skipped;
      this.record.checkpointAbort();
      await this.analyses.finishBackground();
      const verification = stage.verification;
      if (verification?.prePromotion && !fastTrack) await this.analyses.run(verification.prePromotion, 'pre-promotion');
      if (!fastTrack) await this.hooks.confirm('confirm-promotion', `the promotion of ${this.input.version} to stable`);
      this.record.checkpointAbort();
      // Full promotion is a write too: a window that closed during the last step holds it.
      if (stage.strategy.kind === 'canary' && !fastTrack) await this.windows.atStepBoundary();
      await this.promoteFully();
      if (verification?.postPromotion && !fastTrack) await this.analyses.run(verification.postPromotion, 'post-promotion');
      this.record.setPhase(StagePhase.Promoted, `${this.input.version} is stable in ${stage.name}`);
      this.record.event('promoted', this.status.message);
      await this.watchDrift();
      await this.hooks.notify('stage-promoted', this.status.message);
      await this.hooks.tell('post-rollout', this.status.message);
    } catch (error) {
      if (error instanceof ContinueAsNew) throw error;
      await this.fail(error);
    }
    this.record.facts.finished();
  }

  /** At a safe point in a long wait: start a fresh run with this state when history is long. */
  private async continueAsNewIfSuggested(): Promise<void> {
    if (!workflowInfo().continueAsNewSuggested) return;
    // Never close the run in the activation that handled a command: the server would tell its
    // sender the update was aborted although it took effect. The next round continues as new.
    if (this.commands.lastCommandAt === Date.now()) return;
    // A running background analysis is a child this run awaits: keep the run until it ends.
    if (this.analyses.backgroundRunning) return;
    await condition(allHandlersFinished);
    await this.record.audit.drained();
    // Draining may await the audit activity: a command that came in meanwhile is still running,
    // or was handled in this very activation. Closing the run now would abort it (its sender is
    // told the update failed although it may have taken effect): the next round continues as new.
    if (patched(CONTINUE_AFTER_COMMANDS_PATCH) && (!allHandlersFinished() || this.commands.lastCommandAt === Date.now())) return;
    this.record.event('continued-as-new', `history reached ${workflowInfo().historyLength} events; continuing in a new run`);
    await continueAsNew<(input: StageInput) => Promise<StageStatus>>({ ...this.input, resume: { status: this.status, requests: this.requests } });
  }

  private async walkCanary(canary: CanaryStrategySpec): Promise<void> {
    for (let i = this.status.currentStep; i < canary.steps.length; i++) {
      const background = canary.analysis;
      if (background && !this.analyses.hasBackground && i + 1 >= background.startingStep) await this.analyses.startBackground(background);
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
        await this.commit(
          [...start, ...withWeight],
          stepKey(this.input.attempt, i, 'canary', step.kind === 'setWeight' ? step.weight : 0),
          `canary ${this.input.version}${step.kind === 'setWeight' ? ` at ${step.weight}%` : ''}`,
        );
        this.canaryStarted = true;
        if (step.kind === 'setWeight') this.status.canaryWeight = step.weight;
      }
      switch (step.kind) {
        case 'setWeight':
          if (this.status.canaryWeight !== step.weight) {
            await this.commit(
              weightChanges(canary, step.weight),
              stepKey(this.input.attempt, i, `setWeight-${step.weight}`),
              `canary ${this.input.version} at ${step.weight}%`,
            );
            this.status.canaryWeight = step.weight;
          }
          break;
        case 'pause':
          await this.pauseStep(step.durationMs);
          break;
        case 'analysis':
          if ((await this.analyses.run(step, `step ${i + 1}`)) === Verdict.Overridden) {
            this.record.finishStep(i, StepStatus.Overridden);
            this.status.currentStep = i + 1;
            continue;
          }
          break;
        case 'approval':
          await this.approvals.gate(step.approval, `step ${i + 1}`);
          break;
        default: {
          const unreachable: never = step;
          throw new Error(`unknown step ${JSON.stringify(unreachable)}`);
        }
      }
      // A pause that a skip ended was not waited out.
      this.record.finishStep(i, step.kind === 'pause' && this.requests.skip ? StepStatus.Skipped : StepStatus.Succeeded);
      this.status.currentStep = i + 1;
    }
  }

  // ------------------------------------------------------------ webhooks (docs/webhooks.md)

  private async promoteFully(): Promise<void> {
    const { stage, attempt, version } = this.input;
    if (this.input.kind !== 'rollback') await this.policies.check('full-promotion');
    this.record.setPhase(StagePhase.Promoting, `promoting ${version} to stable`);
    await this.commit(
      fullPromotionChanges(stage),
      stepKey(attempt, stage.strategy.kind === 'canary' ? 'promote' : 'update'),
      stage.strategy.kind === 'canary' ? `promote ${version} to stable` : `update to ${version}`,
      true,
    );
    this.status.canaryWeight = 0;
  }

  /** A pause step: timed, or until resumed; skip and abort end it early. */
  private async pauseStep(durationMs: number | null): Promise<void> {
    const resumes = this.requests.resumes;
    const until = durationMs === null ? null : Date.now() + durationMs;
    this.status.pauseUntil = until === null ? null : new Date(until).toISOString();
    this.record.setPhase(
      StagePhase.Paused,
      durationMs === null ? 'paused until resumed (ramp resume)' : `paused for ${formatDuration(durationMs)}`,
      PauseReason.CanaryPauseStep,
    );
    const ended = () => this.requests.resumes > resumes || this.requests.abort !== null || this.requests.skip !== null || this.analyses.backgroundDecided();
    if (until === null) {
      // Until resumed: a person's pause, for ramp_gate_wait_seconds.
      this.record.facts.waitStarted('pause');
      await condition(ended);
      this.record.facts.waitEnded('pause');
    } else await condition(ended, Math.max(0, until - Date.now()));
    this.status.pauseUntil = null;
    this.record.checkpointAbort();
    await this.analyses.checkBackground();
    // A deny window that started mid-pause extends it (onClose: pauseAtNextStep).
    if (!this.requests.skip) await this.windows.atPauseEnd();
    this.record.setPhase(StagePhase.Progressing, 'continuing');
  }

  /** Between steps: stop for an operator's pause, honour an abort, act on a background verdict. */
  private async checkpoint(): Promise<void> {
    this.record.checkpointAbort();
    await this.analyses.checkBackground();
    await this.hooks.rollback();
    await this.windows.atStepBoundary();
    if (this.requests.pause) {
      const by = this.requests.pause;
      this.record.setPhase(StagePhase.Paused, `paused by ${by.actor}${by.reason ? `: ${by.reason}` : ''} (ramp resume to continue)`, PauseReason.UserPaused);
      this.record.facts.waitStarted('pause');
      await condition(() => this.requests.pause === null || this.requests.abort !== null);
      this.record.facts.waitEnded('pause');
      this.record.checkpointAbort();
      this.record.setPhase(StagePhase.Progressing, 'continuing');
    }
  }

  /** `fullPromotion`: the `promote` or `update` commit — once on the branch, the release is fully exposed (a DORA deployment). */
  private async commit(changes: StageChange[], step: string, what: string, fullPromotion = false): Promise<void> {
    const { promotionId, pipeline, stage, version, repository, image } = this.input;
    const approvedBy = this.status.approvals.flatMap((a) => (a.outcome === ApprovalOutcome.Approved ? a.approvals.map((d) => d.actor) : []));
    // The person whose command this commit carries out: who resumed, skipped or overrode last, else who asked for the promotion.
    const requestedBy = this.requests.decidedBy ?? this.input.requestedBy;
    if (this.input.kind !== 'rollback') await this.policies.check('commit', { changes, step });
    const result = await this.unlessRewritten(what, () =>
      git.commitStageChange({
        repository,
        stagePath: stage.path,
        image,
        version,
        changes,
        subject: `${pipeline}/${stage.name}: ${what}`,
        trailers: {
          promotion: promotionId,
          stage: stage.name,
          step,
          version,
          ...(approvedBy.length > 0 ? { approvedBy: [...new Set(approvedBy)] } : {}),
          ...(requestedBy ? { requestedBy } : {}),
          ...deliveryTrailers(this.input, this.status.events),
        },
        // Before writing, the worker checks that these are still on the branch (a force-push rewrites them).
        expect: this.status.commits.map((c) => c.sha),
      }),
    );
    this.requests.decidedBy = null;
    // Exposed once pushed, healthy or not: a full promotion that does not become healthy is a change failure, not a catch.
    if (fullPromotion) this.record.facts.fullyPromoted();
    if (result.sha !== null) {
      this.status.commits.push({ sha: result.sha, step, at: now(), ...(result.diff ? { diff: result.diff } : {}) });
      this.record.event('commit', `${what}: ${result.sha.slice(0, 12)}${result.reused ? ' (found from an earlier attempt)' : ''}`);
      await this.waitLive(result.sha, what);
    } else {
      this.record.event('commit', `${what}: the files already said so; nothing to commit`);
    }
  }

  /**
   * Runs a Git write; when the branch no longer holds the commits this stage recorded (a
   * force-push), ramp writes nothing, alerts, and waits for a person: `resume` checks again
   * (after the branch is restored), `abort` gives up.
   */
  private async unlessRewritten<T>(what: string, write: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await write();
      } catch (error) {
        if (failureType(error) !== FailureType.HistoryRewritten) throw error;
        const why = describeFailure(error);
        const resumes = this.requests.resumes;
        const id = this.input.promotionId;
        this.record.event('history-rewritten', `${what}: ${why}`);
        this.record.setPhase(StagePhase.Paused, `${what}: ${why} — ramp resume ${id} checks again; ramp abort ${id} gives up`, PauseReason.HistoryRewritten);
        await this.hooks.notify('history-rewritten', this.status.message);
        await condition(() => this.requests.resumes > resumes || this.requests.abort !== null);
        this.record.checkpointAbort();
        this.record.setPhase(StagePhase.Progressing, `${what}: checking the branch again`);
      }
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
      const result = await goLive({
        repository,
        stage,
        sync,
        sha,
        routing: this.record.canary()?.trafficRouting ?? null,
        stop: () => this.requests.abort !== null,
      });
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
    this.record.facts.failureDetected();
    const running = this.status.steps.find((s) => s.status === StepStatus.Running);
    const stepFailed = reason === FailureReason.StepFailed || reason === FailureReason.AnalysisFailed;
    if (running) this.record.finishStep(running.index, stepFailed ? StepStatus.Failed : StepStatus.Skipped);
    this.record.event('failed', message);

    const toRevert = this.status.commits.filter((c) => !this.status.reverts.some((r) => r.reverted === c.sha));
    if (toRevert.length === 0) {
      this.record.setPhase(StagePhase.RolledBack, `${message}; nothing had been written to Git`);
    } else if (!this.input.stage.rollback.automatic) {
      this.record.setPhase(
        StagePhase.Failed,
        `${message}; automatic rollback is off, so Git keeps ${toRevert.length} commit(s) of ${this.input.version}. Roll back with ramp rollback`,
      );
    } else {
      this.record.setPhase(StagePhase.RollingBack, `${message}; reverting ${toRevert.length} commit(s)`);
      // A rollback ramp starts on a failure is a decision too (who caused it, when a person did: the aborter or the rejecter).
      const causedBy = this.requests.abort?.actor ?? this.status.approvals.find((a) => a.rejection)?.rejection?.identity;
      this.record.audited({ kind: 'rollback-started', message: this.status.message, ...(causedBy !== undefined ? { actor: causedBy } : {}), reason: message });
      await this.rollBack(toRevert.map((c) => c.sha).reverse(), message);
    }
    this.record.event(this.status.phase === StagePhase.RolledBack ? 'rolled-back' : 'rollback-failed', this.status.message);
    await CancellationScope.nonCancellable(() => this.watchDrift());
    await CancellationScope.nonCancellable(async () => {
      await this.hooks.notify('stage-rolled-back', this.status.message);
      await this.hooks.tell('post-rollout', this.status.message).catch(() => {});
    });
  }

  /** Runs the one rollback routine (rollback.ts) on this stage's commits and records what it did. */
  private async rollBack(newestFirst: string[], message: string): Promise<void> {
    const { promotionId, stage, attempt, version, repository } = this.input;
    // Who caused the rollback, if a person did: the aborter or the rejecter (not a failed analysis).
    const requestedBy = this.requests.abort?.actor ?? this.status.approvals.find((a) => a.rejection)?.rejection?.actor;
    const denied = await this.policies.rollbackRefusal();
    if (denied !== null) {
      const shas = newestFirst.map((sha) => sha.slice(0, 12)).join(' ');
      this.record.setPhase(
        StagePhase.Failed,
        `${message}; a policy refused the rollback (${denied}), so Git keeps the commits. Revert by hand if you must: git revert ${shas}`,
      );
      return;
    }
    try {
      const outcome = await rollBack({
        repository,
        promotion: promotionId,
        stage,
        step: stepKey(attempt, 'rollback'),
        version,
        commits: newestFirst,
        reason: message,
        ...(requestedBy ? { requestedBy } : {}),
        ...(this.status.failureDetectedAt ? { detectedAt: this.status.failureDetectedAt } : {}),
      });
      this.record.facts.rolledBack(
        this.status.failure?.reason ?? FailureReason.StepFailed,
        outcome.revertedAtMs,
        outcome.notLive === null ? outcome.liveAtMs : null,
      );
      for (const r of outcome.reverts) {
        this.status.reverts.push({ ...r, at: now() });
        this.record.event('revert', `reverted ${r.reverted.slice(0, 12)} with ${r.sha.slice(0, 12)}`);
      }
      this.status.canaryWeight = 0;
      let cluster = '';
      if (outcome.live) {
        this.status.live = { sha: outcome.live.sha, at: now(), message: describeLive(outcome.live) };
        this.record.event('live', `rollback: ${outcome.live.sha.slice(0, 12)} is live and healthy: ${this.status.live.message}`);
        cluster = ' and the cluster is healthy on it';
      } else if (outcome.notLive !== null) {
        this.record.event('rollback-not-live', `rollback: the cluster did not become healthy on Git's state: ${outcome.notLive}`);
        cluster = `, but the cluster did not become healthy on it: ${outcome.notLive}`;
      }
      this.record.setPhase(StagePhase.RolledBack, `${message}; Git is back where it was (${this.status.reverts.length} revert commit(s))${cluster}`);
    } catch (revertError) {
      if (failureType(revertError) === FailureType.HistoryRewritten) {
        this.status.failure = { reason: FailureReason.HistoryRewritten, message: `${message}; ${describeFailure(revertError)}` };
        this.record.setPhase(
          StagePhase.Failed,
          `${message}; the rollback wrote nothing: the branch no longer holds ramp's commits (rewritten by a force-push?): ${describeFailure(revertError)}. What the branch says now is what goes live: check it`,
        );
        await CancellationScope.nonCancellable(() => this.hooks.notify('history-rewritten', this.status.message));
        return;
      }
      const shas = newestFirst.map((sha) => sha.slice(0, 12)).join(' ');
      this.record.setPhase(StagePhase.Failed, `${message}; the rollback failed too (${describeFailure(revertError)}). Revert by hand: git revert ${shas}`);
    }
  }

  /** With drift detection: (re)start the environment's drift watch with this stage's spec. Best effort. */
  private async watchDrift(): Promise<void> {
    const { stage, pipeline, repository } = this.input;
    if (!stage.drift || !syncOf(stage)) return;
    try {
      const id = await lookups.watchDrift({ pipeline, repository, stage });
      this.record.event('drift-watch', `drift watch ${id} compares ${stage.name} with Git every ${formatDuration(stage.drift.intervalMs)}`);
    } catch (error) {
      log.warn(`could not start the drift watch of ${stage.name}: ${describeFailure(error)}`);
    }
  }
}
