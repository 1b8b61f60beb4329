/**
 * The organisation-wide freeze through the API (docs/governance.md#freeze): GET /api/v1/freeze
 * (the freeze in force and its record), POST /api/v1/freeze (declare) and POST
 * /api/v1/freeze/lift (lift). Each decision is signed for the caller (action `freeze`, bound to
 * the `ramp-freeze` workflow and to `declare` or `lift`) on the request's channel (`cli` with a
 * bearer token, `web` with the session cookie); the workflow decides who may (RAMP_FREEZE_GROUPS)
 * and its refusal is 403.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { declareFreeze, liftFreeze, readFreezeRecord } from '../../cli/freeze-temporal.js';
import { freezeUntil } from '../../src/domain/freeze-rules.js';
import type { Actor as ActorType } from '../../src/identity/actor.js';
import { DecisionAction, type DecisionTarget } from '../../src/identity/decision.js';
import { FreezeVerb, freezeWorkflowId } from '../../workflows/freeze-messages.js';
import type { AppEnv, ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { bodyOf } from '../request.js';
import { Actor } from '../schemas.js';

const Reason = z.string().trim().min(1, 'reason must not be blank').max(2_000).describe('why: recorded and shown to everyone the freeze stops');

export const DeclareFreezeRequest = z
  .strictObject({
    reason: Reason,
    until: z.string().trim().min(1).max(64).optional().describe('when it ends by itself: an ISO-8601 time with a zone, e.g. 2026-12-24T18:00:00Z'),
    for: z.string().trim().min(1).max(32).optional().describe('or a duration from now: 4h, 1d, 1h30m (not with until)'),
  })
  .describe('declare an organisation-wide freeze; without until or for it lasts until lifted')
  .openapi('DeclareFreezeRequest');

export const LiftFreezeRequest = z.strictObject({ reason: Reason }).describe('lift the freeze in force').openapi('LiftFreezeRequest');

export const FreezeState = z
  .object({
    declaredBy: Actor,
    channel: z.enum(['cli', 'web', 'link', 'slack']),
    declaredAt: z.string(),
    reason: z.string(),
    until: z.string().nullable().describe('null: until lifted'),
  })
  .openapi('FreezeState');

export const FreezeRecord = z
  .object({
    state: FreezeState.nullable().describe('the freeze in force; null: none'),
    events: z
      .array(
        z.object({
          at: z.string(),
          kind: z.enum(['declared', 'lifted', 'expired', 'refused', 'continued-as-new']),
          message: z.string(),
          actor: z.string().optional(),
          identity: Actor.optional(),
        }),
      )
      .describe('oldest first, the latest 200'),
  })
  .openapi('FreezeRecord');

export const FreezeAck = z
  .object({ message: z.string().describe('what the freeze workflow did, in a sentence'), state: FreezeState.nullable() })
  .openapi('FreezeAck');

/** What a freeze decision is about: the freeze workflow, and which verb (a declare's decision never lifts). */
function freezeTarget(verb: FreezeVerb, taskQueue: string): DecisionTarget {
  return { promotionId: freezeWorkflowId(taskQueue), pipeline: '', version: '', stage: null, gate: verb, attempt: null, commit: null };
}

export function freezeRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/api/v1/freeze', async (c) => c.json(await readFreezeRecord(await ctx.temporal.get())));

  app.post('/api/v1/freeze', async (c) => {
    const body = await bodyOf(c, DeclareFreezeRequest);
    const until = freezeUntil({ until: body.until, for: body.for }, Date.now());
    if (!until.ok) throw new ApiError(400, until.error.replace('--until or --for', 'until or for').replace('--for: ', 'for: '));
    const actor: ActorType = c.get('actor');
    const temporal = await ctx.temporal.get();
    const decision = await ctx.sign(DecisionAction.Freeze, actor, freezeTarget(FreezeVerb.Declare, temporal.settings.taskQueue), { channel: c.get('channel') });
    const args = { actor: actor.name, decision: decision.token, reason: body.reason, until: until.until };
    return c.json(await declareFreeze(temporal, args, decision.decisionId));
  });

  app.post('/api/v1/freeze/lift', async (c) => {
    const body = await bodyOf(c, LiftFreezeRequest);
    const actor: ActorType = c.get('actor');
    const temporal = await ctx.temporal.get();
    const decision = await ctx.sign(DecisionAction.Freeze, actor, freezeTarget(FreezeVerb.Lift, temporal.settings.taskQueue), { channel: c.get('channel') });
    return c.json(await liftFreeze(temporal, { actor: actor.name, decision: decision.token, reason: body.reason }, decision.decisionId));
  });
}
