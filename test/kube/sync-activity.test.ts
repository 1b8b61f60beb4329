/**
 * The syncStage activity itself (activities/kube.ts) on the real control plane: a long wait
 * heartbeats what it waits for, stops at once when the activity is cancelled (an abort), and
 * its failures carry the stable failure types the workflow acts on.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createKubeActivities, type SyncRequest } from '../../activities/kube.js';
import { NEVER_READY_TAG } from '../../scripts/lib/kube.js';
import { CachedGitOpsRepositories } from '../../src/providers/git/repositories.js';
import { KubeClusters } from '../../src/providers/kube/clusters.js';
import { NO_SYNC } from '../../src/schema/sync.js';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';
import { getKube, type KubeTestEnv } from '../harness/kube.js';

const manifest = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: "${image}" }] }
`;

describe('the syncStage activity', () => {
  let kube: KubeTestEnv;
  let remote: GitOpsRemote;
  let dir: string;
  let namespace: string;
  before(async () => {
    kube = await getKube();
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-sync-activity-'));
    await mkdir(path.join(dir, 'seed', 'envs', 'never'), { recursive: true });
    await writeFile(path.join(dir, 'seed', 'envs', 'never', 'deployment.yaml'), manifest(`web:${NEVER_READY_TAG}`));
    remote = await createGitOpsRemote({ seedDir: path.join(dir, 'seed') });
    namespace = await kube.namespace('activity');
  });
  after(async () => {
    await remote?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const activities = () =>
    createKubeActivities({
      repositories: new CachedGitOpsRepositories({ cacheDir: path.join(dir, 'cache') }),
      clusters: new KubeClusters(kube.workerKubeconfig),
      kustomize: kube.kustomize,
    });
  const request = (deadlineMs: number): SyncRequest => ({
    repository: { url: remote.remoteUrl, branch: 'main', secretRef: null },
    stagePath: 'envs/never',
    sync: { ...NO_SYNC, mode: 'apply', namespace },
    sha: null,
    deadline: new Date(Date.now() + deadlineMs).toISOString(),
    routing: null,
  });

  test('heartbeats what it waits for, and stops at once when cancelled', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 });
    const beats: unknown[] = [];
    let cancelledAt = 0;
    env.on('heartbeat', (details: unknown) => {
      beats.push(details);
      if (cancelledAt === 0 && typeof details === 'string' && /0 of 1 updated replicas available/.test(details)) {
        cancelledAt = Date.now();
        env.cancel();
      }
    });
    const run = env.run((r: SyncRequest) => activities().syncStage(r), request(120_000));
    await assert.rejects(run, (err: unknown) => err instanceof CancelledFailure);
    // A CancelledFailure, not the deadline's ProgressDeadlineExceeded 120 s later: the cancel ended it.
    assert.ok(cancelledAt > 0, `a heartbeat said what it waits for: ${JSON.stringify(beats)}`);
  });

  test('the deadline ends it as a non-retryable ProgressDeadlineExceeded naming the workload', async () => {
    const env = new MockActivityEnvironment();
    await assert.rejects(
      env.run((r: SyncRequest) => activities().syncStage(r), request(2_000)),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'ProgressDeadlineExceeded');
        assert.equal(err.nonRetryable, true);
        assert.match(err.message, new RegExp(`Deployment ${namespace}/web: .*updated replicas available`));
        return true;
      },
    );
  });
});
