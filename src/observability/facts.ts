/**
 * What a workflow tells the worker's metrics (docs/metrics.md): one fact per thing that happened,
 * reported through the `ramp` sink (workflows/observe.ts) and recorded by the worker
 * (src/observability/record-fact.ts). Sinks are not called during replay, so a fact counts once
 * per execution (best effort: a workflow task that fails after reporting may report again).
 * Pure data, no Node built-ins: workflows build these. Never a version, promotion id or person.
 */

/** Gates a stage waits at, for ramp_gate_wait_seconds. */
export type GateKind = 'approval' | 'pause' | 'window' | 'soak' | 'freeze' | 'webhook';

/** How a remediated release failed, for ramp_change_failures_total. */
export type ChangeFailureCause = 'rollback' | 'revert' | 'fix-forward';

export type DeliveryFact =
  | { kind: 'promotion-started'; pipeline: string; promotionKind: 'promote' | 'rollback' }
  | { kind: 'promotion-finished'; pipeline: string; promotionKind: 'promote' | 'rollback'; outcome: string; durationMs: number }
  | { kind: 'stage-finished'; pipeline: string; stage: string; outcome: string; durationMs: number }
  | { kind: 'analysis-measurement'; pipeline: string; stage: string; metric: string; phase: string }
  | { kind: 'analysis-run'; pipeline: string; stage: string; phase: string }
  | { kind: 'judge-score'; pipeline: string; stage: string; score: number }
  | { kind: 'approval-requested'; pipeline: string; stage: string }
  | { kind: 'approval-decided'; pipeline: string; stage: string; outcome: string; waitMs: number }
  | { kind: 'gate-waited'; pipeline: string; stage: string; gate: GateKind; waitMs: number }
  | { kind: 'override'; pipeline: string; stage: string; override: string }
  | { kind: 'rollback'; pipeline: string; stage: string; cause: string; reactionMs: number | null }
  | { kind: 'drift-detected'; pipeline: string; stage: string }
  // DORA (docs/dora.md)
  | { kind: 'deployment'; pipeline: string; stage: string; leadTimeMs: number | null }
  | { kind: 'change-failure'; pipeline: string; stage: string; cause: ChangeFailureCause }
  | { kind: 'canary-catch'; pipeline: string; stage: string }
  | { kind: 'recovery'; pipeline: string; stage: string; recoveryMs: number };

export type DeliveryFactKind = DeliveryFact['kind'];
