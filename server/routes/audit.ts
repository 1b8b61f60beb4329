/**
 * The audit trail (docs/governance.md#audit-trail): GET /api/v1/audit (JSON lines) and
 * GET /api/v1/audit/verify. Behind authentication like every /api/v1 route: any signed-in person
 * may read it (it holds what the statuses and `ramp history` already show, with who decided).
 * The server runs `ramp audit` in-process with its own Temporal settings and pipelines directory.
 */
import type { Hono } from 'hono';
import { auditCommand } from '../../cli/commands/audit.js';
import type { CommandIo } from '../../cli/command.js';
import { InternalError } from '../../src/errors.js';
import { AuditQuery, AuditVerifyQuery } from '../audit-schemas.js';
import type { AppEnv, ServerContext } from '../context.js';
import { loadServerPipeline } from '../pipelines.js';
import { queryOf } from '../request.js';

export function auditRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/api/v1/audit', async (c) => {
    const query = queryOf(c, AuditQuery);
    if (query.pipeline !== undefined) await loadServerPipeline(ctx.options.pipelinesDir, query.pipeline);
    const args = [...(query.pipeline ? ['--pipeline', query.pipeline] : []), ...(query.since ? ['--since', query.since] : [])];
    const text = await runAudit(ctx, args);
    return c.body(text, 200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
  });

  app.get('/api/v1/audit/verify', async (c) => {
    const query = queryOf(c, AuditVerifyQuery);
    if (query.pipeline !== undefined) await loadServerPipeline(ctx.options.pipelinesDir, query.pipeline);
    const text = await runAudit(ctx, ['verify', ...(query.pipeline ? ['--pipeline', query.pipeline] : [])]);
    if (text.trim() === '') throw new InternalError('ramp audit verify --json printed nothing');
    return c.json(JSON.parse(text) as unknown);
  });
}

/** `ramp audit <args> --json`, with the server's settings; its stdout (a broken trail is an answer, not an error). */
async function runAudit(ctx: ServerContext, args: string[]): Promise<string> {
  const { settings, env } = ctx.options.temporal;
  let stdout = '';
  const io: CommandIo = {
    stdout: (text) => (stdout += text),
    stderr: () => {},
    isTty: false,
    color: false,
    cwd: ctx.options.pipelinesDir,
    env: { ...env, RAMP_PIPELINES_DIR: ctx.options.pipelinesDir },
  };
  const flags = ['--address', settings.address, '--namespace', settings.namespace, '--task-queue', settings.taskQueue];
  await auditCommand.run([...args, ...flags, '--json'], io);
  return stdout;
}
