/**
 * The decisions the server forwards to the workflows, each the same steps: find what the
 * decision is about (the promotion, its active stage, the pending approval), check the caller
 * may take it (403), sign it, and send it with the decision's id as the Update id. The
 * workflow's validator has the last word; its refusal comes back as 409 (or 403, `Forbidden`).
 */
import { parseInstant } from '../src/dora/period.js';
import { randomUUID } from 'node:crypto';
import { startPromotionWorkflow } from '../cli/temporal-backend.js';
import type { Actor } from '../src/identity/actor.js';
import { DecisionAction, DecisionChannel, type DecisionTarget } from '../src/identity/decision.js';
import { acceptDriftUpdate, driftStatusQuery, driftWorkflowId, rejectDriftUpdate, type DriftDecisionArgs } from '../workflows/drift-messages.js';
import {
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
  type PromotionInput,
} from '../workflows/messages.js';
import type { AuthorizedPipeline, Permission, ServerContext } from './context.js';
import { ApiError } from './errors.js';
import { loadServerPipeline } from './pipelines.js';
import type { StageAction } from './schemas.js';

/** 403 with the authorizer's sentence when the actor may not; the refusal goes to the audit log with the verified actor. */
async function authorize(ctx: ServerContext, actor: Actor, permission: Permission, pipeline: AuthorizedPipeline, stage: string | null): Promise<void> {
  const refusal = await ctx.options.authorize(actor, permission, pipeline, stage);
  if (refusal === null) return;
  ctx.options.logger.info({ msg: 'refused', audit: true, permission, pipeline: pipeline.name, stage, actor, reason: refusal });
  throw new ApiError(403, refusal);
}

export interface StartRequest {
  kind: 'promote' | 'rollback';
  pipeline: string;
  version: string;
  stages?: string[] | undefined;
  /** Why (rollbacks): recorded in the promotion's first event. */
  reason?: string | undefined;
  release?: { commit?: string | undefined; authors?: string[] | undefined; time?: string | undefined; fixes?: string | undefined } | undefined;
}

/**
 * Where a decision was taken: `cli` (a bearer or service token) unless the route says otherwise.
 * An approval link also brings what it was signed for: its id becomes the decision id (the
 * workflow refuses a second use) and its gate, commit and attempt the decision's target (the
 * workflow refuses it once the release has moved on).
 */
export interface CommandOrigin {
  channel?: DecisionChannel;
  link?: { linkId: string; target: DecisionTarget };
  /** What a button was pressed for (a Slack message's gate, commit and attempt): the decision is bound to it, not to the state now. */
  target?: DecisionTarget;
}

/** Starts a promotion or rollback; answers what `ramp promote --json` / `ramp rollback --json` print. */
export async function startFor(ctx: ServerContext, actor: Actor, request: StartRequest, origin: CommandOrigin = {}): Promise<unknown> {
  const spec = await loadServerPipeline(ctx.options.pipelinesDir, request.pipeline);
  const names = spec.stages.map((s) => s.name);
  const unknown = (request.stages ?? []).filter((s) => !names.includes(s));
  if (unknown.length > 0)
    throw new ApiError(404, `pipeline ${spec.name} has no stage ${unknown.join(', ')}; its stages: ${names.join(', ')}. Nothing was started`);
  const stages = request.stages ? names.filter((n) => request.stages!.includes(n)) : undefined;
  const stage = request.kind === 'rollback' ? (stages?.[0] ?? null) : null;
  await authorize(ctx, actor, request.kind === 'rollback' ? 'rollback' : 'promote', spec, stage);

  const promotionId =
    request.kind === 'rollback' ? promotionWorkflowId(spec.name, request.version, 'rollback', stages) : promotionWorkflowId(spec.name, request.version);
  const release = request.release ? cleanRelease(request.release) : undefined;
  const target: DecisionTarget = {
    promotionId,
    pipeline: spec.name,
    version: request.version,
    stage,
    gate: null,
    attempt: null,
    commit: release?.commit ?? null,
  };
  const decision = await ctx.sign(request.kind === 'rollback' ? DecisionAction.Rollback : DecisionAction.Promote, actor, target, channelOf(origin));
  const input: PromotionInput = {
    apiVersion: 'ramp/v1',
    pipeline: spec,
    version: request.version,
    requestedBy: actor.name,
    decision: decision.token,
    kind: request.kind,
    ...(stages ? { stages } : {}),
    ...(release ? { release } : {}),
    ...(request.reason ? { reason: request.reason } : {}),
  };
  return startPromotionWorkflow(await ctx.temporal.get(), input);
}

