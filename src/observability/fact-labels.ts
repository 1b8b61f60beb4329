/**
 * The small, fixed label values of ramp's delivery facts (docs/metrics.md), from the domain's
 * own words: a rollback's cause, an override's kind, the pipeline of a promotion id. Pure, no
 * Node built-ins: workflows and activities both use them. Labels stay low-cardinality: every
 * function here answers from a fixed set (or a pipeline name), never a version or an id.
 */
import { FailureReason } from '../domain/phases.js';
import { OverrideKind } from '../domain/override.js';

/** Why a stage's commits were reverted, for ramp_rollbacks_total{cause}. */
export const RollbackCause = {
  Analysis: 'analysis',
  Abort: 'abort',
  Rejected: 'rejected',
  Timeout: 'timeout',
  StepFailed: 'step-failed',
  NotHealthy: 'not-healthy',
  /** `rollback.scope: promotion`: an earlier stage reverted because a later one failed. */
  PromotionScope: 'promotion-scope',
} as const;
export type RollbackCause = (typeof RollbackCause)[keyof typeof RollbackCause];

/** The rollback cause of a stage that failed for `reason` (anything else that fails a step: step-failed). */
export function rollbackCause(reason: FailureReason): RollbackCause {
  switch (reason) {
    case FailureReason.AnalysisFailed:
      return RollbackCause.Analysis;
    case FailureReason.Aborted:
      return RollbackCause.Abort;
    case FailureReason.Rejected:
      return RollbackCause.Rejected;
    case FailureReason.ApprovalTimedOut:
      return RollbackCause.Timeout;
    case FailureReason.NotHealthy:
      return RollbackCause.NotHealthy;
    default:
      return RollbackCause.StepFailed;
  }
}

/** What a person overrode, for ramp_overrides_total{kind}. */
export const OverrideLabel = { Skip: 'skip', Analysis: 'analysis', WindowOverride: 'window-override' } as const;
export type OverrideLabel = (typeof OverrideLabel)[keyof typeof OverrideLabel];

/** The override label of a stage's override record. */
export function overrideLabel(kind: OverrideKind): OverrideLabel {
  return kind === OverrideKind.Skip ? OverrideLabel.Skip : OverrideLabel.Analysis;
}

/**
 * The pipeline of a promotion id (`web@1.4.2`, `web@1.4.1:rollback:production`: `web`); a
 * drift watch's id (`web/production/drift`): `web`. Empty ids: `unknown`.
 */
export function pipelineOfPromotion(promotionId: string): string {
  const name = promotionId.split(/[@/]/, 1)[0] ?? '';
  return name === '' ? 'unknown' : name;
}

/** Milliseconds from `fromIso` to `toMs`, never negative; null when `fromIso` is absent or not a time. */
export function elapsedMs(fromIso: string | null | undefined, toMs: number): number | null {
  if (fromIso === null || fromIso === undefined) return null;
  const from = Date.parse(fromIso);
  return Number.isNaN(from) ? null : Math.max(0, toMs - from);
}
