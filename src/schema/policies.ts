/**
 * Policies (docs/governance.md): CEL rules evaluated at named checkpoints of a promotion, from
 * the pipeline (`spec.policies`) and from organisation-wide policy files (RAMP_POLICY_FILES,
 * `kind: Policies`). `when` is type-checked against the policy input (src/governance/policy-input.ts)
 * here, so `ramp validate` reports a typo in a field name at its line.
 */
import { z } from 'zod';
import { parseApprovalRules } from '../domain/approval-rules.js';
import { checkPolicyWhen } from '../governance/policy-input.js';
import { Name } from './common.js';

/** Where a policy is evaluated. */
export const POLICY_CHECKPOINTS = ['stage-start', 'commit', 'full-promotion', 'rollback'] as const;
export type PolicyCheckpoint = (typeof POLICY_CHECKPOINTS)[number];

export const POLICY_EFFECTS = ['deny', 'warn', 'require-approval'] as const;
export type PolicyEffect = (typeof POLICY_EFFECTS)[number];

export const Policy = z
  .strictObject({
    name: Name,
    at: z.array(z.enum(POLICY_CHECKPOINTS)).min(1),
    when: z.string().min(1).describe('A CEL expression over the policy input; the effect applies when it is true.'),
    effect: z.enum(POLICY_EFFECTS),
    message: z.string().min(1),
    require: z.string().optional().describe('With effect require-approval: the approval rule added, e.g. "1 of group:sre".'),
  })
  .superRefine((policy, ctx) => {
    const checked = checkPolicyWhen(policy.when);
    if (!checked.ok) {
      ctx.addIssue({ code: 'custom', path: ['when'], input: policy.when, message: `when is not a valid policy condition: ${checked.error}. ${WHEN_HINT}` });
    }
    if (policy.effect === 'require-approval') {
      if (policy.require === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['effect'],
          input: policy.effect,
          message: 'effect require-approval needs require: the approval rule it adds. Add e.g. require: "1 of group:sre"',
        });
      } else {
        const parsed = parseApprovalRules(policy.require);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['require'], input: policy.require, message: parsed.error });
      }
    } else if (policy.require !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['require'],
        input: policy.require,
        message: `require applies only to effect require-approval, and this policy's effect is ${policy.effect}. Remove require, or set effect: require-approval`,
      });
    }
  });

const WHEN_HINT =
  'It reads release, stage, checkpoint, diff, approvals, analysis, now, requester, history and window (docs/governance.md), e.g. stage.name == "production"';

export const Policies = z.array(Policy).describe('Policies evaluated at checkpoints of every promotion of this pipeline (docs/governance.md).');
export type PolicySpec = z.output<typeof Policy>;

/** An organisation-wide policy file: `kind: Policies`, read by the worker from RAMP_POLICY_FILES. */
export const PolicyFileShape = z.strictObject({
  apiVersion: z.literal('ramp/v1', { error: 'apiVersion is ramp/v1' }),
  kind: z.literal('Policies', { error: 'kind is Policies in a policy file' }),
  metadata: z.strictObject({ name: Name, description: z.string().optional() }),
  pipelines: z.array(Name).min(1).optional().describe('The pipelines these policies apply to; every pipeline when omitted.'),
  policies: z.array(Policy).min(1, { error: 'a policy file holds at least one policy' }),
});
export type PolicyFileSpec = z.output<typeof PolicyFileShape>;

/**
 * A policy as a promotion pins it: the spec, its content hash (sha256 of its canonical JSON)
 * and where it came from (`pipeline` or the policy file). Inputs pinned before policies were
 * pinned carry the spec alone.
 */
export type PinnedPolicy = PolicySpec & { hash?: string; source?: string };
