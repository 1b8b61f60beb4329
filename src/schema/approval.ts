/** Approval gates: before a stage writes its version, or as a canary step. */
import { z } from 'zod';
import { quote } from './messages.js';
import { checkApprovalRules, formatApprovalRules, parseApprovalRules, rulesTotal, MAX_RULE_COUNT, type ApprovalRulesParse } from '../domain/approval-rules.js';
import { APPROVER_PATTERN } from '../domain/names.js';
import { Duration } from './common.js';

export const ApprovalTimeoutAction = { Reject: 'reject', Remind: 'remind' } as const;

/** A user (`alice`) or a group (`group:release-managers`): approvers, grants' `who`. */
export const Approver = z.string().regex(new RegExp(APPROVER_PATTERN), {
  error: (issue) => `${quote(String(issue.input))} is not an approver. Write a user name (alice) or a group (group:release-managers)`,
});

/** An approver as the normalised spec holds it. */
export type ApproverEntry = { kind: 'user'; name: string } | { kind: 'group'; name: string };

/** `alice` → a user, `group:sre` → a group. */
export function approverEntry(entry: string): ApproverEntry {
  return entry.startsWith('group:') ? { kind: 'group', name: entry.slice('group:'.length) } : { kind: 'user', name: entry };
}

const ruleList = z
  .array(
    z.strictObject({
      count: z.int().min(1, { error: 'count is at least 1' }).max(MAX_RULE_COUNT).describe('Distinct approvers of the group needed.'),
      of: z.string().describe('The group: group:<name>.'),
    }),
  )
  .describe('Rules as a list: [{ count: 2, of: group:sre }].');

const Require = z
  .union([z.string().describe('Rules: "2 of group:sre and 1 of group:product".'), ruleList])
  .transform((value, ctx) => {
    const parsed: ApprovalRulesParse = typeof value === 'string' ? parseApprovalRules(value) : checkApprovalRules(value);
    if (parsed.ok) return parsed.rules;
    ctx.issues.push({ code: 'custom', message: parsed.error, input: value });
    return z.NEVER;
  })
  .describe(
    'Approval rules (GitLab-style): "2 of group:sre and 1 of group:product". Each approval counts toward one rule, so this needs three distinct people.',
  );

export const Approval = z
  .strictObject({
    approvers: z
      .array(Approver)
      .min(1, { error: 'an approval gate names at least one approver. Add users or group:<name>' })
      .describe('Users (alice) and groups (group:release-managers) allowed to approve.'),
    minApprovals: z
      .int()
      .min(1, { error: 'minApprovals is at least 1' })
      .optional()
      .describe("Distinct approvers needed (default 1; with require, the rules' total)."),
    require: Require.optional(),
    allowSelfApproval: z
      .boolean()
      .default(false)
      .describe("Let the promotion's starter and the release's commit authors approve it (default false: four-eyes)."),
    timeout: Duration.optional().describe('How long to wait for approval; without it, wait forever.'),
    onTimeout: z.enum(['reject', 'remind']).default('reject').describe('reject: the stage fails and rolls back; remind: notify and keep waiting.'),
  })
  .superRefine((approval, ctx) => {
    // Only a written minApprovals can contradict the rules: the default follows them.
    const total = approval.require ? rulesTotal(approval.require) : 0;
    if (approval.require && approval.minApprovals !== undefined && approval.minApprovals < total) {
      ctx.addIssue({
        code: 'custom',
        path: ['minApprovals'],
        input: approval.minApprovals,
        message: `minApprovals is ${approval.minApprovals} but require (${formatApprovalRules(approval.require)}) needs ${total} distinct approvers. Remove minApprovals, or raise it to ${total} or more (approvals past the rules may come from any approver)`,
      });
    }
  })
  .transform(({ approvers, timeout, minApprovals, require, ...approval }) => ({
    ...approval,
    minApprovals: minApprovals ?? (require ? rulesTotal(require) : 1),
    require: require ?? null,
    timeoutMs: timeout ?? null,
    approvers: approvers.map(approverEntry),
  }));
