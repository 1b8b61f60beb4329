/**
 * The state and flow of one promotion (the promotion workflow, promotion.ts, wires its
 * messages): the stages in order, each a child workflow; waiting for a busy environment; after
 * a failed stage, `retry` or `abort`, or with `rollback.scope: promotion` the earlier stages
 * rolled back through the one rollback routine; a rollback only to a version that was live.
 */
import { Permission, accessGroups, permissionRefusal } from '../src/domain/permissions.js';
import type { Groups } from '../src/domain/approval.js';
import { isVerified } from '../src/identity/actor.js';
import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { RampActivities } from '../activities/contract.js';
import { FailureReason, PromotionPhase, StagePhase } from '../src/domain/phases.js';
import { stepKey } from '../src/domain/stage-writes.js';
import { rollbackRefusal, stableField, stableValue } from '../src/domain/rollback.js';
import type { PinnedPolicy, StageSpec } from '../src/schema/pipeline.js';
import { POLICIES_PATCH } from './stage-policies.js';
import { notification, preflight, quick } from './activity-options.js';
import { rollBack, type RollbackOutcome } from './rollback.js';
import { describeLive } from './stage-sync.js';
import {
  DEFAULT_SETTINGS,
  abortSignal,
  stageWorkflowId,
  type Ack,
  type OperatorArgs,
  type PromotionInput,
  type PromotionStatus,
  type StageStatus,
  type StageSummary,
} from './messages.js';
import { PROMOTION_ABORTED, PROMOTION_FAILS_PATCH, promotionAborted } from './promotion-outcome.js';
import { promotionAttributes, publishAttributes } from './search-attributes.js';
import { stageWorkflow } from './stage.js';
import { observe } from './observe.js';
import { elapsedMs, RollbackCause } from '../src/observability/fact-labels.js';
import type { PromotionSettings } from './messages.js';
import { actorFields, describeFailure } from './stage-record.js';
import { VERIFIED_DECISIONS_PATCH, authenticate, forbidden, identityRefusal } from './command-identity.js';
import { DecisionChannel, type DecisionAction } from '../src/identity/decision.js';
import { AuditOutbox } from './audit-outbox.js';
import { isDecisionKind } from '../src/audit/record.js';
import type { AuditContext } from './stage-record.js';
import type { Actor } from '../src/identity/actor.js';

const lookups = proxyActivities<RampActivities>(quick);
/** How many commits of a stage's stable file a rollback reads to find the versions that were live there. */
const ROLLBACK_HISTORY = 500;
const notifier = proxyActivities<RampActivities>(notification);
const checks = proxyActivities<RampActivities>(preflight);
/** From update handlers: local, so that a command is answered without a round of activity tasks. */
const groupLookups = proxyLocalActivities<RampActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } });

const now = (): string => new Date(Date.now()).toISOString();

export class PromotionRun {
  readonly status: PromotionStatus;
  private readonly settings: PromotionSettings;
  private readonly promotionId: string;
  private readonly stages: StageSpec[];
  private child: ChildWorkflowHandle<typeof stageWorkflow> | null = null;
  private abortRequest: { actor: string; reason: string } | null = null;
  /** The ids of the signed decisions this promotion has taken (each counts once; not kept across continue-as-new: Temporal's update ids are). */
  private readonly decisionIds: string[] = [];
  /** The worker's groups of the access block, once resolved (for unverified names). */
  private groups: Groups | null = null;
  private retryRequest: { actor: string } | null = null;
  private environmentPolls = 0;
  /** Decisions on their way to the audit trail (docs/governance.md#audit-trail). */
  private readonly audit: AuditOutbox;
  /** The policies pinned when the promotion started (docs/governance.md); null before policies were pinned. */
  private pinnedPolicies: PinnedPolicy[] | null;

