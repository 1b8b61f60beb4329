/**
 * Lock files a killed git leaves in a clone (`index.lock`, `HEAD.lock`, `refs/…/<name>.lock`,
 * `packed-refs.lock`, ...). Operations on one clone run one at a time in the worker process,
 * so a lock older than the running operation belongs to no live git of ours: git removes its
 * locks on every exit but SIGKILL.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** A lock file must be at least this much older than the operation to count as stale (clock granularity). */
export const STALE_LOCK_MARGIN_MS = 2_000;

/**
 * Removes the `*.lock` files under `<clone>/.git` written before `startedAt` (by the margin) or
 * dated in the future (a clock that was wrong); younger ones are left alone. Paths are relative
 * to the clone.
 */
export async function removeStaleLocks(clone: string, startedAt: number): Promise<{ removed: string[]; live: string[] }> {
  const removed: string[] = [];
  const live: string[] = [];
  for (const file of await lockFiles(path.join(clone, '.git'))) {
    const info = await stat(file).catch(() => null);
    if (info === null) continue;
    const name = path.relative(clone, file);
    if (info.mtimeMs < startedAt - STALE_LOCK_MARGIN_MS || info.mtimeMs > Date.now() + STALE_LOCK_MARGIN_MS) {
      await rm(file, { force: true });
      removed.push(name);
    } else {
      live.push(name);
    }
  }
  return { removed, live };
}

/** Every `*.lock` file under a .git directory (object directories skipped: git locks nothing there but packs and graphs). */
async function lockFiles(gitDir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < 12 && !(path.basename(dir) === 'objects' && /^[0-9a-f]{2}$/.test(entry.name))) await walk(full, depth + 1);
      } else if (entry.name.endsWith('.lock')) {
        found.push(full);
      }
    }
  };
  await walk(gitDir, 0);
  return found;
}
