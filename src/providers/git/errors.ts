/**
 * Errors of the GitOps repository. Each has a stable `name`; the Git activities map them to
 * `ApplicationFailure` types (src/domain/failure-types.ts). Messages name the repository by
 * its URL without credentials, say what happened, and what to do.
 * (A manifest that cannot be edited throws ManifestEditError, src/manifests/yaml-edit.ts.)
 */

/**
 * The repository could not be reached, read or pushed to (bad URL, missing repository,
 * network, authentication, missing worker-side credential). Transient: retried.
 */
export class RepositoryUnavailableError extends Error {
  override readonly name = 'RepositoryUnavailableError';
}

/**
 * A commit or revert could not be applied on top of what someone else pushed: the same lines
 * changed. The cached clone is reset before this is thrown. Terminal: a human resolves it.
 */
export class GitConflictError extends Error {
  override readonly name = 'GitConflictError';
  constructor(
    message: string,
    /** Conflicting files, relative to the repository root. */
    readonly files: readonly string[],
  ) {
    super(message);
  }
}

/**
 * A commit ramp must revert is not (or no longer) on the branch: its history was rewritten,
 * e.g. by a force-push. Terminal: reverting blindly could undo someone else's work.
 */
export class HistoryRewrittenError extends Error {
  override readonly name = 'HistoryRewrittenError';
  constructor(
    message: string,
    readonly commit: string,
  ) {
    super(message);
  }
}