  constructor(private readonly input: PromotionInput) {
    this.audit = new AuditOutbox(input.pipeline.repository);
    this.audit.onFailure = (message) => this.event('audit-write-failed', message);
    this.settings = { ...DEFAULT_SETTINGS, ...input.settings };
    this.pinnedPolicies = input.pinnedPolicies ?? null;
    this.promotionId = workflowInfo().workflowId;
    this.stages = input.pipeline.stages.filter((s) => !input.stages || input.stages.includes(s.name));
    this.status = input.resume?.status ?? {
      promotionId: this.promotionId,
      pipeline: input.pipeline.name,
      version: input.version,
      kind: input.kind,
      requestedBy: input.requestedBy,
      phase: PromotionPhase.Running,
      message: `promoting ${input.version} through ${this.stages.map((s) => s.name).join(' → ')}`,
      activeStage: null,
      waitingFor: null,
      stages: this.stages.map((s) => ({ name: s.name, workflowId: stageWorkflowId(input.pipeline.name, s.name), attempt: 0, phase: 'Pending', result: null })),
      startedAt: now(),
      finishedAt: null,
      events: [],
    };
    if (!input.resume)
      this.event(
        'started',
        `${input.requestedBy} asked to ${input.kind} ${input.pipeline.name} ${input.version}${input.reason ? `: ${input.reason}` : ''}`,
        input.requestedBy,
      );
    this.publish();
  }

  /** Appends to the record; a decision also goes to the audit trail (the promotion's request: establishRequester). */
  private event(kind: string, message: string, actor?: Actor | string, context: AuditContext = {}): void {
    this.status.events.push({ at: now(), kind, message, ...actorFields(actor) });
    if (kind !== 'started' && isDecisionKind(kind)) this.audited(kind, message, actor, context);
  }

  private audited(kind: string, message: string, actor: Actor | string | undefined, context: AuditContext): void {
    const stage = this.status.activeStage?.name ?? this.status.stages.find((s) => s.phase !== StagePhase.Promoted)?.name ?? null;
    this.audit.add({
      kind,
      message,
      ...(actor !== undefined ? { actor } : {}),
      promotionId: this.promotionId,
      pipeline: this.input.pipeline.name,
      stage,
      ...context,
    });
  }

  /** Shows the phase in Temporal's visibility (ramp list, the UI); call after every change of phase or stage. */
  private publish(): void {
    const { status, input } = this;
    publishAttributes(
      promotionAttributes({
        pipeline: input.pipeline.name,
        version: input.version,
        phase: status.phase,
        stage: status.activeStage?.name ?? status.waitingFor?.stage ?? status.stages.filter((s) => s.attempt > 0).at(-1)?.name ?? null,
        heldBy: status.waitingFor?.heldBy ?? null,
      }),
    );
  }

  // ------------------------------------------------------------ the operator's commands

  private checkTarget(args: OperatorArgs): void {
    if (args.promotionId !== this.promotionId) throw new Error(`this is promotion ${this.promotionId}, not ${args.promotionId}`);
  }

  /** As the CLI says it for a closed promotion (cli/connection.ts). */
  private alreadyFinished(): string {
    return `promotion ${this.promotionId} has already finished (${this.status.phase}: ${this.status.message}); see ramp status ${this.promotionId}`;
  }

  validateAbort(args: OperatorArgs & { reason: string }): void {
    this.checkTarget(args);
    if (this.status.finishedAt !== null) throw new Error(this.alreadyFinished());
    if (this.abortRequest) throw new Error(`promotion ${this.promotionId} is already aborting (${this.abortRequest.actor}: ${this.abortRequest.reason})`);
    if (args.reason.trim() === '') throw new Error('say why: an abort needs a reason (--reason)');
  }

  /**
   * Who sent a command to the promotion (command-identity.ts); a refused identity is recorded
   * and answered with an error of type Forbidden.
   */
  private async identify(args: OperatorArgs, action: DecisionAction): Promise<{ actor: Actor; taken: AuditContext }> {
    const auth = await authenticate(args, action, false);
    const { pipeline, version } = this.status;
    // Where it was taken and the signed decision's id, for the audit trail.
    const taken: AuditContext = auth.verified ? { channel: auth.claims.channel ?? DecisionChannel.Cli, decisionId: auth.claims.decisionId } : {};
    const why = identityRefusal(auth, action, { promotionId: this.promotionId, pipeline, version }, this.decisionIds);
    if (why !== null) {
      this.event(`${action}-refused`, why, auth.actor, taken);
      throw forbidden(why);
    }
    if (auth.verified) this.decisionIds.push(auth.claims.decisionId);
    const refused = await this.permissionRefusal(auth.actor, Permission.Operate, this.status.stages.find((s) => s.phase !== StagePhase.Promoted)?.name ?? null);
    if (refused !== null) {
      this.event(`${action}-refused`, refused, auth.actor, taken);
      throw forbidden(refused);
    }
    return { actor: auth.actor, taken };
  }

