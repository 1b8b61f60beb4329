/**
 * Policies (docs/governance.md): CEL rules evaluated at named checkpoints of a promotion, from
 * the pipeline (`spec.policies`) and from organisation-wide policy files (RAMP_POLICY_FILES).
 * STUB written by the lead for issue 12; the policies helper owns and completes it.
 */
import { z } from 'zod';
import { Name } from './common.js';

/** Where a policy is evaluated. */
export const POLICY_CHECKPOINTS = ['stage-start', 'commit', 'full-promotion', 'rollback'] as const;
export type PolicyCheckpoint = (typeof POLICY_CHECKPOINTS)[number];

export const Policy = z.strictObject({
  name: Name,
  at: z.array(z.enum(POLICY_CHECKPOINTS)).min(1),
  when: z.string().min(1).describe('A CEL expression over the policy input; the effect applies when it is true.'),
  effect: z.enum(['deny', 'warn', 'require-approval']),
  message: z.string().min(1),
  require: z.string().optional().describe('With effect require-approval: the approval rule added, e.g. "1 of group:sre".'),
});

export const Policies = z.array(Policy).describe('Policies evaluated at checkpoints of every promotion of this pipeline (docs/governance.md).');
export type PolicySpec = z.output<typeof Policy>;
