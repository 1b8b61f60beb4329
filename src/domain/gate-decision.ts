/**
 * One choke point for a decision on an approval gate, as the stage takes it: whether the person
 * may decide (the gate's approvers plus those the access block grants, matched by subject,
 * email or name and by groups — a verified token's, or the worker's groups file for an
 * unverified name), whether they already did, four-eyes, and the gate's outcome by its rules
 * (`require`) and minApprovals, distinct people only. Pure: workflows use it.
 */
import { readActor, type Actor } from '../identity/actor.js';
import type { AccessSpec, ApprovalSpec, StageSpec } from '../schema/pipeline.js';
import { ApprovalOutcome, samePerson, selfApprovalRefusal, type ApprovalRecord, type Groups, type ReleasePeople } from './approval.js';
import { rulesProgress, type RulesProgress } from './approval-rules.js';
import { gateSpec } from './override.js';
import { approverRefusal, formatEntry, gateApprovers, groupsOf } from './permissions.js';

/** What a gate's decisions are judged against: the stage as pinned, its access block, the worker's groups, who made the release. */
export interface GateContext {
  pipeline: string;
  stage: Pick<StageSpec, 'name' | 'approval' | 'strategy'>;
  access: AccessSpec | null;
  /** The worker's groups file, as resolved for this stage (unverified actors only). */
  groups: Groups;
  release: Omit<ReleasePeople, 'allowSelfApproval'>;
  /** Gates the stage's pinned policies open (`policy:<name>`, src/governance/policy-gate.ts); absent: none. */
  policyGates?: Readonly<Record<string, ApprovalSpec>>;
}

/** The approval spec of a gate: the stage's gate or approval step, or a policy's extra approval. */
function specOf(context: GateContext, gate: string): ApprovalSpec | null {
  return context.policyGates?.[gate] ?? gateSpec(context.stage, gate);
}

/** The people on the record of a gate (a name from before identities reads as unverified). */
export function approvers(record: Pick<ApprovalRecord, 'approvals'>): Actor[] {
  return record.approvals.map((d) => readActor(d.identity ?? d.actor));
}

/** Everyone who may decide this gate, as written (`alice`, `group:sre`). */
export function gateApproverEntries(record: Pick<ApprovalRecord, 'gate'>, context: GateContext): string[] {
  const spec = specOf(context, record.gate);
  return gateApprovers(spec?.approvers ?? [], context.access, context.stage.name).map(formatEntry);
}

/** Why `actor`'s approval or rejection of `record` does not count, or null when it does. */
export function gateDecisionRefusal(record: ApprovalRecord, actor: Actor, action: 'approve' | 'reject', context: GateContext): string | null {
  if (record.outcome !== ApprovalOutcome.Pending) return `the ${record.gate} approval is already ${record.outcome.toLowerCase()}`;
  const spec = specOf(context, record.gate);
  const where = `the ${record.gate} approval of ${context.stage.name}`;
  const who = approverRefusal(actor, gateApprovers(spec?.approvers ?? [], context.access, context.stage.name), groupsOf(context.groups), where);
  if (who !== null) return who;
  if (action === 'reject') return null;
  if (approvers(record).some((a) => samePerson(a, actor))) return `${actor.name} has already approved; ${progress(record, context).summary} so far`;
  return selfApprovalRefusal(actor, { ...context.release, allowSelfApproval: spec?.allowSelfApproval ?? false });
}

/** How far the gate's approvals go toward its rules and minApprovals. */
export function progress(record: Pick<ApprovalRecord, 'gate' | 'approvals' | 'minApprovals'>, context: GateContext): RulesProgress {
  const spec = specOf(context, record.gate);
  return rulesProgress({ require: spec?.require ?? null, minApprovals: record.minApprovals }, approvers(record), groupsOf(context.groups));
}

/** The gate's outcome after its decisions (a timeout is decided by the caller). */
export function gateOutcome(record: ApprovalRecord, context: GateContext): ApprovalOutcome {
  if (record.rejection) return ApprovalOutcome.Rejected;
  return progress(record, context).met ? ApprovalOutcome.Approved : ApprovalOutcome.Pending;
}