  /**
   * Why `actor` may not do `permission` (on `stage`; null: the whole promotion), by the pinned
   * pipeline's access block (src/domain/permissions.ts); unverified names are looked up in the
   * worker's groups file (a local activity, once). Before identities: never refused.
   */
  private async permissionRefusal(actor: Actor, permission: Exclude<Permission, 'approve'>, stage: string | null): Promise<string | null> {
    if (!patched(VERIFIED_DECISIONS_PATCH)) return null;
    const access = this.input.pipeline.access ?? null;
    if (!isVerified(actor) && this.groups === null) {
      const names = accessGroups(access);
      this.groups = names.length > 0 ? await groupLookups.resolveGroups(names) : {};
    }
    return permissionRefusal({ permission, pipeline: this.input.pipeline.name, access, actor, groups: this.groups ?? {}, stage });
  }

  async abort(args: OperatorArgs & { reason: string }): Promise<Ack> {
    const { actor, taken } = await this.identify(args, 'abort');
    return this.abortFor(actor, args.reason, taken);
  }

  /** Records an abort by `actor` and passes it on to the running stage. */
  private async abortFor(actor: Actor | string, reason: string, taken: AuditContext = {}): Promise<Ack> {
    const name = typeof actor === 'string' ? actor : actor.name;
    this.abortRequest = { actor: name, reason };
    this.event('abort-requested', `${name} aborted the promotion: ${reason}`, actor, { ...taken, reason });
    if (this.child && this.status.activeStage) {
      await this.child.signal(abortSignal, { actor: name, reason, promotionId: this.promotionId });
      return { message: `aborting stage ${this.status.activeStage.name}: it rolls back, then the promotion ends` };
    }
    return { message: `promotion ${this.promotionId} aborted` };
  }

  /** The abort Signal (alerts): ignored when it is not for this promotion, or too late. */
  abortSignalled(args: OperatorArgs & { reason: string }): void {
    if (args.promotionId === this.promotionId && this.status.finishedAt === null && !this.abortRequest) void this.abortFor(args.actor, args.reason);
  }

  validateRetry(args: OperatorArgs): void {
    this.checkTarget(args);
    // Finished but not yet closed (telling people): the same answer as once it is closed.
    if (this.status.finishedAt !== null) throw new Error(this.alreadyFinished());
    if (this.status.phase !== PromotionPhase.Failed) throw new Error(`promotion ${this.promotionId} has no failed stage to retry (it is ${this.status.phase})`);
  }

  async retry(args: OperatorArgs): Promise<Ack> {
    const { actor, taken } = await this.identify(args, 'retry');
    this.retryRequest = { actor: actor.name };
    const stage = this.status.stages.find((s) => s.phase !== StagePhase.Promoted)!;
    this.event('retry', `${actor.name} retries stage ${stage.name}`, actor, taken);
    return { message: `retrying stage ${stage.name} (attempt ${stage.attempt + 1})` };
  }

  // ------------------------------------------------------------ the flow

  private async finish(phase: PromotionPhase, message: string): Promise<PromotionStatus> {
    this.status.phase = phase;
    this.status.message = message;
    this.status.activeStage = null;
    this.status.waitingFor = null;
    this.status.finishedAt = now();
    observe({
      kind: 'promotion-finished',
      pipeline: this.input.pipeline.name,
      promotionKind: this.input.kind,
      outcome: phase,
      durationMs: elapsedMs(this.status.startedAt, Date.now()) ?? 0,
    });
    this.event(phase === PromotionPhase.Succeeded ? 'succeeded' : 'aborted', message);
    this.publish();
    await CancellationScope.nonCancellable(async () => {
      try {
        await notifier.notify({
          kind: 'promotion-finished',
          promotionId: this.promotionId,
          pipeline: this.input.pipeline.name,
          stage: null,
          version: this.input.version,
          message,
        });
      } catch {
        // best effort
      }
    });
    await condition(allHandlersFinished);
    await CancellationScope.nonCancellable(() => this.audit.drained());
    // Not succeeded: fail the run, so that Temporal does not show it as a green COMPLETED.
    if (phase !== PromotionPhase.Succeeded && patched(PROMOTION_FAILS_PATCH)) throw promotionAborted(this.status);
    return this.status;
  }

