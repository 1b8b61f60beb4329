/** /healthz (the process answers) and /readyz (Temporal answers too; else 503). No credentials needed. */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.js';

export function healthRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' as const }));
  app.get('/readyz', async (c) => {
    const problem = await ctx.temporal.unready();
    return problem === null ? c.json({ status: 'ready', message: 'Temporal answers' }) : c.json({ status: 'unavailable', message: problem }, 503);
  });
}
