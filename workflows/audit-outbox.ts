/**
 * The audit trail's outbox in a workflow (docs/governance.md#audit-trail): every decision the workflow
 * takes or refuses is added here (synchronously, from the record's event()) and appended, in
 * order, to the tamper-evident trail — a hash-chained JSON-lines branch `ramp/audit` in the GitOps
 * repository — by a background coroutine, one activity per batch, idempotent by the entry's id.
 * A workflow awaits `drained()` before it ends or continues as new.
 *
 * Behind patched('audit-trail'): histories recorded before it schedule nothing. A batch that
 * cannot be written after the activity's retries (with back-off, about 15 s in all) is given up:
 * `onFailure` tells the workflow (an `audit-write-failed` event on its record); the decisions stay
 * in the workflow's own record, and the stage goes on — a failed audit write never fails a stage.
 */
import { CancellationScope, condition, log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import { auditActor, type AuditEntry } from '../src/audit/record.js';
import type { Actor } from '../src/identity/actor.js';
import type { DecisionChannel } from '../src/identity/decision.js';
import type { RepositorySpec } from '../src/schema/pipeline.js';

export const AUDIT_PATCH = 'audit-trail';

/** At most this many decisions per append (one commit). */
const BATCH = 50;

const writer = proxyActivities<RampActivities>({
  startToCloseTimeout: '2 minutes',
  // appendAudit heartbeats every second (activities/heartbeat.ts).
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 4 },
});

/** One decision, as the workflow knows it; the activity adds the chain (sequence, previous hash, hash). */
export interface AuditDecision {
  /** What was decided: promote-requested, approved, rejected, *-refused, override, abort-requested, policy-decision, window-override, drift-accepted, freeze … */
  kind: string;
  message: string;
  /** The verified actor (or an unverified name, marked so), when a person decided. */
  actor?: Actor | string;
  channel?: DecisionChannel;
  /** The signed decision's id, when there was one. */
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
  private readonly queue: AuditEntry[] = [];
  private flushing = false;
  /** Decisions added in this run: with the run id, the entries' ids (deterministic on replay, unique across continue-as-new). */
  private added = 0;
  /** Told when a batch was given up (the caller records it; not a decision, so never audited itself). */
  onFailure: ((message: string) => void) | null = null;

  /**
   * Whether this run writes the trail: asked once, when the workflow starts (the outbox is made in
   * its first activation). Asked later — first after a local activity, as in an Update handler or
   * after the requester's authentication — replay would resolve the local activity before Temporal
   * tells the workflow of the patch in the next task, and the run would no longer replay.
   */
  private readonly enabled: boolean;

  /** `repository`: where the trail lives (the pipeline's GitOps repository); null: organisation-wide decisions (the worker's audit repository, if any). Make it when the workflow starts. */
  constructor(private readonly repository: RepositorySpec | null) {
    this.enabled = patched(AUDIT_PATCH);
  }

  add(decision: AuditDecision): void {
    if (!this.enabled) return;
    const { workflowId, runId } = workflowInfo();
    const actor = auditActor(decision.actor);
    this.queue.push({
      id: `${workflowId}/${runId}/${++this.added}`,
      at: new Date(Date.now()).toISOString(),
      kind: decision.kind,
      message: decision.message,
      actor,
      // A direct Temporal command is unsigned: the CLI (cli/temporal-backend.ts) or another client of Temporal's.
      channel: decision.channel ?? (actor?.method === 'local-unverified' ? 'cli' : null),
      ...(decision.decisionId !== undefined ? { decisionId: decision.decisionId } : {}),
      bound: {
        promotionId: decision.promotionId ?? null,
        pipeline: decision.pipeline ?? null,
        stage: decision.stage ?? null,
        attempt: decision.attempt ?? null,
        gate: decision.gate ?? null,
        commit: decision.commit ?? null,
      },
      ...(decision.policy ? { policy: decision.policy } : {}),
      ...(decision.reason !== undefined && decision.reason !== '' ? { reason: decision.reason } : {}),
      workflowId,
    });
    if (!this.flushing) void this.flush();
  }

  /** Resolves once everything added has been appended (or given up). */
  drained(): Promise<void> {
    return condition(() => this.queue.length === 0 && !this.flushing);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.slice(0, BATCH);
        await CancellationScope.nonCancellable(async () => {
          try {
            await writer.appendAudit({ repository: this.repository, entries: batch });
          } catch (error) {
            const kinds = [...new Set(batch.map((e) => e.kind))].join(', ');
            const message = `the audit trail could not be written; ${batch.length} decision(s) (${kinds}) stay only in this record: ${innermost(error)}`;
            log.warn(message);
            this.onFailure?.(message);
          }
        });
        this.queue.splice(0, batch.length);
      }
    } finally {
      this.flushing = false;
    }
  }
}

function innermost(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(error);
}