  async run(): Promise<PromotionStatus> {
    try {
      if (!this.input.resume) {
        // Once per promotion: a run that continued as new was started already.
        observe({ kind: 'promotion-started', pipeline: this.input.pipeline.name, promotionKind: this.input.kind });
        const refused = await this.establishRequester();
        if (refused !== null) return await this.finish(PromotionPhase.Aborted, `nothing was changed: ${refused}`);
        try {
          await checks.readHistory({ repository: this.input.pipeline.repository, limit: 1 });
        } catch (error) {
          if (isCancellation(error)) throw error;
          return await this.finish(PromotionPhase.Aborted, `nothing was changed: ${describeFailure(error)}`);
        }
        if (patched(POLICIES_PATCH)) {
          // Pinned like the pipeline: the policies of this moment hold for the whole promotion.
          try {
            this.pinnedPolicies = await checks.loadPolicies({ pipeline: this.input.pipeline.name, policies: this.input.pipeline.policies ?? [] });
          } catch (error) {
            if (isCancellation(error)) throw error;
            return await this.finish(PromotionPhase.Aborted, `nothing was changed: ${describeFailure(error)}`);
          }
          if (this.pinnedPolicies.length > 0)
            this.event(
              'policies-pinned',
              `policies pinned: ${this.pinnedPolicies.map((p) => `${p.name} (${(p.hash ?? '').slice(0, 12)}, ${p.source ?? 'pipeline'})`).join(', ')}`,
            );
        }
        if (this.input.kind === 'rollback' && patched('rollback-only-to-a-live-version')) {
          const refused = await this.rollbackRefused();
          if (refused !== null) {
            this.event('rollback-refused', refused, this.input.requestedBy);
            return await this.finish(PromotionPhase.Aborted, `nothing was changed: ${refused}`);
          }
        }
      }
      for (const [index, stage] of this.stages.entries()) {
        if (index < (this.input.resume?.stageIndex ?? 0)) continue;
        const summary = this.status.stages[index]!;
        for (;;) {
          if (this.abortRequest)
            return await this.finish(PromotionPhase.Aborted, `aborted by ${this.abortRequest.actor} before stage ${stage.name}: ${this.abortRequest.reason}`);
          const result = await this.runStage(stage, summary);
          if (result === null) {
            // Environment busy: waited; keep the history short while waiting long.
            if (workflowInfo().continueAsNewSuggested) {
              await condition(allHandlersFinished);
              await this.audit.drained();
              this.event('continued-as-new', `history reached ${workflowInfo().historyLength} events while waiting; continuing in a new run`);
              await continueAsNew<(input: PromotionInput) => Promise<PromotionStatus>>({
                ...this.input,
                ...(this.pinnedPolicies ? { pinnedPolicies: this.pinnedPolicies } : {}),
                resume: { status: this.status, stageIndex: index },
              });
            }
            continue;
          }
          if (result.phase === StagePhase.Promoted) break;

          const reason = result.failure?.reason ?? FailureReason.StepFailed;
          if (stage.rollback.scope === 'promotion' && index > 0) {
            await this.revertEarlierStages(index, result.failure?.message ?? 'a later stage failed', result.failureDetectedAt ?? now());
            return await this.finish(PromotionPhase.Aborted, `stage ${stage.name} failed (${result.message}); earlier stages were rolled back too`);
          }
          if (this.abortRequest || reason !== FailureReason.StepFailed) {
            return await this.finish(PromotionPhase.Aborted, `stage ${stage.name}: ${result.message}`);
          }
          this.status.phase = PromotionPhase.Failed;
          this.status.message = `stage ${stage.name} failed: ${result.message}. ramp retry ${this.promotionId} re-runs it; ramp abort ends the promotion`;
          this.retryRequest = null;
          this.publish();
          const decided = await condition(() => this.retryRequest !== null || this.abortRequest !== null, this.settings.retryWindowMs);
          if (!decided || this.abortRequest) {
            return await this.finish(
              PromotionPhase.Aborted,
              decided
                ? `aborted by ${this.abortRequest!.actor} after stage ${stage.name} failed: ${this.abortRequest!.reason}`
                : `stage ${stage.name} failed and nobody retried it within ${this.settings.retryWindowMs / 1000}s`,
            );
          }
          this.status.phase = PromotionPhase.Running;
          this.publish();
        }
      }
      return await this.finish(PromotionPhase.Succeeded, `${this.input.version} is stable in ${this.stages.map((s) => s.name).join(', ')}`);
    } catch (error) {
      if (isCancellation(error) || error instanceof ContinueAsNew) throw error;
      if (error instanceof ApplicationFailure && error.type === PROMOTION_ABORTED) throw error;
      throw ApplicationFailure.nonRetryable(`promotion ${this.promotionId} failed unexpectedly: ${describeFailure(error)}`, 'PromotionFailed');
    }
  }

