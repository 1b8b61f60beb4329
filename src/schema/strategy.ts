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

const Host = z.string().min(1);

const IstioDestination = z.strictObject({
  host: Host.describe('The destination.host, as the VirtualService writes it (a short name or the FQDN).'),
  subset: z.string().min(1).optional().describe('The destination.subset (a DestinationRule subset), when host alone does not tell stable and canary apart.'),
});

const IstioRoute = z.strictObject({
  istio: z
    .strictObject({
      file: RelativePath.describe('The file holding the VirtualService, relative to the stage path.'),
      virtualService: z.string().min(1).optional().describe('The VirtualService metadata.name, when the file holds several.'),
      routes: z
        .array(z.string().min(1))
        .min(1, { error: 'name at least one http route, or leave routes out to edit every route that has both destinations' })
        .optional()
        .describe('The names of the spec.http routes ramp edits; all routes that have both destinations when left out.'),
      stable: IstioDestination.describe('The destination that serves the stable version.'),
      canary: IstioDestination.describe('The destination that serves the canary.'),
    })
    .describe('An Istio VirtualService whose http route destination weights ramp writes.'),
});

const SmiRoute = z.strictObject({
  smi: z
    .strictObject({
      file: RelativePath.describe('The file holding the TrafficSplit, relative to the stage path.'),
      trafficSplit: z.string().min(1).optional().describe('The TrafficSplit metadata.name, when the file holds several.'),
      stableBackend: z.string().min(1).describe('The backends[].service that serves the stable version.'),
      canaryBackend: z.string().min(1).describe('The backends[].service that serves the canary.'),
    })
    .describe('An SMI TrafficSplit whose backend weights ramp writes.'),
});

const ReplicaRatio = z.strictObject({
  replicaRatio: z
    .strictObject({
      stableFile: RelativePath.describe('The stable workload file, relative to the stage path.'),
      canaryFile: RelativePath.describe('The canary workload file, relative to the stage path.'),
      path: z.string().min(1).default('spec.replicas').describe('The replica count field, in both files.'),
      replicas: z
        .int()
        .min(1, { error: 'the stable and canary workloads share at least 1 replica' })
        .describe('Replicas of stable and canary together; the canary gets ceil(replicas * weight / 100).'),
    })
    .describe('No router: the share of traffic is the share of replicas (a Service selects both workloads).'),
});

export const TrafficRouting = z
  .union([GatewayApiRoute, IstioRoute, SmiRoute, ReplicaRatio])
  .transform((routing) => {
    if ('gatewayAPI' in routing) return { kind: 'gatewayAPI' as const, ...routing.gatewayAPI };
    if ('istio' in routing) return { kind: 'istio' as const, ...routing.istio };
    if ('smi' in routing) return { kind: 'smi' as const, ...routing.smi };
    return { kind: 'replicaRatio' as const, ...routing.replicaRatio };
  })
  .describe("Where the canary's share of traffic is written: gatewayAPI, istio, smi or replicaRatio.");

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
    startingStep: z
      .int()
      .min(1, { error: 'startingStep counts steps from 1' })
      .default(1)
      .describe('The step (from 1) at which the background analysis starts.'),
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
