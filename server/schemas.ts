/**
 * What `ramp server` takes and returns, as zod schemas: the routes validate with them and the
 * OpenAPI document (openapi.ts) is generated from them. Responses carry the same data as the
 * CLI's `--json` output; the status snapshot is the published docs/schemas/status.schema.json.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { NAME_MAX_LENGTH, NAME_PATTERN } from '../src/domain/names.js';
import { VERSION_PATTERN } from '../src/domain/version.js';
import { parseInstant } from '../src/dora/period.js';

// `.openapi()` on zod's types, which the OpenAPI registry uses to name components.
extendZodWithOpenApi(z);

/** Free text a person writes (a comment, a reason): bounded, so the record stays small. */
const TEXT_MAX = 2_000;

export const PipelineName = z
  .string()
  .max(NAME_MAX_LENGTH)
  .regex(new RegExp(NAME_PATTERN), 'a pipeline name is lower-case letters, digits and "-"')
  .describe('a pipeline of the server, by name (its pipelines directory holds <name>.yaml)');
export const StageName = z
  .string()
  .max(NAME_MAX_LENGTH)
  .regex(new RegExp(NAME_PATTERN), 'a stage name is lower-case letters, digits and "-"')
  .describe('a stage of the pipeline');
export const Version = z.string().regex(VERSION_PATTERN, 'a version is an image tag: up to 128 letters, digits, "_", "." and "-"').describe('the image tag');
/** `web@1.4.2`, or `web@1.3.0:rollback:production`. */
export const PromotionId = z
  .string()
  .max(300)
  .regex(
    /^[a-z0-9-]{1,63}@[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(:rollback:[a-z0-9-]{1,63}(,[a-z0-9-]{1,63})*)?$/,
    'a promotion id is <pipeline>@<version> (or ...:rollback:<stages>)',
  )
  .describe('the promotion (its workflow id), e.g. web@1.4.2');

const Text = (what: string) => z.string().trim().min(1, `${what} must not be blank`).max(TEXT_MAX);

// ---------------------------------------------------------------- requests

export const PromoteRequest = z
  .strictObject({
    pipeline: PipelineName,
    version: Version,
    stages: z.array(StageName).min(1).max(20).optional().describe('only these stages, in pipeline order (default: all)'),
    release: z
      .strictObject({
        commit: z
          .string()
          .regex(/^[0-9a-f]{7,64}$/, 'a commit is 7 to 64 lower-case hex digits')
          .optional(),
        authors: z.array(z.string().trim().min(1).max(320)).max(50).optional().describe('emails or subjects of the source commits’ authors (four-eyes)'),
        time: z
          .string()
          .max(64)
          .refine((t) => parseInstant(t, 'time').ok, 'a time is ISO-8601 with its zone, e.g. 2026-11-30T14:05:00Z')
          .optional()
          .describe("the source commit's time: DORA's lead time starts here"),
        fixes: Version.optional().describe('the version this release fixes forward (a change failure once this one is deployed)'),
      })
      .optional()
      .describe("what is known of the release's source"),
  })
  .describe('start promoting a version through the pipeline')
  .openapi('PromoteRequest');

export const RollbackRequest = z
  .strictObject({
    pipeline: PipelineName,
    version: Version.describe('the version to put back'),
    stages: z.array(StageName).length(1, 'a rollback names exactly one stage').describe('the stage to roll back'),
    reason: Text('reason').optional().describe('why: recorded with the rollback (the web page asks for it)'),
  })
  .describe('put an earlier version back in one stage')
  .openapi('RollbackRequest');

export const CommentRequest = z.strictObject({ comment: Text('comment').optional() });
export const ReasonRequest = z.strictObject({ reason: Text('reason') });
export const OptionalReasonRequest = z.strictObject({ reason: Text('reason').optional() });
export const EmptyRequest = z.strictObject({});

export const ListQuery = z.strictObject({
  pipeline: PipelineName.optional(),
  phase: z
    .string()
    .regex(/^[A-Za-z]{1,40}$/, 'a phase is a word such as Running or AwaitingApproval')
    .optional(),
  all: z.enum(['true', 'false']).optional().describe('include finished promotions'),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
export const HistoryQuery = z.strictObject({ stage: StageName.optional(), limit: z.coerce.number().int().min(1).max(1000).optional() });
export const DriftQuery = z.strictObject({ stage: StageName.optional() });

export const PromotionParams = z.strictObject({ id: PromotionId });
export const StageParams = z.strictObject({ id: PromotionId, stage: StageName });
export const PipelineParams = z.strictObject({ pipeline: PipelineName });
export const PipelineStageParams = z.strictObject({ pipeline: PipelineName, stage: StageName });

/** The stage commands and what each takes. */
export const STAGE_ACTIONS = {
  approve: CommentRequest,
  reject: ReasonRequest,
  pause: OptionalReasonRequest,
  resume: EmptyRequest,
  skip: OptionalReasonRequest,
  /** Through a closed deploy window or a freeze (the override permission; a reason is required). */
  'window-override': ReasonRequest,
} as const;
export type StageAction = keyof typeof STAGE_ACTIONS;

// ---------------------------------------------------------------- responses

export const ErrorResponse = z
  .object({
    error: z
      .string()
      .describe('a stable code: invalid_request, unauthenticated, forbidden, not_found, refused, payload_too_large, rate_limited, unavailable, internal'),
    message: z.string().describe('what went wrong, in a sentence'),
    hint: z.string().describe('what to do about it'),
  })
  .describe('every error')
  .openapi('Error');

export const Ack = z.object({ message: z.string().describe('what the workflow did, in a sentence') }).openapi('Ack');

export const Actor = z
  .object({
    subject: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    groups: z.array(z.string()),
    issuer: z.string(),
    method: z.enum(['oidc', 'service-token', 'local-unverified', 'slack']),
  })
  .openapi('Actor');

/** `ramp promote --json` and `ramp rollback --json` (without --wait). */
export const PromotionStarted = z
  .object({
    promotionId: z.string(),
    runId: z.string(),
    pipeline: z.string(),
    version: z.string(),
    kind: z.enum(['promote', 'rollback']),
    stages: z.array(z.string()),
    requestedBy: z.string(),
  })
  .openapi('PromotionStarted');

/** One line of `ramp list --json`. */
export const PromotionRow = z
  .object({
    id: z.string(),
    phase: z.string(),
    stage: z.string().nullable(),
    waitingFor: z.array(z.string()),
    startedAt: z.string(),
    closedAt: z.string().nullable(),
    message: z.string().nullable(),
  })
  .openapi('PromotionRow');

/** One entry of `ramp history --json`. */
export const HistoryEntry = z
  .object({
    sha: z.string(),
    committedAt: z.string(),
    subject: z.string(),
    promotion: z.string(),
    stage: z.string(),
    step: z.string(),
    version: z.string().nullable(),
    approvedBy: z.array(z.string()),
    requestedBy: z.string().nullable(),
    rollback: z.object({ of: z.string(), reason: z.string() }).nullable(),
  })
  .openapi('HistoryEntry');

/** One stage of `ramp drift --json`: the watch's status (workflows/drift-messages.ts DriftStatus), or why there is none. */
export const DriftReport = z
  .object({
    stage: z.string(),
    status: z.looseObject({ phase: z.string(), message: z.string(), drifts: z.array(z.unknown()) }).nullable(),
    problem: z.string().nullable(),
  })
  .openapi('DriftReport');

export const Health = z.object({ status: z.literal('ok') });
export const Readiness = z.object({ status: z.enum(['ready', 'unavailable']), message: z.string() });