  /**
   * Who asked for the promotion: the verified actor of the signed decision it was started with,
   * or the unverified name (a direct Temporal call). Returns why it must not run, or null.
   */
  private async establishRequester(): Promise<string | null> {
    const action = this.input.kind === 'rollback' ? 'rollback' : 'promote';
    const auth = await authenticate({ actor: this.input.requestedBy, ...(this.input.decision ? { decision: this.input.decision } : {}) }, action, false);
    if (!patched(VERIFIED_DECISIONS_PATCH)) return null;
    const { pipeline, version } = this.status;
    this.status.requester = auth.actor;
    const taken: AuditContext = auth.verified ? { channel: auth.claims.channel ?? DecisionChannel.Cli, decisionId: auth.claims.decisionId } : {};
    // The request itself (the record's first event) goes to the audit trail with the established actor.
    const started = this.status.events.find((e) => e.kind === 'started');
    this.audited(`${action}-requested`, started?.message ?? `${action} ${pipeline} ${version}`, auth.actor, {
      ...taken,
      ...(this.input.reason ? { reason: this.input.reason } : {}),
    });
    let why = identityRefusal(auth, action, { promotionId: this.promotionId, pipeline, version }, []);
    const permission = action === 'rollback' ? Permission.Rollback : Permission.Promote;
    for (const stage of this.stages) why ??= await this.permissionRefusal(auth.actor, permission, stage.name);
    if (why !== null) this.event(`${action}-refused`, why, auth.actor, taken);
    return why;
  }

  /** A rollback goes only to a version that was live in each of its stages before (src/domain/rollback.ts). */
  private async rollbackRefused(): Promise<string | null> {
    for (const stage of this.stages) {
      const target = stage.update[0]!;
      const { file, path } = stableField(stage.path, target);
      const values = await checks.readFieldHistory({ repository: this.input.pipeline.repository, file, path, limit: ROLLBACK_HISTORY });
      const refused = rollbackRefusal(values, stableValue(target, this.input.pipeline.artifact.image, this.input.version), {
        pipeline: this.input.pipeline.name,
        stage: stage.name,
        version: this.input.version,
      });
      if (refused !== null) return refused;
    }
    return null;
  }

  /**
   * With `soak`: when this promotion made the version stable in `soak.after` — found live and
   * healthy there (a sync mode), else promoted. Absent when another promotion did: the stage
   * reads Git (workflows/stage-windows.ts).
   */
  private soakSince(stage: StageSpec): { soakSince?: string } {
    const after = stage.soak?.after;
    const result = after === undefined ? null : this.status.stages.find((s) => s.name === after)?.result;
    if (!result || result.phase !== StagePhase.Promoted) return {};
    const since = result.live?.at ?? result.events.findLast((e) => e.kind === 'promoted')?.at;
    return since === undefined ? {} : { soakSince: since };
  }

  /** The stage input's policies: the pinned ones (none: no field, so stages without policies start as before). */
  private policiesInput(): { policies: PinnedPolicy[]; pipelineStages: string[] } | Record<string, never> {
    const policies = this.pinnedPolicies ?? this.input.pipeline.policies ?? [];
    return policies.length > 0 ? { policies, pipelineStages: this.input.pipeline.stages.map((s) => s.name) } : {};
  }

