/**
 * What a stage reports to the worker's metrics (docs/metrics.md, docs/dora.md): one fact per
 * thing that happened, through observe() (no command, nothing in the history). The times it
 * needs across continue-as-new — when the failure was first known, when the full promotion
 * landed, since when the stage waits at a gate — are kept in the status, so a fact is never
 * reported twice by the runs of one stage.
 */
import type { ApprovalRecord } from '../src/domain/approval.js';
import type { FailureReason } from '../src/domain/phases.js';
import type { DeliveryFact, GateKind } from '../src/observability/facts.js';
import { elapsedMs, rollbackCause, type OverrideLabel } from '../src/observability/fact-labels.js';
import type { StageStatus } from './messages.js';
import { observe } from './observe.js';
import type { CurrentStageInput } from './stage-input.js';

const now = (): string => new Date(Date.now()).toISOString();

type StageFact<F = DeliveryFact> = F extends { stage: string } ? Omit<F, 'pipeline' | 'stage'> : never;

/** How a gate's decision reads in ramp_approval_wait_seconds{outcome}. */
const DECIDED = { Approved: 'approved', Rejected: 'rejected', TimedOut: 'timed-out' } as const;

export class StageFacts {
  /** The stage's record (stage-record.ts, which makes this): its input and its status, kept across continue-as-new. */
  constructor(private readonly record: { readonly input: CurrentStageInput; readonly status: StageStatus }) {}

  private get status(): StageStatus {
    return this.record.status;
  }

  /** Reports a fact of this stage. */
  report(fact: StageFact): void {
    observe({ ...fact, pipeline: this.record.input.pipeline, stage: this.record.input.stage.name });
  }

  /** When this stage started (its first run's `started` event). */
  private startedMs(): number {
    const started = this.status.events.find((e) => e.kind === 'started')?.at;
    return started === undefined ? Date.now() : Date.parse(started);
  }

  /** The stage starts waiting at `gate` (a wait already running since an earlier run keeps its start). */
  waitStarted(gate: GateKind): void {
    if (this.status.gateWait?.gate !== gate) this.status.gateWait = { gate, since: now() };
  }

  /** The wait at `gate` ended: reports how long it lasted. */
  waitEnded(gate: GateKind): void {
    const wait = this.status.gateWait;
    if (wait?.gate !== gate) return;
    this.status.gateWait = null;
    this.report({ kind: 'gate-waited', gate, waitMs: elapsedMs(wait.since, Date.now()) ?? 0 });
  }

  /** An approval gate opened. */
  approvalRequested(): void {
    this.report({ kind: 'approval-requested' });
  }

  /** An approval gate was decided: how long it waited, from its opening (its `approval-waiting` event). */
  approvalDecided(record: ApprovalRecord): void {
    if (record.outcome === 'Pending') return;
    const opened = this.status.events.findLast((e) => e.kind === 'approval-waiting' && e.message.startsWith(`${record.gate} approval`))?.at;
    const waitMs = elapsedMs(opened, Date.now()) ?? 0;
    this.report({ kind: 'approval-decided', outcome: DECIDED[record.outcome], waitMs });
    this.report({ kind: 'gate-waited', gate: 'approval', waitMs });
  }

  override(kind: OverrideLabel): void {
    this.report({ kind: 'override', override: kind });
  }

  /** The failure that ends the stage is known (the first one counts). */
  failureDetected(at: string = now()): void {
    this.status.failureDetectedAt ??= at;
  }

  /**
   * The full-promotion commit landed: a DORA deployment with its lead time (from the release's
   * source commit), and, for a release that fixes an earlier one forward, that one's change
   * failure. A rollback's full promotion is no deployment but the remediation of the release it
   * replaces: a change failure and its recovery (from this stage's start: what a rollback
   * promotion knows of the detection).
   */
  fullyPromoted(): void {
    if (this.status.fullyPromotedAt) return;
    this.status.fullyPromotedAt = now();
    const { kind, release } = this.record.input;
    if (kind === 'rollback') {
      this.report({ kind: 'change-failure', cause: 'rollback' });
      this.report({ kind: 'recovery', recoveryMs: Math.max(0, Date.now() - this.startedMs()) });
      return;
    }
    this.report({ kind: 'deployment', leadTimeMs: elapsedMs(release?.time, Date.now()) });
    if (release?.fixes) this.report({ kind: 'change-failure', cause: 'fix-forward' });
  }

  /**
   * The stage's commits were reverted (`revertedAtMs`: the revert pushed; `recoveredAtMs`: Git
   * back, and with a sync mode the cluster healthy on it; null: the cluster did not become
   * healthy). Before the full promotion, the canary caught the release; after it, the release
   * was exposed: a change failure, and its recovery when recovered.
   */
  rolledBack(reason: FailureReason, revertedAtMs: number, recoveredAtMs: number | null): void {
    const detected = this.status.failureDetectedAt;
    this.report({ kind: 'rollback', cause: rollbackCause(reason), reactionMs: elapsedMs(detected, revertedAtMs) });
    if (this.record.input.kind === 'rollback') return;
    if (!this.status.fullyPromotedAt) {
      this.report({ kind: 'canary-catch' });
      return;
    }
    this.report({ kind: 'change-failure', cause: 'rollback' });
    const recoveryMs = recoveredAtMs === null ? null : elapsedMs(detected, recoveredAtMs);
    if (recoveryMs !== null) this.report({ kind: 'recovery', recoveryMs });
  }

  /** The stage ended: its final phase and how long it took (from its first run's start). */
  finished(): void {
    this.report({ kind: 'stage-finished', outcome: this.status.phase, durationMs: Math.max(0, Date.now() - this.startedMs()) });
  }
}
