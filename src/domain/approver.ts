/**
 * Whether a person, as established (src/identity/actor.ts), may decide an approval or override
 * a gate: verified people match the gate's approvers by their subject, email or name, and by
 * the groups their token carries; unverified names match the worker's expanded groups, as
 * before identities existed. Four-eyes keeps the promotion's starter and the release's authors
 * from approving it unless the gate allows self-approval. Pure: workflows use it.
 */
import { actorIs, isVerified, personKey, readActor, type Actor } from '../identity/actor.js';
import type { ApprovalSpec, StageSpec } from '../schema/pipeline.js';
import { ApprovalOutcome, refusal, type ApprovalRecord } from './approval.js';
import { stageApprovals } from './override.js';

/** Who may not approve their own release, and whether this gate lets them. */
export interface SelfApproval {
  starter: Actor | null;
  /** Emails, subjects or names of the release's source commit authors. */
  authors: readonly string[];
  allowSelfApproval: boolean;
}

/** The approval spec of a gate named `gate` or `step <n>`; null when the stage has none such. */
export function gateSpec(stage: Pick<StageSpec, 'approval' | 'strategy'>, gate: string): ApprovalSpec | null {
  if (gate === 'gate') return stage.approval ?? null;
  const index = Number(/^step (\d+)$/.exec(gate)?.[1] ?? NaN) - 1;
  if (stage.strategy.kind !== 'canary' || !Number.isInteger(index)) return null;
  const step = stage.strategy.steps[index];
  return step?.kind === 'approval' ? step.approval : null;
}

/** Whether `actor` matches one of `approvers` as written (`alice`, `group:sre`). */
export function isApprover(actor: Actor, approvers: readonly string[]): boolean {
  return approvers.some((entry) => (entry.startsWith('group:') ? actor.groups.includes(entry.slice('group:'.length)) : actorIs(actor, entry)));
}

/** Why `actor`'s decision on `record` does not count, or null when it does. */
export function approvalRefusal(record: ApprovalRecord, actor: Actor, action: 'approve' | 'reject', self: SelfApproval | null): string | null {
  if (!isVerified(actor)) {
    const why = refusal(record, actor.name, action);
    if (why !== null) return why;
  } else {
    if (record.outcome !== ApprovalOutcome.Pending) return `the ${record.gate} approval is already ${record.outcome.toLowerCase()}`;
    const approvers = record.approvers ?? record.eligible;
    if (!isApprover(actor, approvers)) {
      return `${actor.name} is not an approver of the ${record.gate} approval: approvers are ${approvers.join(', ') || '(nobody)'}${actor.groups.length > 0 ? `; ${actor.name}'s groups: ${actor.groups.join(', ')}` : ''}`;
    }
    if (action === 'approve' && record.approvals.some((d) => personKey(readActor(d.identity ?? d.actor)) === personKey(actor))) {
      return `${actor.name} has already approved; ${record.minApprovals} distinct approvers are needed`;
    }
  }
  return action === 'approve' && self !== null ? selfApprovalRefusal(actor, self) : null;
}

/** Four-eyes: why `actor` may not approve their own release, or null. */
export function selfApprovalRefusal(actor: Actor, self: SelfApproval): string | null {
  if (self.allowSelfApproval) return null;
  const allow = 'four-eyes; the gate can allow it with allowSelfApproval: true';
  if (self.starter !== null && (personKey(self.starter) === personKey(actor) || (!isVerified(self.starter) && actorIs(actor, self.starter.name)))) {
    return `${actor.name} started this promotion and may not approve it (${allow})`;
  }
  const author = self.authors.find((a) => actorIs(actor, a));
  if (author !== undefined) return `${actor.name} authored the release (${author}) and may not approve it (${allow})`;
  return null;
}

/**
 * Why a verified `actor` may not override in `stage` (`eligible`: overrideEligible's answer,
 * null when anyone may), or null when they may: they must be an approver of one of its gates.
 */
export function verifiedOverrideRefusal(stage: Pick<StageSpec, 'approval' | 'strategy'>, eligible: string[] | null, actor: Actor, what: string): string | null {
  if (eligible === null) return null;
  const approvers = stageApprovals(stage).flatMap((a) => a.approvers.map((e) => (e.kind === 'group' ? `group:${e.name}` : e.name)));
  if (isApprover(actor, approvers)) return null;
  return `${actor.name} may not ${what}: overriding needs the eligibility of the stage's approvers (${[...new Set(approvers)].join(', ')})`;
}
