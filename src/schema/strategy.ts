/** How a stage rolls a version out: all at once (direct), or as a canary walked through steps. */
import { z } from 'zod';
import { RelativePath } from './common.js';
import { AnalysisArg, CanaryStep } from './steps.js';
import { Name } from './common.js';
import { UpdateTarget } from './update-target.js';

const GatewayApiRoute = z.strictObject({
  gatewayAPI: z
    .strictObject({
      file: RelativePath.describe('The file holding the HTTPRoute, relative to the stage path.'),
      route: z.string().min(1).optional().describe('The HTTPRoute metadata.name, when the file holds several.'),
      stableBackend: z.string().min(1).describe('The backendRef name that serves the stable version.'),
      canaryBackend: z.string().min(1).describe('The backendRef name that serves the canary.'),
    })
    .describe('A Gateway API HTTPRoute whose backendRefs weights ramp writes.'),
});

export const TrafficRouting = z
  .union([GatewayApiRoute])
  .transform((routing) => ({ kind: 'gatewayAPI' as const, ...routing.gatewayAPI }));

export const CanaryScale = z.strictObject({
  file: RelativePath.describe('The canary workload file, relative to the stage path.'),
  path: z.string().min(1).default('spec.replicas').describe('The replica count field.'),
  replicas: z.int().min(1, { error: 'a running canary has at least 1 replica' }).describe('Replicas while the canary runs; 0 after.'),
});

/** Analysis that runs in the background across the canary's steps (Argo's `canary.analysis`). */
const BackgroundAnalysis = z
  .strictObject({
    templates: z.array(z.strictObject({ templateName: Name })).min(1, { error: 'an analysis names at least one template' }),
    args: z.array(AnalysisArg).default([]),
    startingStep: z.int().min(1, { error: 'startingStep counts steps from 1' }).default(1).describe('The step (from 1) at which the background analysis starts.'),
  })
  .transform(({ templates, args, startingStep }) => ({ templates: templates.map((t) => t.templateName), args, startingStep }));

const Canary = z.strictObject({
  canary: z.strictObject({
    update: z
      .array(UpdateTarget)
      .min(1, { error: 'the canary needs at least one place to write its version' })
      .describe('Where the canary version is written (the canary workload).'),
    scale: CanaryScale.optional().describe('Scale the canary workload up while it runs and back to 0 after.'),
    trafficRouting: TrafficRouting.optional(),
    analysis: BackgroundAnalysis.optional().describe('Measured in the background from startingStep until full promotion; a failure aborts the canary.'),
    steps: z.array(CanaryStep).min(1, { error: 'a canary has at least one step' }),
  }),
});

const Direct = z.strictObject({
  direct: z.strictObject({}).describe('Write the version and finish.'),
});

export const Strategy = z
  .union([Direct, Canary])
  .transform((strategy) =>
    'canary' in strategy ? { kind: 'canary' as const, ...strategy.canary, analysis: strategy.canary.analysis ?? null } : { kind: 'direct' as const },
  )
  .describe('direct (the default) or canary.');
