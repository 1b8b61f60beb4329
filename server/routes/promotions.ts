/** Promotions: start one (or a rollback), list them, read one. */
import type { Hono } from 'hono';
import { readSnapshot } from '../../cli/temporal-backend.js';
import { listCommand } from '../../cli/commands/list.js';
import { startFor } from '../actions.js';
import { runCliJson } from '../cli-bridge.js';
import type { AppEnv, ServerContext } from '../context.js';
import { bodyOf, pathOf, queryOf } from '../request.js';
import { ListQuery, PromoteRequest, PromotionParams, RollbackRequest } from '../schemas.js';

export function promotionRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.post('/api/v1/promotions', async (c) => {
    const body = await bodyOf(c, PromoteRequest);
    return c.json(await startFor(ctx, c.get('actor'), { kind: 'promote', ...body }, { channel: c.get('channel') }), 201);
  });

  app.post('/api/v1/rollbacks', async (c) => {
    const body = await bodyOf(c, RollbackRequest);
    return c.json(await startFor(ctx, c.get('actor'), { kind: 'rollback', ...body }, { channel: c.get('channel') }), 201);
  });

  app.get('/api/v1/promotions', async (c) => {
    const query = queryOf(c, ListQuery);
    const args = [
      ...(query.all === 'true' ? ['--all'] : []),
      ...(query.pipeline ? ['--pipeline', query.pipeline] : []),
      ...(query.phase ? ['--phase', query.phase] : []),
      ...(query.limit ? ['--limit', String(query.limit)] : []),
    ];
    return c.json(await runCliJson(ctx, listCommand, args));
  });

  app.get('/api/v1/promotions/:id', async (c) => {
    const { id } = pathOf(c, PromotionParams);
    return c.json(await readSnapshot(await ctx.temporal.get(), id));
  });
}
