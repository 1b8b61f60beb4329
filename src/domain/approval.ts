/**
 * Approval gates, decided in one place: who may approve, whether a decision counts, and the
 * gate's outcome. Pure, so update validators in workflows can call it synchronously.
 */
import type { ApprovalSpec } from '../schema/pipeline.js';
import type { Actor } from '../identity/actor.js';

export interface Decision {
  /** The display name. */
  actor: string;
  /** Who decided, as established (absent in records from before identities). */
  identity?: Actor;
  /** The signed decision's id, when it came through ramp server. */
  decisionId?: string;
  /** ISO-8601. */
  at: string;
  comment: string;
}

export interface ApprovalRecord {
  /** Where the gate is: `gate` (before the version is written) or `step <n>`. */
  gate: string;
  approvals: Decision[];
  rejection: Decision | null;
  /** Attempts that did not count, with the reason given to the caller. */
  refused: (Decision & { action: 'approve' | 'reject'; reason: string })[];
  /** Users allowed to decide, groups expanded (the snapshot used for this gate). */
  eligible: string[];
  /** The gate's approvers as written (`alice`, `group:sre`): verified people match by their token's groups. */
  approvers?: string[];
  /**
   * What the gate is bound to: before the write, the branch's newest commit; at an approval
   * step, the stage's last commit. A signed decision must name it (absent before bindings).
   */
  commit?: string | null;
  minApprovals: number;
  /** When the gate times out or, with `onTimeout: remind`, the next reminder (ISO-8601); null without a timeout. */
  deadline: string | null;
  outcome: ApprovalOutcome;
}

export const ApprovalOutcome = { Pending: 'Pending', Approved: 'Approved', Rejected: 'Rejected', TimedOut: 'TimedOut' } as const;
export type ApprovalOutcome = (typeof ApprovalOutcome)[keyof typeof ApprovalOutcome];

/** Group name → members, as configured on the worker. */
export type Groups = Readonly<Record<string, readonly string[]>>;

/** The users allowed to decide on `approval`, groups expanded, sorted and unique. */
export function eligibleApprovers(approval: ApprovalSpec, groups: Groups): string[] {
  const users = approval.approvers.flatMap((a) => (a.kind === 'user' ? [a.name] : [...(groups[a.name] ?? [])]));
  return [...new Set(users)].sort();
}

/** Why a decision by `actor` does not count, or null when it does. */
export function refusal(record: ApprovalRecord, actor: string, action: 'approve' | 'reject'): string | null {
  if (actor.trim() === '') return 'no actor given. Say who you are with --as <user>';
  if (record.outcome !== ApprovalOutcome.Pending) return `the ${record.gate} approval is already ${record.outcome.toLowerCase()}`;
  if (!record.eligible.includes(actor)) {
    return `${actor} is not an approver of the ${record.gate} approval. Approvers: ${record.eligible.join(', ') || "(nobody: check the worker's groups file)"}`;
  }
  if (action === 'approve' && record.approvals.some((d) => d.actor === actor))
    return `${actor} has already approved; ${record.minApprovals} distinct approvers are needed`;
  return null;
}

/** The outcome after the decisions so far (a timeout is decided by the caller). */
export function decide(record: Pick<ApprovalRecord, 'approvals' | 'rejection' | 'minApprovals'>): ApprovalOutcome {
  if (record.rejection) return ApprovalOutcome.Rejected;
  return new Set(record.approvals.map((d) => d.actor)).size >= record.minApprovals ? ApprovalOutcome.Approved : ApprovalOutcome.Pending;
}
