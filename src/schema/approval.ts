/** Approval gates: before a stage writes its version, or as a canary step. */
import { z } from 'zod';
import { quote } from './messages.js';
import { APPROVER_PATTERN } from '../domain/names.js';
import { Duration } from './common.js';

export const ApprovalTimeoutAction = { Reject: 'reject', Remind: 'remind' } as const;

const Approver = z.string().regex(new RegExp(APPROVER_PATTERN), {
  error: (issue) => `${quote(String(issue.input))} is not an approver. Write a user name (alice) or a group (group:release-managers)`,
});

export const Approval = z
  .strictObject({
    approvers: z
      .array(Approver)
      .min(1, { error: 'an approval gate names at least one approver. Add users or group:<name>' })
      .describe('Users (alice) and groups (group:release-managers) allowed to approve.'),
    minApprovals: z.int().min(1, { error: 'minApprovals is at least 1' }).default(1).describe('Distinct approvers needed.'),
    timeout: Duration.optional().describe('How long to wait for approval; without it, wait forever.'),
    onTimeout: z.enum(['reject', 'remind']).default('reject').describe('reject: the stage fails and rolls back; remind: notify and keep waiting.'),
  })
  .transform(({ approvers, timeout, ...approval }) => ({
    ...approval,
    timeoutMs: timeout ?? null,
    approvers: approvers.map((entry) =>
      entry.startsWith('group:') ? { kind: 'group' as const, name: entry.slice('group:'.length) } : { kind: 'user' as const, name: entry },
    ),
  }));
