/**
 * `npm run bench:kube`: what ramp's Kubernetes layer costs, on the real control plane (built
 * from Go modules on first use) and real Git, printed and saved as JSON in bench/results/:
 *
 * 1. sync (mode apply): from a pushed commit that changes the image of a 3-replica Deployment
 *    to "live and healthy" (snapshot, kustomize-less render, server-side apply, rollout wait) —
 *    median and p95 over 15 commits; and how much of it is the rollout itself (kube-controller-
 *    manager + kwok) versus ramp (snapshot, render, apply, polling granularity of 100 ms);
 * 2. one drift check (Git's head rendered, 4 objects read, compared) — median over 30;
 * 3. the control plane's start, for the record.
 * The machine is shared: medians and ratios, not single runs.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureKubeBinaries } from '../scripts/lib/kube.js';
import { startTestCluster } from '../scripts/lib/kube-test-cluster.js';
import { CachedGitOpsRepositories } from '../src/providers/git/repositories.js';
import { KubeCluster } from '../src/providers/kube/cluster.js';
import { detectDrift } from '../src/providers/kube/drift-ops.js';
import { syncStage } from '../src/providers/kube/stage-sync.js';
import { NO_SYNC } from '../src/schema/sync.js';
import { createGitOpsRemote } from '../test/harness/git.js';
import { median, quantile, round } from './stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COMMITS = 15;
const CHECKS = 30;

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: "${image}" }] }
`;
const extras = `apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: web }
data: { greeting: hello }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: web }
spec: { rules: [{ backendRefs: [{ name: web, port: 80, weight: 100 }] }] }
`;

const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-bench-kube-'));
const t0 = performance.now();
const { plane, cluster } = await startTestCluster({ binaries: await ensureKubeBinaries() });
const startMs = performance.now() - t0;
try {
  const admin = new KubeCluster({ kubeconfig: cluster.adminKubeconfig });
  const worker = new KubeCluster({ kubeconfig: cluster.workerKubeconfig });
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  await mkdir(path.join(dir, 'seed', 'envs', 'bench'), { recursive: true });
  await writeFile(path.join(dir, 'seed', 'envs', 'bench', 'deployment.yaml'), deployment('web:0'));
  await writeFile(path.join(dir, 'seed', 'envs', 'bench', 'extras.yaml'), extras);
  const remote = await createGitOpsRemote({ seedDir: path.join(dir, 'seed') });
  const spec = { url: remote.remoteUrl, branch: 'main', secretRef: null };
  const repository = new CachedGitOpsRepositories({ cacheDir: path.join(dir, 'cache') }).get(spec);
  const sync = { ...NO_SYNC, mode: 'apply' as const, namespace: 'bench' };
  const deps = { repository, cluster: worker, pollMs: 100 };

  await syncStage({ stagePath: 'envs/bench', sync, sha: null, deadline: Date.now() + 60_000 }, deps); // warm-up
  const { git } = await remote.workdir();
  const total: number[] = [];
  const rollout: number[] = [];
  for (let i = 1; i <= COMMITS; i++) {
    process.stdout.write(`\rsync ${i}/${COMMITS} `);
    await writeFile(path.join(await git.revparse(['--show-toplevel']), 'envs', 'bench', 'deployment.yaml'), deployment(`web:${i}`));
    await git.add('.');
    await git.commit(`web ${i}`);
    await git.push('origin', 'main');
    const sha = (await git.revparse(['HEAD'])).trim();
    const started = performance.now();
    let appliedAt = 0;
    await syncStage(
      { stagePath: 'envs/bench', sync, sha, deadline: Date.now() + 60_000 },
      { ...deps, progress: (m) => (appliedAt ||= m.startsWith('applied') ? performance.now() : 0) },
    );
    const end = performance.now();
    total.push(end - started);
    rollout.push(end - appliedAt);
  }
  process.stdout.write('\n');
  const checks: number[] = [];
  for (let i = 0; i < CHECKS; i++) {
    const started = performance.now();
    const report = await detectDrift({ stagePath: 'envs/bench', sync, fields: [] }, { repository, cluster: worker });
    checks.push(performance.now() - started);
    if (report.drifts.length > 0) throw new Error(`unexpected drift: ${JSON.stringify(report.drifts)}`);
  }
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    controlPlaneStartMs: round(startMs),
    sync: {
      commits: COMMITS,
      msMedian: round(median(total)),
      msP95: round(quantile(total, 0.95)),
      rolloutMsMedian: round(median(rollout)),
      rampMsMedian: round(median(total.map((t, i) => t - rollout[i]!))),
    },
    driftCheck: { checks: CHECKS, objects: 4, msMedian: round(median(checks)), msP95: round(quantile(checks, 0.95)) },
  };
  await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
  const file = path.join(ROOT, 'bench/results', `kube-${result.date.slice(0, 19).replaceAll(':', '-')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`control plane ready in ${(startMs / 1000).toFixed(1)} s (binaries cached)
sync apply (commit → 3/3 replicas on the new image available): median ${result.sync.msMedian} ms, p95 ${result.sync.msP95} ms over ${COMMITS} commits
  of which the rollout after ramp applied (controllers + kwok, seen at 100 ms polls): median ${result.sync.rolloutMsMedian} ms; ramp's own part (snapshot, render, apply): median ${result.sync.rampMsMedian} ms
drift check (Git's head rendered, ${result.driftCheck.objects} objects read and compared): median ${result.driftCheck.msMedian} ms, p95 ${result.driftCheck.msP95} ms over ${CHECKS}
saved ${path.relative(ROOT, file)}`);
  await remote.cleanup();
} finally {
  await plane.stop();
  await rm(dir, { recursive: true, force: true });
}
