/**
 * The history guards (docs/governance.md#history-guard): GET /api/v1/guard lists every watched
 * repository (`ramp guard --json`); POST /api/v1/guard/ack acknowledges the rewritten history of
 * a pipeline's repository — checked (administer on the pipeline; anyone for a pipeline without
 * an access block), signed (`history-ack`, bound to the guard and the rewrite's first missing
 * commit) and sent with the decision's id as the Update id.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { acknowledgeGuard, guardStatusOf, readGuards } from '../../cli/guard-temporal.js';
import { guardWorkflowId, publicUrl } from '../../src/domain/guard.js';
import { historyAckRefusal } from '../../src/domain/guard-permission.js';
import { DecisionAction, DecisionChannel, type DecisionTarget } from '../../src/identity/decision.js';
import type { AppEnv, ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { loadServerPipeline } from '../pipelines.js';
import { bodyOf } from '../request.js';
import { PipelineName } from '../schemas.js';

export const GuardAckRequest = z
  .strictObject({
    pipeline: PipelineName,
    reason: z.string().trim().min(1, 'reason must not be blank: say why the rewrite is fine, or what was done about it').max(2_000),
  })
  .openapi('GuardAckRequest');

const Missing = z.object({ branch: z.string(), sha: z.string(), seenAs: z.enum(['pushed', 'tip']) });
export const GuardStatusSchema = z
  .object({
    url: z.string().describe('the repository, without credentials'),
    branch: z.string(),
    intervalMs: z.number(),
    phase: z.enum(['Starting', 'Ok', 'Rewritten', 'CheckFailed', 'Unreachable']),
    message: z.string(),
    rewritten: z
      .object({ branch: z.string(), missing: z.array(Missing), detectedAt: z.string() })
      .nullable()
      .describe('set while writes are blocked'),
    branches: z.array(z.object({ branch: z.string(), tip: z.string().nullable(), pushed: z.array(z.string()) })),
    pipelines: z.array(z.string()),
    promotions: z.record(z.string(), z.string()).describe('per pipeline, the latest promotion that pushed here (its routes carry the alert)'),
    lastCheck: z.object({ at: z.string() }).nullable(),
    checks: z.number(),
    events: z.array(
      z.object({ at: z.string(), kind: z.string(), message: z.string(), actor: z.string().optional(), reason: z.string().optional() }).passthrough(),
    ),
  })
  .openapi('GuardStatus');

export function guardRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/api/v1/guard', async (c) => c.json(await readGuards(await ctx.temporal.get())));

  app.post('/api/v1/guard/ack', async (c) => {
    const actor = c.get('actor');
    const request = await bodyOf(c, GuardAckRequest);
    const spec = await loadServerPipeline(ctx.options.pipelinesDir, request.pipeline);
    const open = !spec.access;
    const refusal =
      (await ctx.options.authorize(actor, open ? 'drift' : 'administer', spec, null)) ?? historyAckRefusal({ pipeline: spec.name, access: spec.access, actor });
    if (refusal !== null) {
      ctx.options.logger.info({ msg: 'refused', audit: true, permission: 'history-ack', pipeline: spec.name, stage: null, actor, reason: refusal });
      throw new ApiError(403, refusal);
    }
    const temporal = await ctx.temporal.get();
    const id = guardWorkflowId(spec.repository);
    const status = await guardStatusOf(temporal, id);
    const first = status?.rewritten?.missing[0]?.sha;
    if (!status || !first) {
      throw new ApiError(
        409,
        `nothing to acknowledge: the history of ${publicUrl(spec.repository.url)} (branch ${spec.repository.branch}) ${status ? 'was not found rewritten' : 'is not watched yet'}`,
      );
    }
    const target: DecisionTarget = { promotionId: id, pipeline: spec.name, version: '', stage: null, gate: null, attempt: null, commit: first };
    const decision = await ctx.sign(DecisionAction.HistoryAck, actor, target, { channel: c.get('channel') ?? DecisionChannel.Cli });
    return c.json(
      await acknowledgeGuard(temporal, spec.repository, { actor: actor.name, reason: request.reason, decision: decision.token }, decision.decisionId),
    );
  });
}
