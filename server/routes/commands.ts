/** Decisions on a promotion: the stage commands (approve, reject, pause, resume, skip), abort and retry. */
import type { Hono } from 'hono';
import { promotionCommand, stageCommand } from '../actions.js';
import type { AppEnv, ServerContext } from '../context.js';
import { bodyOf, pathOf } from '../request.js';
import { EmptyRequest, PromotionParams, ReasonRequest, STAGE_ACTIONS, StageParams, type StageAction } from '../schemas.js';

export function commandRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  for (const action of Object.keys(STAGE_ACTIONS) as StageAction[]) {
    app.post(`/api/v1/promotions/:id/stages/:stage/${action}`, async (c) => {
      const { id, stage } = pathOf(c, StageParams);
      const body: { comment?: string | undefined; reason?: string | undefined } = await bodyOf(c, STAGE_ACTIONS[action]);
      return c.json(await stageCommand(ctx, c.get('actor'), { promotionId: id, stage, action, body }, { channel: c.get('channel') }));
    });
  }

  app.post('/api/v1/promotions/:id/abort', async (c) => {
    const { id } = pathOf(c, PromotionParams);
    const { reason } = await bodyOf(c, ReasonRequest);
    return c.json(await promotionCommand(ctx, c.get('actor'), { promotionId: id, action: 'abort', reason }, { channel: c.get('channel') }));
  });

  app.post('/api/v1/promotions/:id/retry', async (c) => {
    const { id } = pathOf(c, PromotionParams);
    await bodyOf(c, EmptyRequest);
    return c.json(await promotionCommand(ctx, c.get('actor'), { promotionId: id, action: 'retry' }, { channel: c.get('channel') }));
  });
}
