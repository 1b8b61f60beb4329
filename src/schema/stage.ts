/** One environment of the pipeline: where its manifests live and how a version reaches it. */
import { z } from 'zod';
import { APPROVER_PATTERN } from '../domain/names.js';
import { Duration, Name, RelativePath } from './common.js';
import { Strategy } from './strategy.js';
import { UpdateTarget } from './update-target.js';

export const ApprovalTimeoutAction = { Reject: 'reject', Remind: 'remind' } as const;

const Approver = z.string().regex(new RegExp(APPROVER_PATTERN), {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not an approver. Write a user name (alice) or a group (group:release-managers)`,
});

export const Approval = z
  .strictObject({
    approvers: z
      .array(Approver)
      .min(1, { error: 'an approval gate names at least one approver. Add users or group:<name>' })
      .describe('Users (alice) and groups (group:release-managers) allowed to approve.'),
    minApprovals: z.int().min(1, { error: 'minApprovals is at least 1' }).default(1).describe('Distinct approvers needed.'),
    timeout: Duration.optional().describe('How long to wait for approval; without it, wait forever.'),
    onTimeout: z
      .enum(['reject', 'remind'])
      .default('reject')
      .describe('reject: the stage fails and rolls back; remind: notify and keep waiting.'),
  })
  .transform(({ approvers, timeout, ...approval }) => ({
    ...approval,
    timeoutMs: timeout ?? null,
    approvers: approvers.map((entry) =>
      entry.startsWith('group:')
        ? { kind: 'group' as const, name: entry.slice('group:'.length) }
        : { kind: 'user' as const, name: entry },
    ),
  }));

export const Rollback = z.strictObject({
  automatic: z.boolean().default(true).describe('Revert this stage\'s commits when it fails.'),
  scope: z
    .enum(['stage', 'promotion'])
    .default('stage')
    .describe('stage: revert only the failing stage; promotion: revert every stage this promotion changed.'),
});

export const Stage = z
  .strictObject({
    name: Name,
    path: RelativePath.describe('The directory of this environment\'s manifests in the repository.'),
    update: z
      .array(UpdateTarget)
      .min(1, { error: 'a stage needs at least one place to write the version' })
      .describe('Where the (stable) version is written.'),
    strategy: Strategy.optional(),
    approval: Approval.optional().describe('A gate before the version is written.'),
    rollback: Rollback.optional().describe('Overrides spec.rollback for this stage.'),
  })
  .transform(({ strategy, approval, rollback, ...stage }) => ({
    ...stage,
    strategy: strategy ?? { kind: 'direct' as const },
    approval: approval ?? null,
    rollback: rollback ?? null,
  }));
