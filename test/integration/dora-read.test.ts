/**
 * DORA's read against real Git: GitOpsRepository.rampLog (the one `git log` of ramp's commits,
 * which `ramp history` reads too) bounds the stage's commits by committer time [since, until)
 * and by count, and leaves out others' commits and other stages'; readDelivery answers the
 * report of the query's period.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { FailureType } from '../../src/domain/failure-types.js';
import { createDoraActivities, type DeliveryQuery } from '../../activities/dora.js';
import type { DoraReport } from '../../src/dora/report.js';
import { CachedGitOpsRepositories } from '../../src/providers/git/index.js';
import type { RepositorySpec } from '../../src/schema/pipeline.js';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';
import { recordingLogger } from '../support/recording-logger.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe("DORA's read of ramp's commits", () => {
  let remote: GitOpsRemote;
  let cacheDir: string;
  let repository: RepositorySpec;
  /** sha by label, in the order pushed. */
  const shas: Record<string, string> = {};

  before(async () => {
    remote = await createGitOpsRemote();
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'ramp-dora-cache-'));
    repository = { url: remote.remoteUrl, branch: 'main', secretRef: null };
    const { dir, git } = await remote.workdir();
    const commits: [string, string, string | null][] = [
      ['old', '2026-10-01T10:00:00Z', 'production'],
      ['first', '2026-11-10T10:00:00Z', 'production'],
      ['staging', '2026-11-11T10:00:00Z', 'staging'],
      ['hand', '2026-11-12T10:00:00Z', null],
      ['second', '2026-11-20T10:00:00Z', 'production'],
      ['late', '2026-12-05T10:00:00Z', 'production'],
    ];
    for (const [label, at, stage] of commits) {
      await writeFile(path.join(dir, 'notes.txt'), `${label}\n`);
      await git.add('notes.txt');
      const trailers = stage === null ? '' : `\n\nRamp-Promotion: web@${label}\nRamp-Stage: ${stage}\nRamp-Step: 1/promote\nRamp-Version: ${label}`;
      await run('git', ['commit', '-q', '-m', `${label}${trailers}`], { cwd: dir, env: { ...process.env, GIT_AUTHOR_DATE: at, GIT_COMMITTER_DATE: at } });
      shas[label] = (await git.revparse(['HEAD'])).trim();
    }
    await git.push('origin', 'main');
  });
  after(async () => {
    await remote?.cleanup();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  test("the stage's ramp commits in [since, until), newest first, at most limit", async () => {
    const repo = new CachedGitOpsRepositories({ cacheDir }).get(repository);
    const read = async (q: { since?: string; until?: string; limit?: number }) =>
      (await repo.rampLog({ stage: 'production', limit: q.limit ?? 100, since: q.since, until: q.until })).map((e) => e.sha);
    assert.deepEqual(await read({ since: '2026-11-01T00:00:00Z', until: '2026-12-01T00:00:00Z' }), [shas.second, shas.first]);
    assert.deepEqual(await read({ since: '2026-11-15T00:00:00Z' }), [shas.late, shas.second]);
    assert.deepEqual(await read({}), [shas.late, shas.second, shas.first, shas.old]);
    assert.deepEqual(await read({ limit: 1 }), [shas.late]);
    const entry = (await repo.rampLog({ stage: 'production', limit: 1, since: '2026-11-15T00:00:00Z', until: '2026-12-01T00:00:00Z' }))[0];
    assert.deepEqual(
      [entry?.promotion, entry?.stage, entry?.step, entry?.version, entry?.committedAt],
      ['web@second', 'production', '1/promote', 'second', '2026-11-20T10:00:00+00:00'],
    );
    // ramp history reads the same way.
    assert.deepEqual(
      (await repo.history({ repository, stage: 'production' })).map((e) => e.sha),
      [shas.late, shas.second, shas.first, shas.old],
    );
  });

  test("readDelivery answers the report of the query's pipeline, stage and period", async () => {
    const activities = createDoraActivities({ repositories: new CachedGitOpsRepositories({ cacheDir }) });
    const readDelivery = (q: DeliveryQuery): Promise<DoraReport> => activities.readDelivery(q);
    const query: DeliveryQuery = { repository, pipeline: 'web', stage: 'production', since: '2026-11-01T00:00:00.000Z', until: '2026-12-01T00:00:00.000Z' };
    const report: DoraReport = await new MockActivityEnvironment(undefined, { logger: recordingLogger() }).run(readDelivery, query);
    assert.deepEqual([report.pipeline, report.stage, report.since, report.until], ['web', 'production', query.since, query.until]);
    assert.equal((report as unknown as Record<string, unknown>).repository, undefined, 'the repository (and its URL) stays out of the report');
  });

  test('a period holding more commits than one read takes is refused, not computed from a cut history', async () => {
    const activities = createDoraActivities({ repositories: new CachedGitOpsRepositories({ cacheDir }) });
    const readDelivery = (q: DeliveryQuery): Promise<DoraReport> => activities.readDelivery(q);
    const env = new MockActivityEnvironment(undefined, { logger: recordingLogger() });
    // From 2026-10-25 (the horizon before since) to until: first, staging and second, three of ramp's commits.
    const query: DeliveryQuery = { repository, pipeline: 'web', stage: 'production', since: '2026-11-01T00:00:00.000Z', until: '2026-12-01T00:00:00.000Z' };
    await assert.rejects(env.run(readDelivery, { ...query, limit: 3 }), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure, String(error));
      assert.equal(error.type, FailureType.DeliveryPeriodUnreadable);
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /holds 3 or more of ramp's commits in the repository, more than one read takes: ask for a shorter period/);
      return true;
    });
    const report: DoraReport = await env.run(readDelivery, { ...query, limit: 4 });
    assert.equal(report.deploymentFrequency.deployments, 2, 'first and second, in production');
  });
});