  /** Runs one attempt of a stage; null when its environment was busy (after waiting a while). */
  private async runStage(stage: StageSpec, summary: StageSummary): Promise<StageStatus | null> {
    try {
      this.child = await startChild(stageWorkflow, {
        workflowId: summary.workflowId,
        args: [
          {
            promotionId: this.promotionId,
            pipeline: this.input.pipeline.name,
            repository: this.input.pipeline.repository,
            image: this.input.pipeline.artifact.image,
            version: this.input.version,
            stage,
            analysisTemplates: this.input.pipeline.analysisTemplates,
            attempt: summary.attempt + 1,
            kind: this.input.kind,
            requestedBy: this.input.requestedBy,
            ...(this.status.requester ? { requester: this.status.requester } : {}),
            ...(this.input.release ? { release: this.input.release } : {}),
            ...(this.input.pipeline.access ? { access: this.input.pipeline.access } : {}),
            ...this.policiesInput(),
            ...this.soakSince(stage),
          },
        ],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        memo: { promotionId: this.promotionId },
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const heldBy = await lookups.environmentHolder(summary.workflowId);
      if (heldBy === this.promotionId) throw ApplicationFailure.nonRetryable(`stage ${stage.name} of ${this.promotionId} is already running`, 'InternalError');
      if (this.status.waitingFor?.heldBy !== heldBy)
        this.event('waiting', `environment ${stage.name} is held by ${heldBy ?? 'another promotion'}; waiting for it`);
      this.status.phase = PromotionPhase.WaitingForEnvironment;
      this.status.waitingFor = { stage: stage.name, heldBy };
      this.status.message = `waiting for environment ${stage.name}, held by ${heldBy ?? 'another promotion'}`;
      this.publish();
      // Back off while the environment stays busy: base interval, doubling, at most 30 s (or the base).
      const waitMs = Math.min(this.settings.environmentPollMs * 2 ** this.environmentPolls++, Math.max(this.settings.environmentPollMs, 30_000));
      await condition(() => this.abortRequest !== null, waitMs);
      return null;
    }
    this.environmentPolls = 0;
    summary.attempt++;
    summary.phase = StagePhase.Progressing;
    this.status.phase = PromotionPhase.Running;
    this.status.waitingFor = null;
    this.status.activeStage = { name: stage.name, workflowId: summary.workflowId };
    this.status.message = `stage ${stage.name} (attempt ${summary.attempt})`;
    this.event('stage-started', `stage ${stage.name} started (attempt ${summary.attempt})`);
    this.publish();
    if (this.abortRequest) await this.child.signal(abortSignal, { promotionId: this.promotionId, ...this.abortRequest });
    const result = await this.child.result();
    this.child = null;
    this.status.activeStage = null;
    summary.phase = result.phase;
    summary.result = result;
    this.event('stage-finished', `stage ${stage.name}: ${result.phase}: ${result.message}`);
    return result;
  }

  /**
   * Facts of an earlier stage reverted with the promotion: a rollback, and — the stage was fully
   * promoted, so its release was exposed — a DORA change failure and, once Git (and the
   * cluster) are back, its recovery. A rollback promotion's stages were remediations, not releases.
   */
  private earlierStageRolledBack(stage: string, detectedAt: string, outcome: RollbackOutcome): void {
    const pipeline = this.input.pipeline.name;
    observe({ kind: 'rollback', pipeline, stage, cause: RollbackCause.PromotionScope, reactionMs: elapsedMs(detectedAt, outcome.revertedAtMs) });
    if (this.input.kind === 'rollback') return;
    observe({ kind: 'change-failure', pipeline, stage, cause: 'rollback' });
    const recoveryMs = outcome.notLive === null ? elapsedMs(detectedAt, outcome.liveAtMs) : null;
    if (recoveryMs !== null) observe({ kind: 'recovery', pipeline, stage, recoveryMs });
  }

  /**
   * rollback.scope: promotion — the stages before `failedIndex`, latest first, through the one
   * rollback routine (revert, then re-sync and wait for health).
   */
  private async revertEarlierStages(failedIndex: number, why: string, detectedAt: string): Promise<void> {
    for (let i = failedIndex - 1; i >= 0; i--) {
      const summary = this.status.stages[i]!;
      const result = summary.result;
      if (!result || result.commits.length === 0) continue;
      const outcome = await rollBack({
        repository: this.input.pipeline.repository,
        promotion: this.promotionId,
        stage: this.stages[i]!,
        step: stepKey(summary.attempt, 'rollback', 'promotion'),
        version: this.input.version,
        commits: result.commits.map((c) => c.sha).reverse(),
        reason: `promotion rolled back: ${why}`,
        ...(this.abortRequest ? { requestedBy: this.abortRequest.actor } : {}),
        detectedAt,
      });
      this.earlierStageRolledBack(summary.name, detectedAt, outcome);
      for (const r of outcome.reverts) result.reverts.push({ ...r, at: now() });
      if (outcome.live) result.live = { sha: outcome.live.sha, at: now(), message: describeLive(outcome.live) };
      summary.phase = StagePhase.RolledBack;
      const cluster = outcome.live
        ? '; the cluster is healthy on it'
        : outcome.notLive !== null
          ? `; the cluster did not become healthy on it: ${outcome.notLive}`
          : '';
      this.event('stage-rolled-back', `stage ${summary.name} rolled back with the promotion (${outcome.reverts.length} revert commit(s))${cluster}`);
    }
  }
}
