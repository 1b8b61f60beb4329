/**
 * `ApplicationFailure.type` values that ramp's activities and workflows raise, and which of
 * them are terminal. Pure: workflows import this to declare `nonRetryableErrorTypes` and to
 * branch on a failure's type.
 */

export const FailureType = {
  /** A commit or revert conflicts with a change someone else pushed to the same lines. */
  GitConflict: 'GitConflict',
  /** A commit ramp must revert is no longer on the branch (force-push). */
  HistoryRewritten: 'HistoryRewritten',
  /** A manifest could not be edited as the pipeline asks (missing file, field or backend). */
  ManifestEdit: 'ManifestEdit',
  /** The GitOps repository could not be reached or refused access; transient, retried. */
  RepositoryUnavailable: 'RepositoryUnavailable',
  /** The version to promote is not acceptable (not a tag of the artifact, malformed). */
  InvalidVersion: 'InvalidVersion',
  /** An operator or an alert aborted the promotion. */
  Aborted: 'Aborted',
  /** An approver rejected the stage. */
  Rejected: 'Rejected',
  /** An approval gate timed out with `onTimeout: reject`. */
  ApprovalTimedOut: 'ApprovalTimedOut',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types that retrying cannot fix: pass them as `retry.nonRetryableErrorTypes`. */
export const NON_RETRYABLE_FAILURE_TYPES: readonly FailureType[] = [
  FailureType.GitConflict,
  FailureType.HistoryRewritten,
  FailureType.ManifestEdit,
  FailureType.InvalidVersion,
  FailureType.Aborted,
  FailureType.Rejected,
  FailureType.ApprovalTimedOut,
];
