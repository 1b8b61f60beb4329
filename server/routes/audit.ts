/**
 * The audit trail (docs/governance.md#audit-trail): GET /api/v1/audit (JSON lines) and
 * GET /api/v1/audit/verify. Behind authentication like every /api/v1 route: any signed-in person
 * may read it (it holds what the statuses and `ramp history` already show, with who decided).
 * The server runs `ramp audit` in-process with its own Temporal settings and pipelines directory.
 */
import type { Hono } from 'hono';
import { auditCommand } from '../../cli/commands/audit.js';
import { AuditQuery, AuditVerifyQuery } from '../audit-schemas.js';
import { runCliJson, runCliText } from '../cli-bridge.js';
import type { AppEnv, ServerContext } from '../context.js';
import { loadServerPipeline } from '../pipelines.js';
import { queryOf } from '../request.js';

export function auditRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/api/v1/audit', async (c) => {
    const query = queryOf(c, AuditQuery);
    if (query.pipeline !== undefined) await loadServerPipeline(ctx.options.pipelinesDir, query.pipeline);
    const args = [...(query.pipeline ? ['--pipeline', query.pipeline] : []), ...(query.since ? ['--since', query.since] : [])];
    const text = await runCliText(ctx, auditCommand, args);
    return c.body(text, 200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
  });

  app.get('/api/v1/audit/verify', async (c) => {
    const query = queryOf(c, AuditVerifyQuery);
    if (query.pipeline !== undefined) await loadServerPipeline(ctx.options.pipelinesDir, query.pipeline);
    return c.json(await runCliJson(ctx, auditCommand, ['verify', ...(query.pipeline ? ['--pipeline', query.pipeline] : [])]));
  });
}