/** The release's known fields (the time normalised to UTC), or undefined when it says nothing. */
function cleanRelease(release: NonNullable<StartRequest['release']>): NonNullable<PromotionInput['release']> | undefined {
  const time = release.time ? parseInstant(release.time, 'release.time') : null;
  const clean = {
    ...(release.commit ? { commit: release.commit } : {}),
    ...(release.authors ? { authors: release.authors } : {}),
    ...(time?.ok ? { time: time.iso } : {}),
    ...(release.fixes ? { fixes: release.fixes } : {}),
  };
  return Object.keys(clean).length > 0 ? clean : undefined;
}

const STAGE_DECISIONS: Record<StageAction, DecisionAction> = {
  approve: DecisionAction.Approve,
  reject: DecisionAction.Reject,
  pause: DecisionAction.Pause,
  resume: DecisionAction.Resume,
  skip: DecisionAction.Skip,
  'window-override': DecisionAction.WindowOverride,
};

/**
 * approve, reject, pause, resume, skip, window-override: to the stage the promotion is running, which must be
 * `stage`. Sent with the decision's id as the Update id (a repeat is a duplicate) — except a
 * link's decision, whose id is the link's: it goes with a fresh Update id, so that a replayed
 * link reaches the workflow and is refused there, on the record, as already used.
 */
export async function stageCommand(
  ctx: ServerContext,
  actor: Actor,
  request: { promotionId: string; stage: string; action: StageAction; body: { comment?: string | undefined; reason?: string | undefined } },
  origin: CommandOrigin = {},
): Promise<Ack> {
  const { promotionId, stage, action } = request;
  const temporal = await ctx.temporal.get();
  // The promotion runs on the spec it pinned: the server's pipeline file is not read (it may have changed or gone).
  const promotion = await temporal.promotionStatus(promotionId);
  const names = promotion.stages.map((s) => s.name);
  if (!names.includes(stage)) throw new ApiError(404, `promotion ${promotionId} has no stage ${stage}; its stages: ${names.join(', ')}`);
  const permission = action === 'approve' || action === 'reject' ? 'approve' : action === 'window-override' ? 'override' : 'operate';
  await authorize(ctx, actor, permission, { name: promotion.pipeline }, stage);

  const active = promotion.activeStage;
  if (!active)
    throw new ApiError(
      409,
      `promotion ${promotionId} has no active stage (phase ${promotion.phase}: ${promotion.message}), not ${stage}; there is nothing to ${action}`,
    );
  if (active.name !== stage) throw new ApiError(409, `promotion ${promotionId} is at stage ${active.name}, not ${stage}`);
  const status = await temporal.stageStatus(active, promotionId);
  if (!status || status.promotionId !== promotionId)
    throw new ApiError(409, `stage ${stage} of ${promotionId} is no longer running; see GET /api/v1/promotions/${promotionId}`);

  // approve and reject are bound to the gate waiting now and the commit it will let through.
  const gate = action === 'approve' || action === 'reject' ? status.approvals.filter((a) => a.outcome === 'Pending').at(-1) : undefined;
  const commit = (gate as { commit?: unknown } | undefined)?.commit;
  const target: DecisionTarget = origin.link?.target ??
    origin.target ?? {
      promotionId,
      pipeline: promotion.pipeline,
      version: promotion.version,
      stage,
      gate: gate?.gate ?? null,
      attempt: status.attempt,
      commit: typeof commit === 'string' ? commit : null,
    };
  const decision = await ctx.sign(STAGE_DECISIONS[action], actor, target, {
    ...channelOf(origin),
    ...(origin.link ? { decisionId: origin.link.linkId } : {}),
  });
  const base = { promotionId, actor: actor.name, decision: decision.token };
  const where = { kind: 'stage', id: active.workflowId, stage, promotionId } as const;
  const id = origin.link ? randomUUID() : decision.decisionId;
  const { comment, reason } = request.body;
  switch (action) {
    case 'approve':
      return temporal.update(where, approveUpdate, { ...base, ...optional('comment', comment) }, id);
    case 'reject':
      return temporal.update(where, rejectUpdate, { ...base, reason: reason ?? '' }, id);
    case 'pause':
      return temporal.update(where, pauseUpdate, { ...base, ...optional('reason', reason) }, id);
    case 'resume':
      return temporal.update(where, resumeUpdate, base, id);
    case 'skip':
      return temporal.update(where, skipUpdate, { ...base, ...optional('reason', reason) }, id);
    case 'window-override':
      return temporal.update(where, windowOverrideUpdate, { ...base, reason: reason ?? '' }, id);
  }
}

