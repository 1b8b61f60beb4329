/** A pipeline's history (its GitOps commits) and drift, and drift decisions. */
import type { Hono } from 'hono';
import { driftCommand } from '../../cli/commands/drift.js';
import { historyCommand } from '../../cli/commands/history.js';
import { driftDecision } from '../actions.js';
import { runCliJson } from '../cli-bridge.js';
import type { AppEnv, ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { loadServerPipeline } from '../pipelines.js';
import { bodyOf, pathOf, queryOf } from '../request.js';
import { DriftQuery, HistoryQuery, OptionalReasonRequest, PipelineParams, PipelineStageParams } from '../schemas.js';

export function pipelineRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  /** 404 unless the server has the pipeline (and the stage, when one is named). */
  const known = async (pipeline: string, stage: string | undefined) => {
    const spec = await loadServerPipeline(ctx.options.pipelinesDir, pipeline);
    if (stage !== undefined && !spec.stages.some((s) => s.name === stage)) {
      throw new ApiError(404, `pipeline ${pipeline} has no stage ${stage}; its stages: ${spec.stages.map((s) => s.name).join(', ')}`);
    }
  };

  app.get('/api/v1/pipelines/:pipeline/history', async (c) => {
    const { pipeline } = pathOf(c, PipelineParams);
    const query = queryOf(c, HistoryQuery);
    await known(pipeline, query.stage);
    const args = [pipeline, ...(query.stage ? ['--stage', query.stage] : []), ...(query.limit ? ['--limit', String(query.limit)] : [])];
    return c.json(await runCliJson(ctx, historyCommand, args));
  });

  app.get('/api/v1/pipelines/:pipeline/drift', async (c) => {
    const { pipeline } = pathOf(c, PipelineParams);
    const query = queryOf(c, DriftQuery);
    await known(pipeline, query.stage);
    return c.json(await runCliJson(ctx, driftCommand, [pipeline, ...(query.stage ? ['--stage', query.stage] : [])]));
  });

  for (const decision of ['accept', 'reject'] as const) {
    app.post(`/api/v1/pipelines/:pipeline/stages/:stage/drift/${decision}`, async (c) => {
      const { pipeline, stage } = pathOf(c, PipelineStageParams);
      const { reason } = await bodyOf(c, OptionalReasonRequest);
      return c.json(await driftDecision(ctx, c.get('actor'), { pipeline, stage, accept: decision === 'accept', reason }, { channel: c.get('channel') }));
    });
  }
}
