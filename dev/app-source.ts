/**
 * The demo app's source repository (`<dev dir>/app-source`): the demo commits each release's
 * change here before it promotes it, and the promotion carries that commit and its time
 * (`ramp promote … --source-commit`), so the DORA figures `ramp dev` prints end with a real lead
 * time — from the commit to production (docs/dora.md).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import type { ReleaseSource } from '../workflows/messages.js';

export interface AppSource {
  dir: string;
  /** Commits the release's change (its VERSION file) and returns what the promotion records. */
  commit(version: string, change: string): Promise<ReleaseSource>;
}

export async function createAppSource(dir: string): Promise<AppSource> {
  await mkdir(dir, { recursive: true });
  const git = simpleGit(dir);
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'demo developer');
  await git.addConfig('user.email', 'developer@ramp.invalid');
  await git.addConfig('commit.gpgsign', 'false');
  return {
    dir,
    async commit(version, change) {
      await writeFile(path.join(dir, 'VERSION'), `${version}\n`);
      await git.add('VERSION');
      await git.commit(`${change} (${version})`);
      const [commit = '', time = ''] = (await git.raw(['show', '-s', '--format=%H%n%aI', 'HEAD'])).trim().split('\n');
      return { commit, time, authors: ['developer@ramp.invalid'] };
    },
  };
}
