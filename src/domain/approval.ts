/**
 * Approval gates, decided in one place: who may approve, whether a decision counts, and the
 * gate's outcome. Pure, so update validators in workflows can call it synchronously.
 */
import { actorIs, actorLabel, isVerified, personKey, type Actor } from '../identity/actor.js';
import type { DecisionChannel } from '../identity/decision.js';
import type { ApprovalSpec, ApproverEntry } from '../schema/pipeline.js';

export { approverRefusal, gateApprovers, grantedApprovers } from './permissions.js';
export { rulesProgress, type RulesProgress } from './approval-rules.js';

export interface Decision {
  /** The display name. */
  actor: string;
  /** Who decided, as established (absent in records from before identities). */
  identity?: Actor;
  /** The signed decision's id, when it came through ramp server. */
  decisionId?: string;
  /** Where it was taken (cli, web, link, slack); absent in records from before channels. */
  channel?: DecisionChannel;
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

/**
 * The users allowed to decide on `approval`, groups expanded with the worker's groups file,
 * sorted and unique; `granted`: the approvers the access block adds (grantedApprovers).
 */
export function eligibleApprovers(approval: ApprovalSpec, groups: Groups, granted: readonly ApproverEntry[] = []): string[] {
  const users = [...approval.approvers, ...granted].flatMap((a) => (a.kind === 'user' ? [a.name] : [...(groups[a.name] ?? [])]));
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

/** Whether two actors are one person: one key, one email, or — when either is unverified — one name. */
export function samePerson(a: Actor, b: Actor): boolean {
  if (personKey(a) === personKey(b)) return true;
  if (a.email !== null && b.email !== null && a.email.toLowerCase() === b.email.toLowerCase()) return true;
  return (!isVerified(a) || !isVerified(b)) && (actorIs(a, b.name) || actorIs(b, a.name) || actorIs(a, b.subject) || actorIs(b, a.subject));
}

/** Who made the release being approved: four-eyes keeps them from approving it. */
export interface ReleasePeople {
  /** Who started the promotion; null when not known. */
  starter: Actor | null;
  /** The release's source commit authors (emails, subjects, names, or `Name <email>`), when known. */
  authors: readonly string[];
  /** The gate's `allowSelfApproval` (absent in specs pinned before it existed: false). */
  allowSelfApproval?: boolean;
}

const FOUR_EYES = 'four-eyes; the pipeline can allow it with allowSelfApproval: true';

/**
 * Why four-eyes keeps `actor` from approving, or null: the person who started the promotion
 * and the authors of the release's source commits may not approve it unless the gate allows it.
 * Rejecting is never refused by four-eyes (anyone eligible may stop a release).
 */
export function selfApprovalRefusal(actor: Actor, { starter, authors, allowSelfApproval }: ReleasePeople): string | null {
  if (allowSelfApproval === true) return null;
  const who = actorLabel(actor);
  if (starter !== null && samePerson(actor, starter)) return `${who} started this promotion and may not approve it (${FOUR_EYES})`;
  const author = authors.find((a) => actorIs(actor, a) || actorIs(actor, /<([^<>]+)>\s*$/.exec(a)?.[1] ?? ''));
  if (author !== undefined) {
    const as = author.trim() === actor.name ? '' : ` as ${author.trim()}`;
    return `${who} authored the release (commit author${as}) and may not approve it (${FOUR_EYES})`;
  }
  return null;
}
