/**
 * The CLI straight to Temporal (no RAMP_SERVER): workflows started, queried and updated through
 * the CLI's own client (cli/connection.ts), pipelines read from local files. Connects on the
 * first request, so that a command's own checks come first. Records what it sends as
 * local-unverified (no signed decision).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { InternalError, UserError } from '../src/errors.js';
import { DRIFT_WORKFLOW_TYPE, driftWorkflowId } from '../src/domain/drift.js';
import type { PipelineSpec, StageSpec } from '../src/schema/pipeline.js';
import type { FreezeAck, FreezeRecord } from '../workflows/freeze-messages.js';
import { declareFreeze, liftFreeze, readFreezeRecord } from './freeze-temporal.js';
import { acceptDriftUpdate, driftSpecSignal, driftStatusQuery, rejectDriftUpdate, stopDriftSignal } from '../workflows/drift-messages.js';
import type { historyWorkflow } from '../workflows/history.js';
import type { doraWorkflow } from '../workflows/dora.js';
import type { DoraReport } from '../src/dora/report.js';
import {
  abortSignal,
  abortUpdate,
  approveUpdate,
  pauseUpdate,
  promotionWorkflowId,
  rejectUpdate,
  resumeUpdate,
  retryUpdate,
  skipUpdate,
  windowOverrideUpdate,
  type Ack,
  type HistoryEntry,
  type OperatorArgs,
  type PromotionInput,
} from '../workflows/messages.js';
import type { promotionWorkflow } from '../workflows/promotion.js';
import { activeStageFor } from './active-stage.js';
import { readAuditTrails, verifyAuditTrails } from './audit-trail.js';
import type { AuditRecord } from '../src/audit/record.js';
import { required } from './args.js';
import type {
  AuditRequest,
  AuditTrailVerification,
  DoraRequest,
  DriftFinding,
  FreezeRequest,
  ListRequest,
  ListResult,
  PipelineRef,
  RampBackend,
  StageCommandRequest,
  StageVerb,
  StartRequest,
  StartedPromotion,
} from './backend.js';
import type { CommandIo } from './command.js';
import { RampTemporal, actorOf, innermostMessage, seconds, type CliSettings } from './connection.js';
import type { Snapshot } from './follow.js';
import { loadPipeline } from './pipelines.js';
import { formatTime } from './render/format.js';
import { listPromotions } from './temporal-list.js';
import { acknowledgeGuard, readGuards } from './guard-temporal.js';
import type { GuardStatus } from '../workflows/guard-messages.js';

/** How long reading the history or the DORA figures may take (a first clone of a large repository is slow). */
const HISTORY_TIMEOUT_MS = 120_000;

/** The workflow update each stage command sends. */
const STAGE_UPDATES: Record<StageVerb, UpdateDefinition<Ack, [OperatorArgs & { comment?: string; reason?: string }]>> = {
  approve: approveUpdate,
  reject: rejectUpdate,
  pause: pauseUpdate,
  resume: resumeUpdate,
  skip: skipUpdate,
  'window-override': windowOverrideUpdate,
};

export class TemporalBackend implements RampBackend {
  private connecting: Promise<RampTemporal> | null = null;

  constructor(
    private readonly io: CommandIo,
    readonly settings: CliSettings,
  ) {}

  get pollMs(): number | null {
    return this.settings.pollMs;
  }

  /** The connection, made on first use. */
  private temporal(): Promise<RampTemporal> {
    this.connecting ??= RampTemporal.connect(this.settings);
    return this.connecting;
  }

  async close(): Promise<void> {
    if (!this.connecting) return;
    const temporal = await this.connecting.catch(() => null);
    await temporal?.close();
  }

  actor(as: string | undefined, requiredWhy?: string): string {
    return requiredWhy === undefined ? actorOf(this.io, as) : required(as, '--as', requiredWhy);
  }

  async pipeline(nameOrPath: string): Promise<PipelineRef> {
    const spec = await loadPipeline(nameOrPath, this.io);
    return { name: spec.name, spec };
  }

