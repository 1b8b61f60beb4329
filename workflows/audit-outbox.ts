/**
 * The audit trail's outbox in a workflow (docs/governance.md "Audit trail"): every decision the
 * workflow takes or refuses is added here and appended, in order, to the tamper-evident trail
 * (a hash-chained JSON-lines branch `ramp/audit` in the GitOps repository) by an activity,
 * idempotent by the record's id. A workflow awaits `drained()` before it ends or continues as new.
 * STUB written by the lead for issue 12; the audit helper owns and completes it.
 */
import type { Actor } from '../src/identity/actor.js';
import type { DecisionChannel } from '../src/identity/decision.js';
import type { RepositorySpec } from '../src/schema/pipeline.js';

/** One decision, as the workflow knows it; the activity adds the chain (sequence, previous hash, hash). */
export interface AuditDecision {
  /** What was decided: promote, approve, reject, refuse, override, abort, rollback, policy-decision, window-override, drift, freeze, history-ack … */
  kind: string;
  message: string;
  /** The verified actor (or an unverified name, marked so), when a person decided. */
  actor?: Actor | string;
  channel?: DecisionChannel;
  /** The signed decision's id, when there was one (the record's idempotency key with the workflow id). */
  decisionId?: string;
  /** What it was bound to. */
  promotionId?: string;
  pipeline?: string;
  stage?: string | null;
  attempt?: number;
  gate?: string;
  commit?: string;
  /** A policy decision: the policy's name, content hash and effect. */
  policy?: { name: string; hash: string; effect: string };
  reason?: string;
}

export class AuditOutbox {
  /** `repository`: where the trail lives (the pipeline's GitOps repository); null: organisation-wide decisions. */
  constructor(private readonly repository: RepositorySpec | null) {}

  add(decision: AuditDecision): void {
    void [this.repository, decision];
  }

  /** Resolves once everything added has been appended. */
  drained(): Promise<void> {
    return Promise.resolve();
  }
}
