/** One environment of the pipeline: where its manifests live and how a version reaches it. */
import { z } from 'zod';
import { Approval } from './approval.js';
import { Name, RelativePath } from './common.js';
import { AnalysisRef } from './steps.js';
import { Strategy } from './strategy.js';
import { Drift, NO_SYNC, Sync } from './sync.js';
import { Webhook } from './webhook.js';
import { UpdateTarget } from './update-target.js';
import { Soak, Windows } from './windows.js';

export const Rollback = z.strictObject({
  automatic: z.boolean().default(true).describe("Revert this stage's commits when it fails."),
  scope: z
    .enum(['stage', 'promotion'])
    .default('stage')
    .describe('stage: revert only the failing stage; promotion: revert every stage this promotion changed.'),
});

export const Stage = z
  .strictObject({
    name: Name,
    path: RelativePath.describe("The directory of this environment's manifests in the repository."),
    update: z.array(UpdateTarget).min(1, { error: 'a stage needs at least one place to write the version' }).describe('Where the (stable) version is written.'),
    strategy: Strategy.optional(),
    approval: Approval.optional().describe('A gate before the version is written.'),
    overrides: z
      .enum(['approvers', 'anyone'])
      .default('approvers')
      .describe(
        "Who may override a verdict or a gate (resume past an Inconclusive analysis, skip the remaining canary steps): the approvers of the stage's approvals (its gate and approval steps), or anyone. A stage without approvers lets anyone override. Overrides are always recorded.",
      ),
    verification: z
      .strictObject({
        prePromotion: AnalysisRef.optional().describe('Analysis after the canary steps, before full promotion.'),
        postPromotion: AnalysisRef.optional().describe('Analysis after full promotion; a failure rolls the stage back.'),
      })
      .optional(),
    webhooks: z.array(Webhook).default([]).describe("Webhook gates and notifications (Flagger's hook types)."),
    rollback: Rollback.optional().describe('Overrides spec.rollback for this stage.'),
    sync: Sync.optional().describe('How ramp learns that a commit is live and healthy in the cluster (default: mode none, Git only).'),
    drift: Drift.optional().describe('Watch the cluster for changes made outside Git (needs a sync mode other than none).'),
    windows: Windows.optional(),
    soak: Soak.optional(),
  })
  .transform(({ strategy, approval, rollback, verification, sync, drift, windows, soak, ...stage }) => ({
    ...stage,
    strategy: strategy ?? { kind: 'direct' as const },
    approval: approval ?? null,
    rollback: rollback ?? null,
    verification: { prePromotion: verification?.prePromotion ?? null, postPromotion: verification?.postPromotion ?? null },
    sync: sync ?? NO_SYNC,
    drift: drift ?? null,
    windows: windows ?? null,
    soak: soak ?? null,
  }));
