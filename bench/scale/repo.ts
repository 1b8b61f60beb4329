/**
 * Part `repo`: commit+push per step in a GitOps repository of `files` files and `commits`
 * commits (bench/scale/big-repo.ts), through ramp's own code path (CachedGitOpsRepositories →
 * ClonedGitOpsRepository.commit, what the commitStageChange activity calls): with the worker's
 * cached clone, against a fresh clone per step (what Kargo does: a clone per promotion), the two
 * interleaved step by step. The first step of the cached lane is its first clone.
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { runChecked } from '../../scripts/lib/proc.js';
import type { CommitRequest, CommitResult } from '../../src/domain/changes.js';
import { CachedGitOpsRepositories } from '../../src/providers/git/index.js';
import { latencySummary, median, round, type LatencySummary } from '../stats.js';
import { bigRepository } from './big-repo.js';
import { scalePipeline } from './promotions.js';

export interface RepoResult {
  files: number;
  commits: number;
  packMiB: number;
  /** `git clone` of the repository alone, ms. */
  plainCloneMs: number;
  /** ramp's first step with an empty cache: clone + commit + push, ms. */
  firstStepMs: number;
  cached: LatencySummary;
  freshClone: LatencySummary;
  /** freshClone median / cached median. */
  ratio: number;
}

export async function benchRepo(dir: string, size: { files: number; commits: number; steps: number }, say: (line: string) => void): Promise<RepoResult> {
  await mkdir(dir, { recursive: true });
  const cached = await bigRepository(size.files, size.commits, say);
  const bare = path.join(dir, 'gitops.git');
  await cp(cached, bare, { recursive: true });
  const url = pathToFileURL(bare).href;
  const packKiB = Number((await runChecked('du', ['-sk', path.join(bare, 'objects')])).stdout.split('\t')[0]);

  const plain = performance.now();
  await runChecked('git', ['clone', '--quiet', url, path.join(dir, 'plain')], { timeoutMs: 600_000 });
  const plainCloneMs = performance.now() - plain;
  await rm(path.join(dir, 'plain'), { recursive: true, force: true });

  const spec = scalePipeline('scale-repo', url, 'staging', {});
  const stage = spec.stages[0]!;
  const request = (k: number, lane: string): CommitRequest => ({
    repository: spec.repository,
    stagePath: stage.path,
    image: 'web',
    version: `2.0.${k}`,
    changes: [{ kind: 'setVersion', targets: stage.update }],
    subject: `scale-repo/staging: 2.0.${k} (${lane})`,
    trailers: { promotion: `scale-repo/2.0.${k}`, stage: 'staging', step: `1/0/${lane}`, version: `2.0.${k}` },
  });
  const time = async (task: () => Promise<CommitResult>) => {
    const t0 = performance.now();
    const result = await task();
    const elapsed = performance.now() - t0;
    if (result.sha === null || result.reused)
      throw new Error(`repo: a step committed nothing new (${JSON.stringify(result)}); the bench's versions must differ per step`);
    return elapsed;
  };
  const worker = new CachedGitOpsRepositories({ cacheDir: path.join(dir, 'cache') });
  say(`repo: ${size.files} files, ${size.commits} commits (${round(packKiB / 1024)} MiB of objects); first clone ... `);
  const firstStepMs = await time(() => worker.get(spec.repository).commit(request(0, 'cached')));
  const cachedSteps: number[] = [];
  const freshSteps: number[] = [];
  for (let k = 1; k <= size.steps; k++) {
    say(`\rrepo: step ${k}/${size.steps} (cached clone, then a fresh clone) `);
    cachedSteps.push(await time(() => worker.get(spec.repository).commit(request(2 * k - 1, 'cached'))));
    const freshDir = path.join(dir, `fresh-${k}`);
    freshSteps.push(await time(() => new CachedGitOpsRepositories({ cacheDir: freshDir }).get(spec.repository).commit(request(2 * k, 'fresh'))));
    await rm(freshDir, { recursive: true, force: true });
  }
  say('\n');
  return {
    files: size.files,
    commits: size.commits,
    packMiB: round(packKiB / 1024),
    plainCloneMs: round(plainCloneMs),
    firstStepMs: round(firstStepMs),
    cached: latencySummary(cachedSteps),
    freshClone: latencySummary(freshSteps),
    ratio: round(median(freshSteps) / median(cachedSteps)),
  };
}
