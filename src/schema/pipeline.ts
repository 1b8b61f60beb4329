/**
 * The pipeline spec, `apiVersion: ramp/v1`, `kind: Pipeline`. This schema is the single
 * source of truth: `PipelineInput` is what users write (and what pipeline.schema.json
 * describes), `PipelineSpec` the normalised plain JSON that workflows receive.
 */
import { z } from 'zod';
import { quote } from './messages.js';
import { Access } from './access.js';
import { Name } from './common.js';
import { AnalysisTemplate } from './analysis-template.js';
import { Notifications } from './notifications.js';
import { Policies } from './policies.js';
import { Rollback, Stage } from './stage.js';

export const API_VERSION = 'ramp/v1';
export const KIND = 'Pipeline';

export const Repository = z
  .strictObject({
    url: z.string().min(1).describe('Clone URL of the GitOps repository (https, ssh, or a local path).'),
    branch: z.string().min(1).default('main').describe('The branch ramp commits to.'),
    credentials: z
      .strictObject({
        secretRef: z.string().min(1).describe('Name of a credential configured on the worker; never the secret itself.'),
      })
      .optional(),
  })
  .describe("The GitOps repository that holds every stage's manifests.");

export const Artifact = z
  .strictObject({
    image: z
      .string()
      .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, {
        error: (issue) => `${quote(String(issue.input))} is not an image name. Write it without a tag (registry.example.com/team/web); the version is the tag`,
      })
      .describe('The image repository; a version is one of its tags.'),
  })
  .describe('What is promoted: an image whose tags are the versions.');

export const Metadata = z.strictObject({
  name: Name.describe('The pipeline name; promotions are identified by it.'),
  description: z.string().optional(),
});

/** The document as written, before it is normalised into a PipelineSpec. */
export const PipelineShape = z.strictObject({
  apiVersion: z.literal(API_VERSION, { error: `apiVersion must be ${API_VERSION}` }),
  kind: z.literal(KIND, { error: `kind must be ${KIND}` }),
  metadata: Metadata,
  spec: z.strictObject({
    repository: Repository,
    artifact: Artifact,
    analysisTemplates: z.array(AnalysisTemplate).default([]),
    rollback: Rollback.default({ automatic: true, scope: 'stage' }).describe('Default rollback policy for every stage.'),
    stages: z.array(Stage).min(1, { error: 'a pipeline has at least one stage' }).describe('Environments, in promotion order.'),
    access: Access.optional(),
    notifications: Notifications.optional(),
    policies: Policies.optional(),
  }),
});

/** Its parts, each validated and normalised (what `assemble` puts together). */
export type PipelineParts = Pick<z.output<typeof PipelineShape>, 'metadata' | 'spec'>;

/** The normalised spec from its validated parts: stages inherit the pipeline's rollback policy. */
export function assemble({ metadata, spec }: PipelineParts) {
  return {
    apiVersion: API_VERSION,
    name: metadata.name,
    description: metadata.description ?? '',
    repository: { url: spec.repository.url, branch: spec.repository.branch, secretRef: spec.repository.credentials?.secretRef ?? null },
    artifact: spec.artifact,
    analysisTemplates: spec.analysisTemplates,
    stages: spec.stages.map(({ rollback, ...stage }) => ({ ...stage, rollback: rollback ?? spec.rollback })),
    /** Null without an access block: today's defaults (src/domain/permissions.ts). */
    access: spec.access ?? null,
    /** Null without a notifications block: only the worker-wide RAMP_NOTIFY_WEBHOOKS (docs/notifications.md). */
    notifications: spec.notifications ?? null,
    /** The pipeline's own policies (organisation-wide ones come from the worker's RAMP_POLICY_FILES). */
    policies: spec.policies ?? [],
  };
}

export const PipelineInputSchema = PipelineShape.transform(assemble);

/** What users write. */
export type PipelineInput = z.input<typeof PipelineInputSchema>;
/** The normalised spec that workflows receive. */
export type PipelineSpec = z.output<typeof PipelineInputSchema>;
export type StageSpec = PipelineSpec['stages'][number];
export type StrategySpec = StageSpec['strategy'];
export type CanaryStrategySpec = Extract<StrategySpec, { kind: 'canary' }>;
export type CanaryStepSpec = CanaryStrategySpec['steps'][number];
export type UpdateTargetSpec = StageSpec['update'][number];
export type AnalysisTemplateSpec = PipelineSpec['analysisTemplates'][number];
export type MetricSpec = AnalysisTemplateSpec['metrics'][number];
export type JudgeSpec = NonNullable<AnalysisTemplateSpec['judge']>;
export type WebhookSpec = StageSpec['webhooks'][number];
export type ApprovalSpec = NonNullable<StageSpec['approval']>;
export type TrafficRoutingSpec = NonNullable<CanaryStrategySpec['trafficRouting']>;
export type CanaryScaleSpec = NonNullable<CanaryStrategySpec['scale']>;
export type RepositorySpec = PipelineSpec['repository'];
export type SyncSpec = StageSpec['sync'];
export type DriftSpec = NonNullable<StageSpec['drift']>;
export type { AccessSpec, GrantSpec } from './access.js';
export type { NotificationsSpec, RouteSpec } from './notifications.js';
export type { PolicySpec, PolicyCheckpoint, PinnedPolicy, PolicyEffect } from './policies.js';
export type { WindowSpec, WindowsSpec, SoakSpec } from './windows.js';
export type { ApproverEntry } from './approval.js';
export type { ApprovalRule } from '../domain/approval-rules.js';
