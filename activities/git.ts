// Git activities: commit a stage's changes, revert ramp's commits, read ramp's history.
// Built over an injected GitOpsRepositories (the worker's cached clones); errors become
// ApplicationFailures with the stable types of src/domain/failure-types.ts.
import { Context } from '@temporalio/activity';
import { heartbeating } from './heartbeat.js';
import { ApplicationFailure } from '@temporalio/common';
import type { CommitRequest, CommitResult, FieldHistoryQuery, HistoryEntry, HistoryQuery, RevertRequest, RevertResult } from '../src/domain/changes.js';
import { FailureType } from '../src/domain/failure-types.js';
import type { ExpectedOnBranch } from './contract.js';
import { ManifestEditError } from '../src/manifests/yaml-edit.js';
import { GitConflictError, HistoryRewrittenError, RepositoryUnavailableError, type GitOpsRepositories } from '../src/providers/git/index.js';
import { observingPushes } from '../src/providers/git/push-observer.js';
import { pipelineOfPromotion } from '../src/observability/fact-labels.js';
import { rampMetric } from '../src/observability/registry.js';

export interface GitActivityDeps {
  repositories: GitOpsRepositories;
}

export function createGitActivities({ repositories }: GitActivityDeps) {
  return {
    /**
     * Commits and pushes one step's changes; idempotent by its trailers. Writes nothing and fails
     * with HistoryRewritten when a commit in `expect` is no longer on the branch (force-push).
     */
    async commitStageChange(request: CommitRequest & ExpectedOnBranch): Promise<CommitResult> {
      const result = await countedPush(
        request.trailers.promotion,
        (r) => (r.sha === null ? null : r.reused ? 'reused' : 'pushed'),
        () => asActivityFailure(() => repositories.get(request.repository).commit(request, request.expect ?? [])),
      );
      const { promotion, stage, step } = request.trailers;
      Context.current().log.info(
        result.sha === null ? 'git: nothing to commit' : result.reused ? 'git: commit already on the branch' : 'git: committed and pushed',
        { promotion, stage, step, sha: result.sha, reused: result.reused, files: result.files },
      );
      return result;
    },

    /** Reverts ramp's commits newest first and pushes the reverts; idempotent per reverted commit; `expect` as for commits. */
    async revertStageCommits(request: RevertRequest & ExpectedOnBranch): Promise<RevertResult> {
      const result = await countedPush(
        request.promotion,
        (r) => (r.reverts.length === 0 ? null : 'pushed'),
        () => asActivityFailure(() => repositories.get(request.repository).revert(request, request.expect ?? [])),
      );
      Context.current().log.info('git: reverted', {
        promotion: request.promotion,
        stage: request.stage,
        step: request.step,
        reverts: result.reverts.map((r) => `${r.reverted.slice(0, 12)} by ${r.sha.slice(0, 12)}`),
      });
      return result;
    },

    /** ramp's commits on the branch, newest first. */
    async readHistory(query: HistoryQuery): Promise<HistoryEntry[]> {
      return asActivityFailure(() => repositories.get(query.repository).history(query));
    },

    /** The newest commit of the branch: what an approval gate before the write is bound to. */
    async branchHead(repository: CommitRequest['repository']): Promise<string> {
      return asActivityFailure(() => repositories.get(repository).head());
    },

    /** The distinct values one YAML field had on the branch, newest first (a rollback's "was it live here?"). */
    async readFieldHistory(query: FieldHistoryQuery): Promise<string[]> {
      return asActivityFailure(() => repositories.get(query.repository).fieldHistory(query));
    },
  };
}

export type GitActivities = ReturnType<typeof createGitActivities>;

/**
 * Runs a write that pushes, counting it for the worker's metrics (docs/metrics.md):
 * ramp_git_pushes_total by outcome (`outcome(result)`: pushed, reused, or null when nothing was
 * pushed; a throw: failed), its stale-push retries, and a conflict that gave it up. The pipeline
 * label comes from the promotion id (`web@1.4.2` → `web`): never the id itself.
 */
export async function countedPush<T>(promotion: string, outcome: (result: T) => 'pushed' | 'reused' | null, write: () => Promise<T>): Promise<T> {
  const pipeline = pipelineOfPromotion(promotion);
  try {
    const result = await observingPushes({ retried: () => rampMetric('ramp_git_push_retries_total').inc({ pipeline }) }, write);
    const pushed = outcome(result);
    if (pushed !== null) rampMetric('ramp_git_pushes_total').inc({ pipeline, outcome: pushed });
    return result;
  } catch (error) {
    rampMetric('ramp_git_pushes_total').inc({ pipeline, outcome: 'failed' });
    if (error instanceof ApplicationFailure && error.type === FailureType.GitConflict) rampMetric('ramp_git_push_conflicts_total').inc({ pipeline });
    throw error;
  }
}

/** Runs `operation` heartbeating, turning the Git provider's errors into ApplicationFailures of stable types. */
export function asActivityFailure<T>(operation: () => Promise<T>): Promise<T> {
  return heartbeating(operation, toApplicationFailure);
}

export function toApplicationFailure(err: unknown): unknown {
  if (err instanceof GitConflictError) return ApplicationFailure.nonRetryable(err.message, FailureType.GitConflict, { files: err.files });
  if (err instanceof HistoryRewrittenError)
    return ApplicationFailure.nonRetryable(err.message, FailureType.HistoryRewritten, { commit: err.commit, missing: err.missing });
  if (err instanceof ManifestEditError) return ApplicationFailure.nonRetryable(err.message, FailureType.ManifestEdit);
  if (err instanceof RepositoryUnavailableError) return ApplicationFailure.retryable(err.message, FailureType.RepositoryUnavailable);
  return err;
}
