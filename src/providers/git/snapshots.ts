/**
 * The repository's files at one commit, extracted once into `<root>/<sha>` with `git archive`
 * and reused: a commit's files never change. The newest few are kept; older ones are removed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { SerialQueue } from './serial-queue.js';

export class SnapshotStore {
  readonly #queue = new SerialQueue();

  constructor(
    readonly root: string,
    readonly keep = 16,
  ) {}

  /** The directory holding the files of `sha` from the clone at `cloneDir`. */
  extract(cloneDir: string, sha: string): Promise<string> {
    return this.#queue.run(async () => {
      const dir = path.join(this.root, sha);
      if (existsSync(dir)) {
        const now = new Date();
        await utimes(dir, now, now);
        return dir;
      }
      const partial = `${dir}.partial`;
      await rm(partial, { recursive: true, force: true });
      await mkdir(partial, { recursive: true });
      await archive(cloneDir, sha, partial);
      await rename(partial, dir);
      await this.#prune();
      return dir;
    });
  }

  async #prune(): Promise<void> {
    const names = (await readdir(this.root)).filter((n) => /^[0-9a-f]{40,64}$/.test(n));
    if (names.length <= this.keep) return;
    const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(path.join(this.root, n))).mtimeMs })));
    dated.sort((a, b) => b.t - a.t);
    for (const { n } of dated.slice(this.keep)) await rm(path.join(this.root, n), { recursive: true, force: true });
  }
}

/** `git archive <sha> | tar -x -C <into>`, failing with both programs' messages. */
function archive(cloneDir: string, sha: string, into: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const git = spawn('git', ['archive', '--format=tar', sha], { cwd: cloneDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '-f', '-', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    git.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    tar.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    git.stdout.pipe(tar.stdin);
    let pending = 2;
    let failed = false;
    const done = (what: string) => (code: number | null) => {
      if (code !== 0 && !failed) {
        failed = true;
        reject(new Error(`cannot extract commit ${sha.slice(0, 12)} (${what} exited ${code}): ${errors.trim()}`));
      }
      if (--pending === 0 && !failed) resolve();
    };
    git.once('error', reject);
    tar.once('error', reject);
    git.once('close', done('git archive'));
    tar.once('close', done('tar'));
  });
}
