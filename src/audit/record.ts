/**
 * One record of the audit trail (docs/governance.md#audit-trail): a decision, who took it (the
 * verified actor, or a name nobody verified, marked so), where (the channel), when, and what it
 * was bound to; chained to the record before it by `prev` (that record's `hash`). The trail is
 * one JSON line per record in `audit.jsonl` on the branch `ramp/audit` of the pipeline's GitOps
 * repository. Pure and free of Node built-ins: workflows build entries with it.
 */
import { ActorMethod, type Actor } from '../identity/actor.js';

/** The branch that holds the trail (protected by the force-push watch: keep the name). */
export const AUDIT_BRANCH = 'ramp/audit';
/** The file on AUDIT_BRANCH, one record per line. */
export const AUDIT_FILE = 'audit.jsonl';
/** The `prev` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** The actor as the trail keeps it: the verified identity, or an unverified name. */
export type AuditActor =
  | { subject: string; name: string; email: string | null; groups: string[]; issuer: string; method: Exclude<ActorMethod, 'local-unverified'> }
  | { name: string; method: 'local-unverified' };

/** What a decision was bound to; null where it does not apply. */
export interface AuditBinding {
  promotionId: string | null;
  pipeline: string | null;
  stage: string | null;
  attempt: number | null;
  gate: string | null;
  commit: string | null;
}

/** A record before it is chained: what the workflow knows. */
export interface AuditEntry {
  /** Unique and deterministic (the workflow id, run id and the decision's number in the run): the idempotency key. */
  id: string;
  /** ISO-8601, the workflow's time of the decision. */
  at: string;
  /** promote, approved, approve-refused, override, abort-requested, policy-decision, window-override, drift-accepted … */
  kind: string;
  message: string;
  actor: AuditActor | null;
  channel: string | null;
  decisionId?: string;
  bound: AuditBinding;
  policy?: { name: string; hash: string; effect: string };
  reason?: string;
  /** The workflow that took the decision. */
  workflowId: string;
}

/** A chained record, as stored. */
export interface AuditRecord extends AuditEntry {
  /** 1-based position on the branch (its line number). */
  seq: number;
  /** The previous record's hash; GENESIS_HASH for the first. */
  prev: string;
  /** SHA-256 (hex) of the canonical JSON of the record without `hash`. */
  hash: string;
}

/** The trail's actor for a record's Actor (or a bare name, before identities); null when nobody decided. */
export function auditActor(actor: Actor | string | null | undefined): AuditActor | null {
  if (actor === undefined || actor === null || actor === '') return null;
  if (typeof actor === 'string' || actor.method === ActorMethod.LocalUnverified) {
    return { name: typeof actor === 'string' ? actor : actor.name, method: ActorMethod.LocalUnverified };
  }
  return { subject: actor.subject, name: actor.name, email: actor.email, groups: [...actor.groups], issuer: actor.issuer, method: actor.method };
}

/** `alice`, `alice (unverified)` or `-`, for tables. */
export function auditActorLabel(actor: AuditActor | null): string {
  if (actor === null) return '-';
  return actor.method === ActorMethod.LocalUnverified ? `${actor.name} (unverified)` : actor.name;
}

/**
 * Whether a record event is a decision the trail keeps: promotions and rollbacks asked for,
 * approvals and rejections, every refusal, overrides, aborts, pause/resume/skip/retry, policy
 * decisions, window overrides, drift decisions, freezes, acknowledgements of a rewritten branch.
 */
export function isDecisionKind(kind: string): boolean {
  return DECISION_KINDS.has(kind) || kind.endsWith('-refused');
}

const DECISION_KINDS = new Set([
  'started',
  'approved',
  'rejected',
  'override',
  'abort-requested',
  'paused',
  'resumed',
  'skipped',
  'retry',
  'refused',
  'policy-decision',
  'window-override',
  'drift-accepted',
  'drift-rejected',
  'freeze',
  'freeze-lifted',
  'history-ack',
  'rollback-started',
]);
