/**
 * A promotion: one release through the stages of a pipeline, in order, each stage a child
 * workflow. A stage that fails is rolled back by the stage itself; the promotion then waits for
 * `retry` (or `abort`), or, with `rollback.scope: promotion`, reverts the earlier stages too.
 */
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
  setHandler,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { RampActivities } from '../activities/contract.js';
import { FailureReason, PromotionPhase, StagePhase } from '../src/domain/phases.js';
import { stepKey } from '../src/domain/stage-writes.js';
import { rollbackRefusal, stableField, stableValue } from '../src/domain/rollback.js';
import type { StageSpec } from '../src/schema/pipeline.js';
import { notification, preflight, quick } from './activity-options.js';
import { rollBack } from './rollback.js';
import { describeLive } from './stage-sync.js';
import {
  DEFAULT_SETTINGS,
  abortSignal,
  abortUpdate,
  promotionStatusQuery,
  retryUpdate,
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
import { describeFailure } from './stage-record.js';

const lookups = proxyActivities<RampActivities>(quick);
/** How many commits of a stage's stable file a rollback reads to find the versions that were live there. */
const ROLLBACK_HISTORY = 500;
const notifier = proxyActivities<RampActivities>(notification);
const checks = proxyActivities<RampActivities>(preflight);

const now = (): string => new Date(Date.now()).toISOString();

export async function promotionWorkflow(input: PromotionInput): Promise<PromotionStatus> {
  const settings = { ...DEFAULT_SETTINGS, ...input.settings };
  const promotionId = workflowInfo().workflowId;
  const stages = input.pipeline.stages.filter((s) => !input.stages || input.stages.includes(s.name));
  const status: PromotionStatus = input.resume?.status ?? {
    promotionId,
    pipeline: input.pipeline.name,
    version: input.version,
    kind: input.kind,
    requestedBy: input.requestedBy,
    phase: PromotionPhase.Running,
    message: `promoting ${input.version} through ${stages.map((s) => s.name).join(' → ')}`,
    activeStage: null,
    waitingFor: null,
    stages: stages.map((s) => ({ name: s.name, workflowId: stageWorkflowId(input.pipeline.name, s.name), attempt: 0, phase: 'Pending', result: null })),
    startedAt: now(),
    finishedAt: null,
    events: [],
  };
  const event = (kind: string, message: string, actor?: string) => status.events.push({ at: now(), kind, message, ...(actor ? { actor } : {}) });
  if (!input.resume) event('started', `${input.requestedBy} asked to ${input.kind} ${input.pipeline.name} ${input.version}`, input.requestedBy);
  let environmentPolls = 0;
  /** Shows the phase in Temporal's visibility (ramp list, the UI); call after every change of phase or stage. */
  const publish = () =>
    publishAttributes(
      promotionAttributes({
        pipeline: input.pipeline.name,
        version: input.version,
        phase: status.phase,
        stage: status.activeStage?.name ?? status.waitingFor?.stage ?? status.stages.filter((s) => s.attempt > 0).at(-1)?.name ?? null,
        heldBy: status.waitingFor?.heldBy ?? null,
      }),
    );
  publish();

  let child = null as ChildWorkflowHandle<typeof stageWorkflow> | null;
  let abort = null as { actor: string; reason: string } | null;
  let retry = null as { actor: string } | null;

  const checkTarget = (args: OperatorArgs) => {
    if (args.promotionId !== promotionId) throw new Error(`this is promotion ${promotionId}, not ${args.promotionId}`);
  };
  const requestAbort = async (args: OperatorArgs & { reason: string }): Promise<Ack> => {
    abort = { actor: args.actor, reason: args.reason };
    event('abort-requested', `${args.actor} aborted the promotion: ${args.reason}`, args.actor);
    if (child && status.activeStage) {
      await child.signal(abortSignal, { ...args, promotionId });
      return { message: `aborting stage ${status.activeStage.name}: it rolls back, then the promotion ends` };
    }
    return { message: `promotion ${promotionId} aborted` };
  };
  setHandler(promotionStatusQuery, () => status);
  /** As the CLI says it for a closed promotion (cli/connection.ts). */
  const alreadyFinished = (): string => `promotion ${promotionId} has already finished (${status.phase}: ${status.message}); see ramp status ${promotionId}`;
  setHandler(abortUpdate, requestAbort, {
    validator: (args: OperatorArgs & { reason: string }) => {
      checkTarget(args);
      if (status.finishedAt !== null) throw new Error(alreadyFinished());
      if (abort) throw new Error(`promotion ${promotionId} is already aborting (${abort.actor}: ${abort.reason})`);
      if (args.reason.trim() === '') throw new Error('say why: an abort needs a reason (--reason)');
    },
  });
  setHandler(abortSignal, (args) => {
    if (args.promotionId === promotionId && status.finishedAt === null && !abort) void requestAbort(args);
  });
  setHandler(
    retryUpdate,
    (args) => {
      retry = { actor: args.actor };
      const stage = status.stages.find((s) => s.phase !== StagePhase.Promoted)!;
      event('retry', `${args.actor} retries stage ${stage.name}`, args.actor);
      return { message: `retrying stage ${stage.name} (attempt ${stage.attempt + 1})` };
    },
    {
      validator: (args: OperatorArgs) => {
        checkTarget(args);
        // Finished but not yet closed (telling people): the same answer as once it is closed.
        if (status.finishedAt !== null) throw new Error(alreadyFinished());
        if (status.phase !== PromotionPhase.Failed) throw new Error(`promotion ${promotionId} has no failed stage to retry (it is ${status.phase})`);
      },
    },
  );

  const finish = async (phase: PromotionPhase, message: string): Promise<PromotionStatus> => {
    status.phase = phase;
    status.message = message;
    status.activeStage = null;
    status.waitingFor = null;
    status.finishedAt = now();
    event(phase === PromotionPhase.Succeeded ? 'succeeded' : 'aborted', message);
    publish();
    await CancellationScope.nonCancellable(async () => {
      try {
        await notifier.notify({ kind: 'promotion-finished', promotionId, pipeline: input.pipeline.name, stage: null, version: input.version, message });
      } catch {
        // best effort
      }
    });
    await condition(allHandlersFinished);
    // Not succeeded: fail the run, so that Temporal does not show it as a green COMPLETED.
    if (phase !== PromotionPhase.Succeeded && patched(PROMOTION_FAILS_PATCH)) throw promotionAborted(status);
    return status;
  };

  try {
    if (!input.resume) {
      try {
        await checks.readHistory({ repository: input.pipeline.repository, limit: 1 });
      } catch (error) {
        if (isCancellation(error)) throw error;
        return await finish(PromotionPhase.Aborted, `nothing was changed: ${describeFailure(error)}`);
      }
      if (input.kind === 'rollback' && patched('rollback-only-to-a-live-version')) {
        const refused = await rollbackRefused();
        if (refused !== null) {
          event('rollback-refused', refused, input.requestedBy);
          return await finish(PromotionPhase.Aborted, `nothing was changed: ${refused}`);
        }
      }
    }
    for (const [index, stage] of stages.entries()) {
      if (index < (input.resume?.stageIndex ?? 0)) continue;
      const summary = status.stages[index]!;
      for (;;) {
        if (abort) return await finish(PromotionPhase.Aborted, `aborted by ${abort.actor} before stage ${stage.name}: ${abort.reason}`);
        const result = await runStage(stage, summary);
        if (result === null) {
          // Environment busy: waited; keep the history short while waiting long.
          if (workflowInfo().continueAsNewSuggested) {
            await condition(allHandlersFinished);
            event('continued-as-new', `history reached ${workflowInfo().historyLength} events while waiting; continuing in a new run`);
            await continueAsNew<typeof promotionWorkflow>({ ...input, resume: { status, stageIndex: index } });
          }
          continue;
        }
        if (result.phase === StagePhase.Promoted) break;

        const reason = result.failure?.reason ?? FailureReason.StepFailed;
        if (stage.rollback.scope === 'promotion' && index > 0) {
          await revertEarlierStages(index, result.failure?.message ?? 'a later stage failed');
          return await finish(PromotionPhase.Aborted, `stage ${stage.name} failed (${result.message}); earlier stages were rolled back too`);
        }
        if (abort || reason !== FailureReason.StepFailed) {
          return await finish(PromotionPhase.Aborted, `stage ${stage.name}: ${result.message}`);
        }
        status.phase = PromotionPhase.Failed;
        status.message = `stage ${stage.name} failed: ${result.message}. ramp retry ${promotionId} re-runs it; ramp abort ends the promotion`;
        retry = null;
        publish();
        const decided = await condition(() => retry !== null || abort !== null, settings.retryWindowMs);
        if (!decided || abort) {
          return await finish(PromotionPhase.Aborted, decided ? `aborted by ${abort!.actor} after stage ${stage.name} failed: ${abort!.reason}` : `stage ${stage.name} failed and nobody retried it within ${settings.retryWindowMs / 1000}s`);
        }
        status.phase = PromotionPhase.Running;
        publish();
      }
    }
    return await finish(PromotionPhase.Succeeded, `${input.version} is stable in ${stages.map((s) => s.name).join(', ')}`);
  } catch (error) {
    if (isCancellation(error) || error instanceof ContinueAsNew) throw error;
    if (error instanceof ApplicationFailure && error.type === PROMOTION_ABORTED) throw error;
    throw ApplicationFailure.nonRetryable(`promotion ${promotionId} failed unexpectedly: ${describeFailure(error)}`, 'PromotionFailed');
  }

  /** A rollback goes only to a version that was live in each of its stages before (src/domain/rollback.ts). */
  async function rollbackRefused(): Promise<string | null> {
    for (const stage of stages) {
      const target = stage.update[0]!;
      const { file, path } = stableField(stage.path, target);
      const values = await checks.readFieldHistory({ repository: input.pipeline.repository, file, path, limit: ROLLBACK_HISTORY });
      const refused = rollbackRefusal(values, stableValue(target, input.pipeline.artifact.image, input.version), { pipeline: input.pipeline.name, stage: stage.name, version: input.version });
      if (refused !== null) return refused;
    }
    return null;
  }

  /** Runs one attempt of a stage; null when its environment was busy (after waiting a while). */
  async function runStage(stage: StageSpec, summary: StageSummary): Promise<StageStatus | null> {
    try {
      child = await startChild(stageWorkflow, {
        workflowId: summary.workflowId,
        args: [{ promotionId, pipeline: input.pipeline.name, repository: input.pipeline.repository, image: input.pipeline.artifact.image, version: input.version, stage, analysisTemplates: input.pipeline.analysisTemplates, attempt: summary.attempt + 1, kind: input.kind, requestedBy: input.requestedBy }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        memo: { promotionId },
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const heldBy = await lookups.environmentHolder(summary.workflowId);
      if (heldBy === promotionId) throw ApplicationFailure.nonRetryable(`stage ${stage.name} of ${promotionId} is already running`, 'InternalError');
      if (status.waitingFor?.heldBy !== heldBy) event('waiting', `environment ${stage.name} is held by ${heldBy ?? 'another promotion'}; waiting for it`);
      status.phase = PromotionPhase.WaitingForEnvironment;
      status.waitingFor = { stage: stage.name, heldBy };
      status.message = `waiting for environment ${stage.name}, held by ${heldBy ?? 'another promotion'}`;
      publish();
      // Back off while the environment stays busy: base interval, doubling, at most 30 s (or the base).
      const waitMs = Math.min(settings.environmentPollMs * 2 ** environmentPolls++, Math.max(settings.environmentPollMs, 30_000));
      await condition(() => abort !== null, waitMs);
      return null;
    }
    environmentPolls = 0;
    summary.attempt++;
    summary.phase = StagePhase.Progressing;
    status.phase = PromotionPhase.Running;
    status.waitingFor = null;
    status.activeStage = { name: stage.name, workflowId: summary.workflowId };
    status.message = `stage ${stage.name} (attempt ${summary.attempt})`;
    event('stage-started', `stage ${stage.name} started (attempt ${summary.attempt})`);
    publish();
    if (abort) await child.signal(abortSignal, { promotionId, ...abort });
    const result = await child.result();
    child = null;
    status.activeStage = null;
    summary.phase = result.phase;
    summary.result = result;
    event('stage-finished', `stage ${stage.name}: ${result.phase}: ${result.message}`);
    return result;
  }

  /**
   * rollback.scope: promotion — the stages before `failedIndex`, latest first, through the one
   * rollback routine (revert, then re-sync and wait for health).
   */
  async function revertEarlierStages(failedIndex: number, why: string): Promise<void> {
    for (let i = failedIndex - 1; i >= 0; i--) {
      const summary = status.stages[i]!;
      const result = summary.result;
      if (!result || result.commits.length === 0) continue;
      const outcome = await rollBack({
        repository: input.pipeline.repository,
        promotion: promotionId,
        stage: stages[i]!,
        step: stepKey(summary.attempt, 'rollback', 'promotion'),
        version: input.version,
        commits: result.commits.map((c) => c.sha).reverse(),
        reason: `promotion rolled back: ${why}`,
        ...(abort ? { requestedBy: abort.actor } : {}),
      });
      for (const r of outcome.reverts) result.reverts.push({ ...r, at: now() });
      if (outcome.live) result.live = { sha: outcome.live.sha, at: now(), message: describeLive(outcome.live) };
      summary.phase = StagePhase.RolledBack;
      const cluster = outcome.live ? '; the cluster is healthy on it' : outcome.notLive !== null ? `; the cluster did not become healthy on it: ${outcome.notLive}` : '';
      event('stage-rolled-back', `stage ${summary.name} rolled back with the promotion (${outcome.reverts.length} revert commit(s))${cluster}`);
    }
  }
}
