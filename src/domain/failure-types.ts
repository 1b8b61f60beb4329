/**
 * `ApplicationFailure.type` values that ramp's activities raise, and which of them are
 * terminal. Why a stage stopped (aborted, rejected, ...) is a `FailureReason` (phases.ts).
 * Pure: workflows import this to declare `nonRetryableErrorTypes`.
 */

export const FailureType = {
  /** A commit or revert conflicts with a change someone else pushed to the same lines. */
  GitConflict: 'GitConflict',
  /**
   * The branch was rewritten (force-push): a commit ramp recorded (`expect` of a Git write) or
   * must revert is no longer on it. ramp wrote nothing; an operator decides (abort, retry).
   */
  HistoryRewritten: 'HistoryRewritten',
  /** A manifest could not be edited as the pipeline asks (missing file, field or backend). */
  ManifestEdit: 'ManifestEdit',
  /** The GitOps repository could not be reached or refused access; transient, retried. */
  RepositoryUnavailable: 'RepositoryUnavailable',
  /** The stage's manifests cannot be rendered or are not Kubernetes objects. */
  ManifestInvalid: 'ManifestInvalid',
  /** The cluster refused what ramp asked (forbidden, invalid object), or the GitOps agent reports a failed sync. */
  SyncFailed: 'SyncFailed',
  /** The commit did not become live and healthy before the stage's sync timeout, or a workload's own progress deadline passed. */
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  /** The live traffic weights differ from the ones in Git after the sync. */
  TrafficNotLive: 'TrafficNotLive',
  /** An accepted drift cannot be written to Git surgically (unknown source file, a deletion, a non-scalar value). */
  DriftNotWritable: 'DriftNotWritable',
  /** The API server could not be reached or failed; transient, retried. */
  ClusterUnavailable: 'ClusterUnavailable',
  /** DORA's figures cannot be computed for the period asked: more commits than one read takes, or a period that is not one. */
  DeliveryPeriodUnreadable: 'DeliveryPeriodUnreadable',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types that retrying cannot fix: pass them as `retry.nonRetryableErrorTypes`. */
export const NON_RETRYABLE_FAILURE_TYPES: readonly FailureType[] = [
  FailureType.GitConflict,
  FailureType.HistoryRewritten,
  FailureType.ManifestEdit,
  FailureType.ManifestInvalid,
  FailureType.SyncFailed,
  FailureType.ProgressDeadlineExceeded,
  FailureType.TrafficNotLive,
  FailureType.DriftNotWritable,
  FailureType.DeliveryPeriodUnreadable,
];
