/**
 * The Git activities count their pushes for the worker's metrics (docs/metrics.md): outcome
 * pushed, reused or failed, stale-push retries heard from the one push loop (push-retry.ts),
 * and conflicts — per pipeline, from the promotion id. The repository is a fake of ramp's own
 * interface whose commit runs the real push loop.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createGitActivities } from '../../activities/git.js';
import type { CommitRequest, CommitResult, RevertRequest, RevertResult } from '../../src/domain/changes.js';
import { GitConflictError, RepositoryUnavailableError, type GitOpsRepository } from '../../src/providers/git/index.js';
import { pushRetrying } from '../../src/providers/git/push-retry.js';
import { rampMetric } from '../../src/observability/registry.js';
import { uniqueName } from '../support/pipelines.js';
import { recordingLogger } from '../support/recording-logger.js';

const STALE = new Error(' ! [rejected]        HEAD -> main (fetch first)');

/** A repository whose commit pushes through the real loop: `stale` stale pushes first, then `then`. */
function repository(stale: number, then: () => Promise<CommitResult>): GitOpsRepository {
  const push = async (): Promise<CommitResult> => {
    let left = stale;
    await pushRetrying({
      attempts: 5,
      what: 'the commit',
      displayUrl: 'file:///r.git',
      branch: 'main',
      push: () => (left-- > 0 ? Promise.reject(STALE) : Promise.resolve()),
      refresh: () => Promise.resolve(),
      unavailable: (err) => new RepositoryUnavailableError(String(err)),
    });
    return then();
  };
  const never = (): Promise<never> => Promise.reject(new Error('not used'));
  return {
    commit: push,
    revert: (): Promise<RevertResult> => Promise.resolve({ reverts: [{ reverted: 'a'.repeat(40), sha: 'b'.repeat(40) }] }),
    history: never,
    rampLog: never,
    fieldHistory: never,
    head: never,
    snapshot: never,
    contains: never,
    checkHistory: never,
    appendToBranch: never,
    readBranchFile: never,
  };
}

const repo = { url: 'file:///r.git', branch: 'main', secretRef: null };
const commitRequest = (pipeline: string): CommitRequest => ({
  repository: repo,
  stagePath: 'envs/staging',
  image: 'web',
  version: '1.0.0',
  changes: [],
  subject: 'x',
  trailers: { promotion: `${pipeline}@1.0.0`, stage: 'staging', step: '1/promote', version: '1.0.0' },
});

async function value(
  name: 'ramp_git_pushes_total' | 'ramp_git_push_retries_total' | 'ramp_git_push_conflicts_total',
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await rampMetric(name).get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

describe('git activities: push metrics', () => {
  const env = () => new MockActivityEnvironment(undefined, { logger: recordingLogger() });

  test('a push that was stale twice: pushed once, two retries, for the pipeline of the promotion id', async () => {
    const pipeline = uniqueName('web');
    const activities = createGitActivities({
      repositories: { get: () => repository(2, () => Promise.resolve({ sha: 'c'.repeat(40), reused: false, files: [] })) },
    });
    await env().run((r: CommitRequest) => activities.commitStageChange(r), commitRequest(pipeline));
    assert.equal(await value('ramp_git_pushes_total', { pipeline, outcome: 'pushed' }), 1);
    assert.equal(await value('ramp_git_push_retries_total', { pipeline }), 2);
    assert.equal(await value('ramp_git_push_conflicts_total', { pipeline }), 0);
  });

  test('reused, nothing to commit, a revert', async () => {
    const pipeline = uniqueName('web');
    let result: CommitResult = { sha: 'c'.repeat(40), reused: true, files: [] };
    const activities = createGitActivities({ repositories: { get: () => repository(0, () => Promise.resolve(result)) } });
    await env().run((r: CommitRequest) => activities.commitStageChange(r), commitRequest(pipeline));
    result = { sha: null, reused: false, files: [] };
    await env().run((r: CommitRequest) => activities.commitStageChange(r), commitRequest(pipeline));
    const revert: RevertRequest = {
      repository: repo,
      promotion: `${pipeline}@1.0.0`,
      stage: 'staging',
      step: '1/rollback',
      version: '1.0.0',
      commits: ['a'.repeat(40)],
      reason: 'r',
    };
    await env().run((r: RevertRequest) => activities.revertStageCommits(r), revert);
    assert.equal(await value('ramp_git_pushes_total', { pipeline, outcome: 'reused' }), 1);
    assert.equal(await value('ramp_git_pushes_total', { pipeline, outcome: 'pushed' }), 1, 'the revert; nothing to commit pushed nothing');
  });

  test('a conflict: failed and counted as a conflict', async () => {
    const pipeline = uniqueName('web');
    const activities = createGitActivities({
      repositories: { get: () => repository(1, () => Promise.reject(new GitConflictError('conflict in route.yaml', ['route.yaml']))) },
    });
    await assert.rejects(env().run((r: CommitRequest) => activities.commitStageChange(r), commitRequest(pipeline)));
    assert.equal(await value('ramp_git_pushes_total', { pipeline, outcome: 'failed' }), 1);
    assert.equal(await value('ramp_git_push_conflicts_total', { pipeline }), 1);
    assert.equal(await value('ramp_git_push_retries_total', { pipeline }), 1);
  });
});
