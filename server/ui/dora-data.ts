/**
 * What the DORA page shows, read through the same path as GET /api/v1/pipelines/{pipeline}/dora
 * (readDora: `ramp dora --json` in-process, a worker reading the GitOps repository). Bounded: a
 * page is not held up for long by a slow first clone or a missing worker; it says so instead.
 */
import { DEFAULT_SINCE } from '../../src/dora/period.js';
import type { DoraReport } from '../../src/dora/report.js';
import type { ServerContext } from '../context.js';
import { ApiError, apiErrorOf } from '../errors.js';
import { loadServerPipeline } from '../pipelines.js';
import { DoraQueryParams, readDora } from '../routes/dora.js';
import type { DoraView } from './dora-page.js';

/** How long the page waits for the figures. */
export const DORA_READ_MS = 20_000;

/** The page's view; ApiError 404 for an unknown pipeline or stage, 400 for a bad query. */
export async function doraView(ctx: ServerContext, viewer: string, pipeline: string, given: Record<string, string>, readMs = DORA_READ_MS): Promise<DoraView> {
  const parsed = DoraQueryParams.safeParse(given);
  if (!parsed.success) throw new ApiError(400, parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
  const spec = await loadServerPipeline(ctx.options.pipelinesDir, pipeline);
  const stages = spec.stages.map((s) => s.name);
  const stage = parsed.data.stage ?? stages.at(-1)!;
  if (!stages.includes(stage)) throw new ApiError(404, `pipeline ${pipeline} has no stage ${stage}; its stages: ${stages.join(', ')}`);
  const since = parsed.data.since ?? DEFAULT_SINCE;
  const base = { viewer, pipeline, stages, stage, since };
  const command = `ramp dora ${pipeline} --env ${stage} --since ${since}`;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), readMs)));
  try {
    const report: DoraReport | 'late' = await Promise.race([readDora(ctx, pipeline, { ...parsed.data, stage, since }), late]);
    if (report === 'late')
      return {
        ...base,
        report: null,
        problem: `The figures did not come within ${readMs / 1000} s (a first clone of a large repository is slow; or no worker runs). Reload the page in a moment, or run ${command}.`,
      };
    return { ...base, report, problem: null };
  } catch (error) {
    const failure = apiErrorOf(error);
    if (failure.status === 400 || failure.status === 404) throw failure;
    return { ...base, report: null, problem: `The figures could not be read: ${failure.message.replace(/\.$/, '')}. Try ${command}.` };
  } finally {
    clearTimeout(timer);
  }
}
