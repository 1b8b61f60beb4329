/** The audit trail's API shapes (GET /api/v1/audit, /api/v1/audit/verify), for validation and the OpenAPI document. */
import { z } from 'zod';
import { PipelineName } from './schemas.js';

export const AuditQuery = z.strictObject({
  pipeline: PipelineName.optional(),
  since: z.string().max(64).describe('7d, 12h, 30m, or an ISO-8601 time').optional(),
});
export const AuditVerifyQuery = z.strictObject({ pipeline: PipelineName.optional() });

const Hash = z.string().regex(/^[0-9a-f]{64}$/);

export const AuditRecord = z
  .object({
    id: z.string(),
    at: z.string(),
    kind: z.string(),
    message: z.string(),
    actor: z.object({ name: z.string(), method: z.string() }).passthrough().nullable(),
    channel: z.string().nullable(),
    decisionId: z.string().optional(),
    bound: z.object({
      promotionId: z.string().nullable(),
      pipeline: z.string().nullable(),
      stage: z.string().nullable(),
      attempt: z.number().nullable(),
      gate: z.string().nullable(),
      commit: z.string().nullable(),
    }),
    policy: z.object({ name: z.string(), hash: z.string(), effect: z.string() }).optional(),
    reason: z.string().optional(),
    workflowId: z.string(),
    seq: z.number().int(),
    prev: Hash,
    hash: Hash,
  })
  .openapi('AuditRecord', { description: 'one decision on the audit trail (docs/governance.md#audit-trail), one per line of application/x-ndjson' });

export const AuditTrailVerification = z
  .object({
    trail: z.string(),
    pipelines: z.array(z.string()),
    verification: z.union([
      z.object({ intact: z.literal(true), records: z.number().int(), head: Hash }),
      z.object({ intact: z.literal(false), records: z.number().int(), at: z.number().int(), id: z.string().nullable(), problem: z.string() }),
    ]),
  })
  .openapi('AuditTrailVerification', { description: 'one trail (a repository’s branch ramp/audit) and whether it is intact' });
