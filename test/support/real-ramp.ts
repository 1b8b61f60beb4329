/**
 * The real activities over a real GitOps remote, for end-to-end tests: a seeded bare
 * repository, a worker-side clone cache and groups file in a temp dir.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import axios from 'axios';
import { KubeClusters } from '../../src/providers/kube/clusters.js';
import { createActivities } from '../../activities/index.js';
import type { ActivityDeps } from '../../activities/create.js';
import { CachedGitOpsRepositories } from '../../src/providers/git/index.js';
import { createGitOpsRemote, SEED_DIR, type GitOpsRemote } from '../harness/git.js';

export interface RealRamp {
  remote: GitOpsRemote;
  activities: ReturnType<typeof createActivities>;
  groupsFile: string;
  cacheDir: string;
  /** Every file under `dir` (e.g. envs/staging) in a fresh clone of the remote's main. */
  files(dir: string): Promise<Record<string, string>>;
  /** The same directory as seeded. */
  seedFiles(dir: string): Promise<Record<string, string>>;
  cleanup(): Promise<void>;
}

/** The worker's cluster access for stages with a sync mode (the test cluster's worker user). */
export interface RealRampKube {
  kubeconfig: string;
  kustomize: string;
  /** The GitOps repository's first commit (default: examples/gitops). */
  seedDir?: string;
}

export async function realRamp(
  env: TestWorkflowEnvironment,
  groups: Record<string, string[]> = {},
  kube?: RealRampKube,
  /** The ramp servers' public keys (RAMP_DECISION_KEYS_FILE): signed decisions verify, unsigned approvals are refused. */
  identity: { decisionKeysFile?: string } = {},
  /** Notification channels and the worker's secrets (e.g. the Slack bot token): none when absent. */
  notify: Pick<ActivityDeps, 'notifications' | 'secrets' | 'guard'> = {},
): Promise<RealRamp> {
  const remote = await createGitOpsRemote(kube?.seedDir ? { seedDir: kube.seedDir } : {});
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-worker-'));
  const groupsFile = path.join(dir, 'groups.yaml');
  await writeFile(
    groupsFile,
    `groups:\n${
      Object.entries(groups)
        .map(([g, m]) => `  ${g}: [${m.join(', ')}]`)
        .join('\n') || '  {}'
    }\n`,
  );
  const cacheDir = path.join(dir, 'cache');
  const activities = createActivities({
    repositories: new CachedGitOpsRepositories({ cacheDir }),
    client: env.client,
    http: axios.create(),
    groupsFile,
    webhooks: [],
    clusters: new KubeClusters(kube?.kubeconfig),
    ...(kube ? { kustomize: kube.kustomize } : {}),
    decisionKeysFile: identity.decisionKeysFile,
    ...notify,
  });
  return {
    remote,
    activities,
    groupsFile,
    cacheDir,
    async files(sub) {
      const { dir: clone } = await remote.workdir();
      return readTree(path.join(clone, sub));
    },
    seedFiles: (sub) => readTree(path.join(SEED_DIR, sub)),
    async cleanup() {
      await remote.cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function readTree(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const out: Record<string, string> = {};
  for (const entry of names.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = await readFile(full, 'utf8');
  }
  return out;
}
