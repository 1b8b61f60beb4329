/**
 * `ApplicationFailure.type` values that ramp's activities raise, and which of them are
 * terminal. Why a stage stopped (aborted, rejected, ...) is a `FailureReason` (phases.ts).
 * Pure: workflows import this to declare `nonRetryableErrorTypes`.
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
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types that retrying cannot fix: pass them as `retry.nonRetryableErrorTypes`. */
export const NON_RETRYABLE_FAILURE_TYPES: readonly FailureType[] = [
  FailureType.GitConflict,
  FailureType.HistoryRewritten,
  FailureType.ManifestEdit,
];
