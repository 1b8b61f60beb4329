/**
 * The policies in force (docs/governance.md#policies): GET /api/v1/policies lists the
 * organisation's (RAMP_POLICY_FILES, which the server reads at start as the workers do) and, with
 * `?pipeline=`, the pipeline's own before them — each with its source and content hash, the hash
 * a promotion pins and its decisions name. Read-only: the workers decide policies.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { pin } from '../../src/governance/policy-hash.js';
import { policiesFor } from '../../src/governance/policy-file.js';
import type { PinnedPolicy } from '../../src/schema/pipeline.js';
import { POLICY_CHECKPOINTS } from '../../src/schema/policies.js';
import type { AppEnv, ServerContext } from '../context.js';
import { loadServerPipeline } from '../pipelines.js';
import { queryOf } from '../request.js';
import { PipelineName } from '../schemas.js';

export const PoliciesQuery = z.strictObject({ pipeline: PipelineName.optional() });

export const PolicyInForce = z
  .object({
    name: z.string(),
    at: z.array(z.enum(POLICY_CHECKPOINTS)),
    when: z.string().describe('the CEL condition'),
    effect: z.enum(['deny', 'warn', 'require-approval']),
    message: z.string(),
    require: z.string().optional(),
    source: z.string().describe('`pipeline`, or the organisation policy file it comes from'),
    hash: z.string().describe("sha256 of the policy's canonical JSON: what a promotion pins and its decisions name"),
  })
  .openapi('PolicyInForce');

export const PoliciesInForce = z.object({ policies: z.array(PolicyInForce) }).openapi('PoliciesInForce');

export function policyRoutes(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/api/v1/policies', async (c) => {
    const query = queryOf(c, PoliciesQuery);
    const files = ctx.options.policyFiles ?? [];
    let policies: PinnedPolicy[];
    if (query.pipeline === undefined) {
      policies = files.flatMap(({ file, spec }) => spec.policies.map((p) => pin(p, file)));
    } else {
      const spec = await loadServerPipeline(ctx.options.pipelinesDir, query.pipeline);
      policies = [...spec.policies.map((p) => pin(p, 'pipeline')), ...files.flatMap(({ file, spec: f }) => policiesFor(f, spec.name, file))];
    }
    return c.json({ policies });
  });
}
