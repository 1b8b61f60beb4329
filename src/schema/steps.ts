/**
 * Canary steps, written as Argo Rollouts users know them (`- setWeight: 20`, `- pause: {}`)
 * and normalised into a closed union discriminated by `kind`.
 */
import { z } from 'zod';
import { Approval } from './approval.js';
import { Duration, Name } from './common.js';

const SetWeight = z.strictObject({
  setWeight: z
    .int({ error: 'setWeight is a whole percentage from 0 to 100' })
    .min(0, { error: (issue) => `setWeight is a percentage from 0 to 100, not ${String(issue.input)}` })
    .max(100, { error: (issue) => `setWeight is a percentage from 0 to 100, not ${String(issue.input)}` })
    .describe('Percentage of traffic sent to the canary.'),
});

const Pause = z.strictObject({
  pause: z
    .strictObject({
      duration: Duration.optional().describe('How long to wait. Without it, wait until an operator resumes.'),
    })
    .describe('Wait for a duration, or until `ramp resume` when no duration is given.'),
});

export const AnalysisArg = z.strictObject({
  name: z.string().min(1),
  value: z.string({ error: 'an argument value is a string; quote numbers ("0.95")' }),
});

/** Which templates an analysis runs, with values for their args. */
export const AnalysisRef = z
  .strictObject({
    templates: z
      .array(z.strictObject({ templateName: Name.describe('The name of an entry in spec.analysisTemplates.') }))
      .min(1, { error: 'an analysis names at least one template' }),
    args: z.array(AnalysisArg).default([]).describe("Values for the templates' args."),
  })
  .transform(({ templates, args }) => ({ templates: templates.map((t) => t.templateName), args }));

const Analysis = z.strictObject({
  analysis: AnalysisRef.describe('Run analysis templates; the step completes when they succeed and aborts the stage when they fail.'),
});

const ApprovalStep = z.strictObject({
  approval: Approval.describe('Wait for approvers mid-canary; a rejection aborts and rolls back.'),
});

export const CanaryStep = z
  .union([SetWeight, Pause, Analysis, ApprovalStep])
  .transform((step) => {
    if ('setWeight' in step) return { kind: 'setWeight' as const, weight: step.setWeight };
    if ('pause' in step) return { kind: 'pause' as const, durationMs: step.pause.duration ?? null };
    if ('approval' in step) return { kind: 'approval' as const, approval: step.approval };
    return { kind: 'analysis' as const, ...step.analysis };
  })
  .describe('One canary step: setWeight, pause, analysis or approval.');

export const STEP_KINDS = ['setWeight', 'pause', 'analysis', 'approval'] as const;
