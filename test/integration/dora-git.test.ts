/**
 * DORA from a real GitOps repository: ramp's commits and reverts (through the GitOps repository
 * the worker uses) and a person's `git revert`, read back with `git log` (readLog), mapped by
 * readDelivery and computed by computeDora. The commits land within a second or two, so the
 * order also rests on git log's order for equal committer times.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { simpleGit } from 'simple-git';
import { computeDora } from '../../src/dora/compute.js';
import { readDelivery } from '../../src/dora/read-delivery.js';
import type { CommitRequest, RampTrailers, StageChange } from '../../src/domain/changes.js';
import { readLog } from '../../src/providers/git/git-log.js';
import { CachedGitOpsRepositories } from '../../src/providers/git/index.js';
import type { RepositorySpec, TrafficRoutingSpec, UpdateTargetSpec } from '../../src/schema/pipeline.js';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';

const STAGE_PATH = 'envs/staging';
const canaryImage: UpdateTargetSpec = {
  kind: 'yamlUpdate',
  file: 'canary.yaml',
  path: 'spec.template.spec.containers[name=web].image',
  value: '{{ramp.image}}:{{ramp.version}}',
};
const stableImage: UpdateTargetSpec = { ...canaryImage, file: 'stable.yaml' };
const routing: TrafficRoutingSpec = { kind: 'gatewayAPI', file: 'route.yaml', stableBackend: 'web-stable', canaryBackend: 'web-canary' };
const CANARY: StageChange[] = [
  { kind: 'setVersion', targets: [canaryImage] },
  { kind: 'setWeight', routing, weight: 10 },
];
const PROMOTE: StageChange[] = [
  { kind: 'setVersion', targets: [stableImage] },
  { kind: 'setWeight', routing, weight: 0 },
];

let remote: GitOpsRemote;
let cacheDir: string;
before(async () => {
  remote = await createGitOpsRemote();
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'ramp-dora-'));
});
after(async () => {
  await remote?.cleanup();
  await rm(cacheDir, { recursive: true, force: true });
});

test('deployed, caught, fixed forward and reverted by a person: the four keys from git log', async () => {
  const repository: RepositorySpec = { url: remote.remoteUrl, branch: 'main', secretRef: null };
  const repo = new CachedGitOpsRepositories({ cacheDir }).get(repository);
  const hour = 3_600_000;
  const t0 = Date.now();
  const older = new Date(t0 - 3 * hour).toISOString();
  const old = new Date(t0 - 2 * hour).toISOString();
  const commit = async (version: string, step: string, changes: StageChange[], extra: Partial<RampTrailers> = {}): Promise<string> => {
    const request: CommitRequest = {
      repository,
      stagePath: STAGE_PATH,
      image: 'web',
      version,
      changes,
      subject: `web/staging: ${step} ${version}`,
      trailers: { promotion: `web@${version}`, stage: 'staging', step, version, ...extra },
    };
    const result = await repo.commit(request);
    assert.ok(result.sha, `${version} ${step} committed`);
    return result.sha;
  };

  // 1.1.0: deployed, its source known.
  await commit('1.1.0', '1/0/setWeight-10', CANARY, { source: { commit: 'a1', time: older } });
  await commit('1.1.0', '1/promote', PROMOTE, { source: { commit: 'a1', time: older } });
  // 1.2.0: caught by its canary and reverted by its own promotion.
  const caught = await commit('1.2.0', '1/0/setWeight-10', CANARY, { source: { commit: 'b2', time: old } });
  const detected = new Date().toISOString();
  await repo.revert({
    repository,
    promotion: 'web@1.2.0',
    stage: 'staging',
    step: '1/rollback',
    version: '1.2.0',
    commits: [caught],
    reason: 'analysis failed',
    detectedAt: detected,
  });
  // 1.3.0: fixes 1.1.0 forward, no source of its own (1.2.0's unshipped one carries forward).
  await commit('1.3.0', '1/0/setWeight-10', CANARY, { fixes: '1.1.0' });
  const deployed = await commit('1.3.0', '1/promote', PROMOTE, { fixes: '1.1.0' });
  // A person reverts 1.3.0's promotion by hand.
  const { git } = await remote.workdir();
  await git.raw(['revert', '--no-edit', deployed]);
  await git.push('origin', 'main');

  const entries = await readLog(simpleGit(remote.bareDir), ['main']);
  const commits = readDelivery(entries);
  assert.equal(commits.length, 7, 'the seed commit is dropped; ramp’s six and the person’s revert are kept');
  const report = computeDora(commits, {
    pipeline: 'web',
    stage: 'staging',
    since: new Date(t0 - hour).toISOString(),
    until: new Date(Date.now() + hour).toISOString(),
  });
  const time = (sha: string) => Date.parse(entries.find((e) => e.sha === sha)!.committedAt);
  assert.deepEqual(
    report.releases.map((r) => [r.version, r.deployedAt !== null, r.caught, r.failure?.cause ?? null]),
    [
      ['1.1.0', true, false, 'fix-forward'],
      ['1.2.0', false, true, null],
      ['1.3.0', true, false, 'revert'],
    ],
  );
  assert.equal(report.releases[2]!.leadTimeSeconds, (time(deployed) - Date.parse(old)) / 1000, "1.3.0's lead time starts at 1.2.0's unshipped source");
  assert.deepEqual(report.changeFailureRate, { failures: 2, deployments: 2, rate: 1, byCause: { rollback: 0, revert: 1, 'fix-forward': 1 } });
  assert.deepEqual(report.canaryCatches, { count: 1, rateIncludingExposure: 1 });
  assert.equal(report.leadTime.samples, 2);
  assert.equal(report.leadTime.withoutSource, 0);
  assert.equal(report.recovery.open, 0);
  assert.equal(report.deploymentFrequency.deployments, 2);
  assert.equal(commits.find((c) => c.revertOf === caught)?.detectedAt, detected, "the rollback's revert carries when the failure was detected");
});