/** abort and retry: to the promotion. */
export async function promotionCommand(
  ctx: ServerContext,
  actor: Actor,
  request: { promotionId: string; action: 'abort' | 'retry'; reason?: string | undefined },
  origin: CommandOrigin = {},
): Promise<Ack> {
  const { promotionId, action } = request;
  const temporal = await ctx.temporal.get();
  const promotion = await temporal.promotionStatus(promotionId);
  const summary =
    action === 'abort' ? promotion.stages.find((s) => s.name === promotion.activeStage?.name) : promotion.stages.find((s) => s.phase === 'Failed');
  await authorize(ctx, actor, 'operate', { name: promotion.pipeline }, summary?.name ?? null);
  const target: DecisionTarget = {
    promotionId,
    pipeline: promotion.pipeline,
    version: promotion.version,
    stage: summary?.name ?? null,
    gate: null,
    attempt: summary?.attempt ?? null,
    commit: null,
  };
  const decision = await ctx.sign(action === 'abort' ? DecisionAction.Abort : DecisionAction.Retry, actor, target, channelOf(origin));
  const base = { promotionId, actor: actor.name, decision: decision.token };
  const where = { kind: 'promotion', id: promotionId } as const;
  return action === 'abort'
    ? temporal.update(where, abortUpdate, { ...base, reason: request.reason ?? '' }, decision.decisionId)
    : temporal.update(where, retryUpdate, base, decision.decisionId);
}

/** Accept or reject the drift a stage's watch found. */
export async function driftDecision(
  ctx: ServerContext,
  actor: Actor,
  request: { pipeline: string; stage: string; accept: boolean; reason?: string | undefined },
  origin: CommandOrigin = {},
): Promise<Ack> {
  const spec = await loadServerPipeline(ctx.options.pipelinesDir, request.pipeline);
  const stage = spec.stages.find((s) => s.name === request.stage);
  if (!stage) throw new ApiError(404, `pipeline ${spec.name} has no stage ${request.stage}; its stages: ${spec.stages.map((s) => s.name).join(', ')}`);
  await authorize(ctx, actor, 'drift', spec, stage.name);
  const temporal = await ctx.temporal.get();
  const where = { kind: 'drift', id: driftWorkflowId(spec.name, stage.name), stage: stage.name, pipeline: spec.name } as const;
  const status = await temporal.query(where, driftStatusQuery);
  const target: DecisionTarget = {
    promotionId: where.id,
    pipeline: spec.name,
    version: '',
    stage: stage.name,
    gate: null,
    attempt: null,
    commit: status.lastCheck?.sha ?? null,
  };
  const decision = await ctx.sign(DecisionAction.Drift, actor, target, channelOf(origin));
  const arg: DriftDecisionArgs = { actor: actor.name, decision: decision.token, ...optional('reason', request.reason) };
  return temporal.update(where, request.accept ? acceptDriftUpdate : rejectDriftUpdate, arg, decision.decisionId);
}

function channelOf(origin: CommandOrigin): { channel: DecisionChannel } {
  return { channel: origin.channel ?? (origin.link ? DecisionChannel.Link : DecisionChannel.Cli) };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
