/**
 * A stage's DORA figures through the API: GET /api/v1/pipelines/{pipeline}/dora?stage=&since=&until=
 * answers exactly what `ramp dora <pipeline> --json` prints (the server runs the command in-process,
 * like history; docs/dora.md). Whoever may read the pipeline may read them. The web page reads
 * through readDora too.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { doraCommand } from '../../cli/commands/dora.js';
import { parseInstant, parseSince } from '../../src/dora/period.js';
import type { DoraReport as DoraReportType } from '../../src/dora/report.js';
import { runCliJson } from '../cli-bridge.js';
import type { AppEnv, ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { loadServerPipeline } from '../pipelines.js';
import { pathOf, queryOf } from '../request.js';
import { PipelineParams, StageName } from '../schemas.js';

const EPOCH = new Date(0);

export const DoraQueryParams = z.strictObject({
  stage: StageName.optional().describe("the environment (default: the pipeline's last stage)"),
  since: z
    .string()
    .max(64)
    .refine((t) => parseSince(t, 'since', EPOCH).ok, 'since is a duration back from now (30d, 12h, 90m, 2w) or an ISO-8601 time, e.g. 2026-11-01T00:00:00Z')
    .optional()
    .describe("the period's start, inclusive (default 30d)"),
  until: z
    .string()
    .max(64)
    .refine((t) => parseInstant(t, 'until').ok, 'until is an ISO-8601 time with its zone, e.g. 2026-11-30T00:00:00Z')
    .optional()
    .describe("the period's end, exclusive (default now)"),
});

const Seconds = z.number().nullable();
const Causes = z.object({ rollback: z.number(), revert: z.number(), 'fix-forward': z.number() });

/** `ramp dora --json`: src/dora/report.ts DoraReport. */
export const DoraReport = z
  .object({
    pipeline: z.string(),
    stage: z.string(),
    since: z.string(),
    until: z.string(),
    deploymentFrequency: z.object({ deployments: z.number(), perDay: z.number(), bucket: z.enum(['daily', 'weekly', 'monthly', 'yearly', 'none']) }),
    leadTime: z.object({ samples: z.number(), medianSeconds: Seconds, p90Seconds: Seconds, withoutSource: z.number() }),
    changeFailureRate: z.object({ failures: z.number(), deployments: z.number(), rate: z.number().nullable(), byCause: Causes }),
    canaryCatches: z.object({ count: z.number(), rateIncludingExposure: z.number().nullable() }),
    recovery: z.object({ samples: z.number(), medianSeconds: Seconds, p90Seconds: Seconds, open: z.number() }),
    releases: z.array(
      z.object({
        version: z.string(),
        promotion: z.string(),
        deployedAt: z.string().nullable(),
        leadTimeSeconds: Seconds,
        caught: z.boolean(),
        failure: z.object({ cause: z.enum(['rollback', 'revert', 'fix-forward']), detectedAt: z.string(), recoveredAt: z.string().nullable() }).nullable(),
      }),
    ),
  })
  .openapi('DoraReport');

/** The report as `ramp dora --json` prints it; 404 for an unknown pipeline or stage, 400 for a bad period. */
export async function readDora(ctx: ServerContext, pipeline: string, query: z.infer<typeof DoraQueryParams>): Promise<DoraReportType> {
  const spec = await loadServerPipeline(ctx.options.pipelinesDir, pipeline);
  if (query.stage !== undefined && !spec.stages.some((s) => s.name === query.stage)) {
    throw new ApiError(404, `pipeline ${pipeline} has no stage ${query.stage}; its stages: ${spec.stages.map((s) => s.name).join(', ')}`);
  }
  const args = [
    pipeline,
    ...(query.stage ? ['--env', query.stage] : []),
    ...(query.since ? ['--since', query.since] : []),
    ...(query.until ? ['--until', query.until] : []),
  ];
  return (await runCliJson(ctx, doraCommand, args)) as DoraReportType;
}

export function doraRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/api/v1/pipelines/:pipeline/dora', async (c) => {
    const { pipeline } = pathOf(c, PipelineParams);
    return c.json(await readDora(ctx, pipeline, queryOf(c, DoraQueryParams)));
  });
}
