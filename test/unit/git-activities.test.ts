/** The Git activities map the provider's errors to ApplicationFailures of stable types. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createGitActivities } from '../../activities/git.js';
import type { HistoryEntry, HistoryQuery } from '../../src/domain/changes.js';
import { FailureType, NON_RETRYABLE_FAILURE_TYPES } from '../../src/domain/failure-types.js';
import { ManifestEditError } from '../../src/manifests/yaml-edit.js';
import { GitConflictError, HistoryRewrittenError, RepositoryUnavailableError, type GitOpsRepository } from '../../src/providers/git/index.js';
import { recordingLogger } from '../support/recording-logger.js';

/** A repository whose every operation throws `error`. */
function failing(error: Error): GitOpsRepository {
  const fail = (): Promise<never> => Promise.reject(error);
  return {
    commit: fail,
    revert: fail,
    history: fail,
    rampLog: fail,
    fieldHistory: fail,
    head: fail,
    snapshot: fail,
    contains: fail,
    checkHistory: fail,
    appendToBranch: fail,
    readBranchFile: fail,
  };
}

const query: HistoryQuery = { repository: { url: 'file:///r.git', branch: 'main', secretRef: null } };

describe('git activities: error → ApplicationFailure', () => {
  const cases: [string, Error, FailureType, boolean][] = [
    ['GitConflictError', new GitConflictError('conflict in route.yaml', ['envs/staging/route.yaml']), FailureType.GitConflict, true],
    ['HistoryRewrittenError', new HistoryRewrittenError('not on main', 'abc'), FailureType.HistoryRewritten, true],
    ['ManifestEditError', new ManifestEditError('no such field'), FailureType.ManifestEdit, true],
    ['RepositoryUnavailableError', new RepositoryUnavailableError('cannot fetch'), FailureType.RepositoryUnavailable, false],
  ];
  for (const [name, error, type, nonRetryable] of cases) {
    test(`${name} → ${type}, ${nonRetryable ? 'non-retryable' : 'retryable'}`, async () => {
      const activities = createGitActivities({ repositories: { get: () => failing(error) } });
      const readHistory = (q: HistoryQuery): Promise<HistoryEntry[]> => activities.readHistory(q);
      await assert.rejects(new MockActivityEnvironment(undefined, { logger: recordingLogger() }).run(readHistory, query), (e: unknown) => {
        assert.ok(e instanceof ApplicationFailure);
        assert.equal(e.type, type);
        assert.equal(e.nonRetryable, nonRetryable);
        assert.equal(e.message, error.message);
        assert.equal(NON_RETRYABLE_FAILURE_TYPES.includes(type), nonRetryable, 'agrees with the declared list');
        return true;
      });
    });
  }

  test('other errors pass through unchanged (retryable by default)', async () => {
    const boom = new Error('boom');
    const activities = createGitActivities({ repositories: { get: () => failing(boom) } });
    const readHistory = (q: HistoryQuery): Promise<HistoryEntry[]> => activities.readHistory(q);
    await assert.rejects(new MockActivityEnvironment(undefined, { logger: recordingLogger() }).run(readHistory, query), (e: unknown) => e === boom);
  });
});