  async start(request: StartRequest): Promise<StartedPromotion> {
    const spec = specOf(request.pipeline);
    const input: PromotionInput = {
      apiVersion: 'ramp/v1',
      pipeline: spec,
      version: request.version,
      requestedBy: request.requestedBy,
      kind: request.kind,
      ...(request.stages ? { stages: request.stages } : {}),
      ...(request.release ? { release: request.release } : {}),
      ...(request.reason ? { reason: request.reason } : {}),
    };
    return startPromotionWorkflow(await this.temporal(), input);
  }

  /** The promotion's status and, when a stage of it runs, that stage's live status. */
  async snapshot(promotionId: string): Promise<Snapshot> {
    return readSnapshot(await this.temporal(), promotionId);
  }

  /** Polls: a snapshot every `everyMs`, for as long as the consumer reads. */
  async *snapshots(promotionId: string, everyMs: number): AsyncIterable<Snapshot> {
    for (;;) {
      yield await this.snapshot(promotionId);
      await sleep(everyMs);
    }
  }

  async list(request: ListRequest): Promise<ListResult> {
    return listPromotions(await this.temporal(), request);
  }

  async stageCommand(request: StageCommandRequest): Promise<Ack> {
    const { promotionId, verb } = request;
    const temporal = await this.temporal();
    const active = activeStageFor(promotionId, await temporal.promotionStatus(promotionId), request.stage, verb);
    const arg = {
      promotionId,
      actor: request.actor,
      ...(request.comment !== undefined ? { comment: request.comment } : {}),
      ...(request.reason !== undefined ? { reason: request.reason } : {}),
    };
    return temporal.update({ kind: 'stage', id: active.workflowId, stage: active.name, promotionId }, STAGE_UPDATES[verb], arg);
  }

  async abort(promotionId: string, request: { actor: string; reason: string; signal: boolean }): Promise<Ack> {
    const temporal = await this.temporal();
    const target = { kind: 'promotion', id: promotionId } as const;
    const arg = { promotionId, actor: request.actor, reason: request.reason };
    if (!request.signal) return temporal.update(target, abortUpdate, arg);
    try {
      await temporal.client.workflow.getHandle(promotionId).signal(abortSignal, arg);
    } catch (error) {
      throw await temporal.explain(error, target);
    }
    return { message: `abort signal sent to ${promotionId}; see ramp status ${promotionId}` };
  }

  async retry(promotionId: string, actor: string): Promise<Ack> {
    return (await this.temporal()).update({ kind: 'promotion', id: promotionId }, retryUpdate, { promotionId, actor });
  }

  async history(pipeline: PipelineRef, request: { stage: string | undefined; limit: number }): Promise<HistoryEntry[]> {
    const spec = specOf(pipeline);
    const args = { repository: spec.repository, limit: request.limit, ...(request.stage !== undefined ? { stage: request.stage } : {}) };
    return this.readOnWorker<typeof historyWorkflow>('historyWorkflow', `history-${spec.name}`, [args], `the history of ${spec.repository.url}`);
  }

  /** The stage's DORA report; no stage: the pipeline's last (its terminal environment). */
  async dora(pipeline: PipelineRef, request: DoraRequest): Promise<DoraReport> {
    const spec = specOf(pipeline);
    const names = spec.stages.map((s) => s.name);
    const stage = request.stage ?? names.at(-1)!;
    if (!names.includes(stage)) throw new UserError(`pipeline ${spec.name} has no stage ${stage}; its stages: ${names.join(', ')}`);
    const args = { repository: spec.repository, pipeline: spec.name, stage, since: request.since, until: request.until };
    return this.readOnWorker<typeof doraWorkflow>(
      'doraWorkflow',
      `dora-${spec.name}`,
      [args],
      `the DORA figures of ${spec.name}/${stage} from ${spec.repository.url}`,
    );
  }

