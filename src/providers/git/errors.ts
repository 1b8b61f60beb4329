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

/** The pipeline names a credential that this worker does not have (a RepositoryUnavailableError). */
export class CredentialMissingError extends RepositoryUnavailableError {
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
 * A commit ramp must revert, or one it recorded and expects (`expect`), is not (or no longer) on
 * the branch: its history was rewritten, e.g. by a force-push. Thrown before anything is
 * written. Terminal: writing or reverting blindly could undo someone else's work.
 */
export class HistoryRewrittenError extends Error {
  override readonly name = 'HistoryRewrittenError';
  constructor(
    message: string,
    /** The (first) commit that is not on the branch. */
    readonly commit: string,
    /** Every commit expected on the branch that is not (force-push detection). */
    readonly missing: readonly string[] = [commit],
  ) {
    super(message);
  }
}

/**
 * The worker's cached clone is damaged (a stale lock file, a corrupt index, a missing object,
 * broken refs). Internal to the provider: the workspace repairs the clone (removes stale lock
 * files, or clones again) and runs the operation again; it reaches an activity only as a
 * RepositoryUnavailableError when the repair did not help.
 */
export class CloneDamagedError extends Error {
  override readonly name = 'CloneDamagedError';
  constructor(
    message: string,
    /** `lock`: a lock file is in the way; `damaged`: the clone's files are broken. */
    readonly kind: 'lock' | 'damaged',
  ) {
    super(message);
  }
}
