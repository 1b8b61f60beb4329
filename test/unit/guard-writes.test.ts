/**
 * The guard around ramp's writes (activities/guard.ts guardedRepositories): while the guard
 * blocks, a commit or revert writes nothing and fails as HistoryRewritten; after a push the
 * guard is told the new commits; reads pass through to the repository untouched.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { guardedRepositories, type PushedBy, type WriteGuard } from '../../activities/guard.js';
import { toApplicationFailure } from '../../activities/git.js';
import type { CommitRequest, RevertRequest } from '../../src/domain/changes.js';
import { FailureType } from '../../src/domain/failure-types.js';
import { writeRefusal, type Rewrite } from '../../src/domain/guard.js';
import { HistoryRewrittenError, type GitOpsRepository } from '../../src/providers/git/index.js';

const repository = { url: 'file:///r.git', branch: 'main', secretRef: null };
const commitRequest: CommitRequest = {
  repository,
  stagePath: 'envs/staging',
  image: 'web',
  version: '1.2.0',
  changes: [],
  subject: 'web/staging: promote 1.2.0',
  trailers: { promotion: 'web@1.2.0', stage: 'staging', step: '1/promote', version: '1.2.0' },
};
const revertRequest: RevertRequest = {
  repository,
  promotion: 'web@1.2.0',
  stage: 'staging',
  step: '1/rollback',
  version: '1.2.0',
  commits: ['a'.repeat(40)],
  reason: 'x',
};
const rewrite: Rewrite = { branch: 'main', missing: [{ branch: 'main', sha: 'f'.repeat(40), seenAs: 'pushed' }], detectedAt: '2026-11-30T19:00:00.000Z' };

/** A repository whose methods need `this` (private fields, as the real one). */
class Recording implements Pick<GitOpsRepository, 'commit' | 'revert' | 'head'> {
  readonly #calls: string[] = [];
  get calls(): string[] {
    return this.#calls;
  }
  commit(): ReturnType<GitOpsRepository['commit']> {
    this.#calls.push('commit');
    return Promise.resolve({ sha: 'c'.repeat(40), reused: false, files: ['envs/staging/stable.yaml'] });
  }
  revert(): ReturnType<GitOpsRepository['revert']> {
    this.#calls.push('revert');
    return Promise.resolve({ reverts: [{ reverted: 'a'.repeat(40), sha: 'd'.repeat(40) }] });
  }
  head(): Promise<string> {
    this.#calls.push('head');
    return Promise.resolve('e'.repeat(40));
  }
}

function setup(blocked: Rewrite | null) {
  const repo = new Recording();
  const told: { shas: readonly string[]; by: PushedBy }[] = [];
  const asked: { pipeline: string | null; what: string }[] = [];
  const guard: WriteGuard = {
    assertWritable(spec, pipeline, what) {
      asked.push({ pipeline, what });
      const refusal = writeRefusal(blocked, spec.url, pipeline, what);
      return refusal === null ? Promise.resolve() : Promise.reject(new HistoryRewrittenError(refusal, rewrite.missing[0]!.sha));
    },
    remember(_spec, shas, by) {
      told.push({ shas, by });
      return Promise.resolve();
    },
  };
  const guarded = guardedRepositories({ get: () => repo as unknown as GitOpsRepository }, guard).get(repository);
  return { repo, guarded, told, asked };
}

describe('guarded writes', () => {
  test('not blocked: the commit and the revert are written, and the guard is told their commits', async () => {
    const { repo, guarded, told, asked } = setup(null);
    assert.equal((await guarded.commit(commitRequest)).sha, 'c'.repeat(40));
    assert.deepEqual((await guarded.revert(revertRequest)).reverts, [{ reverted: 'a'.repeat(40), sha: 'd'.repeat(40) }]);
    assert.deepEqual(repo.calls, ['commit', 'revert']);
    assert.deepEqual(asked, [
      { pipeline: 'web', what: 'the commit "web/staging: promote 1.2.0"' },
      { pipeline: 'web', what: 'the rollback of staging' },
    ]);
    assert.deepEqual(told, [
      { shas: ['c'.repeat(40)], by: { pipeline: 'web', promotion: 'web@1.2.0' } },
      { shas: ['d'.repeat(40)], by: { pipeline: 'web', promotion: 'web@1.2.0' } },
    ]);
  });

  test('blocked: nothing is written, and the failure is HistoryRewritten with what to do', async () => {
    const { repo, guarded, told } = setup(rewrite);
    for (const write of [() => guarded.commit(commitRequest), () => guarded.revert(revertRequest)]) {
      const error = await write().then(
        () => assert.fail('the write went through'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof HistoryRewrittenError);
      const failure = toApplicationFailure(error) as { type?: string; nonRetryable?: boolean; message: string };
      assert.equal(failure.type, FailureType.HistoryRewritten);
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, /ramp wrote nothing .*ramp guard ack web --reason/);
    }
    assert.deepEqual(repo.calls, [], 'nothing reached the repository');
    assert.deepEqual(told, []);
  });

  test('reads pass through with the repository as `this`', async () => {
    const { repo, guarded } = setup(rewrite);
    assert.equal(await guarded.head(), 'e'.repeat(40));
    assert.deepEqual(repo.calls, ['head']);
  });
});