  /** Runs a short read workflow (one activity on a worker, which holds the repository credentials) and returns its answer. */
  private async readOnWorker<W extends (...args: never[]) => Promise<unknown>>(
    type: string,
    idPrefix: string,
    args: Parameters<W>,
    what: string,
  ): Promise<Awaited<ReturnType<W>>> {
    const temporal = await this.temporal();
    const { settings } = temporal;
    await temporal.requireWorker();
    const workflowId = `${idPrefix}-${randomUUID().slice(0, 8)}`;
    try {
      return (await temporal.client.workflow.execute(type, {
        taskQueue: settings.taskQueue,
        workflowId,
        args,
        // Nobody polls the queue → the run times out instead of waiting for ever.
        workflowExecutionTimeout: Math.max(HISTORY_TIMEOUT_MS, settings.updateTimeoutMs),
      })) as Awaited<ReturnType<W>>;
    } catch (error) {
      const explained = await temporal.explain(error, { kind: 'promotion', id: workflowId });
      if (explained instanceof UserError) throw explained;
      const why = innermostMessage(error);
      const slow = /timed? ?out/i.test(why)
        ? ` (no answer within ${seconds(HISTORY_TIMEOUT_MS)}: is the worker on task queue ${settings.taskQueue} busy or stuck?)`
        : '';
      throw new UserError(`could not read ${what}: ${why}${slow}`);
    }
  }

  async audit(request: AuditRequest): Promise<AuditRecord[]> {
    return readAuditTrails(await this.temporal(), this.io, request);
  }

  async auditVerify(pipeline: string | undefined): Promise<AuditTrailVerification[]> {
    return verifyAuditTrails(await this.temporal(), this.io, pipeline);
  }

  async driftReport(pipeline: PipelineRef, only: string | undefined): Promise<DriftFinding[]> {
    const spec = specOf(pipeline);
    const stages = watchedStages(spec, only);
    const temporal = await this.temporal();
    const found: DriftFinding[] = [];
    for (const stage of stages) {
      try {
        found.push({ stage: stage.name, status: await temporal.query(driftTarget(spec, stage.name), driftStatusQuery), problem: null });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        found.push({ stage: stage.name, status: null, problem: error.message });
      }
    }
    return found;
  }

  async driftDecision(pipeline: PipelineRef, stage: string, decision: 'accept' | 'reject', request: { actor: string; reason?: string }): Promise<Ack> {
    const spec = specOf(pipeline);
    const [watched] = watchedStages(spec, stage);
    const temporal = await this.temporal();
    return temporal.update(driftTarget(spec, watched!.name), decision === 'accept' ? acceptDriftUpdate : rejectDriftUpdate, request);
  }

  async freezeRecord(): Promise<FreezeRecord> {
    return readFreezeRecord(await this.temporal());
  }

  async declareFreeze(request: FreezeRequest & { until: string | null }): Promise<FreezeAck> {
    return declareFreeze(await this.temporal(), { actor: request.actor, reason: request.reason, until: request.until });
  }

  async liftFreeze(request: FreezeRequest): Promise<FreezeAck> {
    return liftFreeze(await this.temporal(), { actor: request.actor, reason: request.reason });
  }

  async guards(): Promise<GuardStatus[]> {
    return readGuards(await this.temporal());
  }

  async acknowledgeGuard(pipeline: PipelineRef, request: { actor: string; reason: string }): Promise<Ack> {
    return acknowledgeGuard(await this.temporal(), specOf(pipeline).repository, request);
  }

  async startDriftWatches(pipeline: PipelineRef, only: string | undefined): Promise<string[]> {
    const spec = specOf(pipeline);
    const stages = watchedStages(spec, only);
    const temporal = await this.temporal();
    const lines: string[] = [];
    for (const stage of stages) {
      const watch = { pipeline: spec.name, repository: spec.repository, stage };
      const workflowId = driftWorkflowId(spec.name, stage.name);
      await temporal.client.workflow.signalWithStart(DRIFT_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: temporal.settings.taskQueue,
        args: [watch],
        signal: driftSpecSignal,
        signalArgs: [watch],
      });
      lines.push(
        `${spec.name}/${stage.name}: drift watch ${workflowId} compares the cluster with Git every ${Math.round((stage.drift?.intervalMs ?? 0) / 1000)} s`,
      );
    }
    return lines;
  }

  async stopDriftWatches(pipeline: PipelineRef, only: string | undefined, actor: string): Promise<string[]> {
    const spec = specOf(pipeline);
    // A watch may outlive the drift settings that started it: --stop finds it by stage name.
    const stages = anyStages(spec, only);
    const temporal = await this.temporal();
    const lines: string[] = [];
    for (const stage of stages) {
      const id = driftWorkflowId(spec.name, stage.name);
      try {
        await temporal.client.workflow.getHandle(id).signal(stopDriftSignal, { actor });
        lines.push(`${spec.name}/${stage.name}: drift watch ${id} stopped`);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        if (only) throw new UserError(`nobody watches ${spec.name}/${stage.name} for drift; nothing to stop`);
      }
    }
    return lines;
  }
}

function specOf(pipeline: PipelineRef): PipelineSpec {
  if (!pipeline.spec) throw new InternalError(`pipeline ${pipeline.name} was not loaded: straight to Temporal, the CLI reads its file`);
  return pipeline.spec;
}

function driftTarget(spec: PipelineSpec, stage: string) {
  return { kind: 'drift' as const, id: driftWorkflowId(spec.name, stage), stage, pipeline: spec.name };
}

/** The stages with drift detection (and a sync mode), or the one --stage names. */
function watchedStages(pipeline: PipelineSpec, only: string | undefined): StageSpec[] {
  const watched = pipeline.stages.filter((s) => s.drift !== null && s.sync.mode !== 'none');
  if (only === undefined) {
    if (watched.length === 0) throw new UserError(`no stage of ${pipeline.name} watches for drift. Add drift: { policy: alert } (and a sync mode) to a stage`);
    return watched;
  }
  const stage = pipeline.stages.find((s) => s.name === only);
  if (!stage) throw new UserError(`${pipeline.name} has no stage ${only} (it has ${pipeline.stages.map((s) => s.name).join(', ')})`);
  if (!watched.includes(stage))
    throw new UserError(`stage ${only} of ${pipeline.name} does not watch for drift. Add drift: { policy: alert } (and a sync mode) to it`);
  return [stage];
}

/** Every stage, or the one --stage names. */
function anyStages(pipeline: PipelineSpec, only: string | undefined): StageSpec[] {
  if (only === undefined) return pipeline.stages;
  const stage = pipeline.stages.find((s) => s.name === only);
  if (!stage) throw new UserError(`${pipeline.name} has no stage ${only} (it has ${pipeline.stages.map((s) => s.name).join(', ')})`);
  return [stage];
}

/**
 * Starts a promotion (or rollback) workflow; what `ramp promote --json` prints. Shared with
 * `ramp server`, which adds the signed decision and the release to the input.
 */
export async function startPromotionWorkflow(temporal: RampTemporal, input: PromotionInput): Promise<StartedPromotion> {
  const { pipeline: spec, version, kind } = input;
  const promotionId = promotionWorkflowId(spec.name, version, kind, input.stages);
  let runId: string;
  try {
    const handle = await temporal.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue: temporal.settings.taskQueue,
      workflowId: promotionId,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
    });
    runId = handle.firstExecutionRunId;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) throw await alreadyRunning(temporal, promotionId);
    throw await temporal.explain(error, { kind: 'promotion', id: promotionId });
  }
  const stages = spec.stages.filter((s) => !input.stages || input.stages.includes(s.name)).map((s) => s.name);
  return { promotionId, runId, pipeline: spec.name, version, kind, stages, requestedBy: input.requestedBy };
}

/** The promotion's status and, when a stage of it runs, that stage's live status (ramp status --json). */
export async function readSnapshot(temporal: RampTemporal, promotionId: string): Promise<Snapshot> {
  const promotion = await temporal.promotionStatus(promotionId);
  const active = promotion.activeStage;
  if (!active) return { promotion, activeStage: null };
  const stage = await temporal.stageStatus(active, promotionId);
  // The environment's workflow id outlives one promotion: make sure it is still this one's.
  return { promotion, activeStage: stage?.promotionId === promotionId ? stage : null };
}

async function alreadyRunning(temporal: RampTemporal, promotionId: string): Promise<UserError> {
  let since = '';
  try {
    since = ` (since ${formatTime((await temporal.describe({ kind: 'promotion', id: promotionId })).startTime.toISOString(), {})})`;
  } catch {
    // the message stands without it
  }
  return new UserError(
    `promotion ${promotionId} is already running${since}: see ramp status ${promotionId}, or end it with ramp abort ${promotionId} --reason "..."`,
  );
}
