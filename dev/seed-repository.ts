/** A bare GitOps repository seeded from a directory of manifests (examples/gitops by default). */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { simpleGit } from 'simple-git';

export const EXAMPLE_GITOPS_DIR = fileURLToPath(new URL('../examples/gitops/', import.meta.url));

export interface SeedOptions {
  seedDir?: string;
  identity?: { name: string; email: string };
  message?: string;
}

/** Creates `bareDir` as a bare repository whose `main` holds one commit of `seedDir`. Returns its file:// URL and the commit. */
export async function seedRepository(bareDir: string, options: SeedOptions = {}): Promise<{ url: string; commit: string }> {
  await mkdir(bareDir, { recursive: true });
  await simpleGit(bareDir).init(true, ['--initial-branch=main']);
  const url = pathToFileURL(bareDir).href;
  const work = await mkdtemp(path.join(os.tmpdir(), 'ramp-seed-'));
  try {
    await cp(options.seedDir ?? EXAMPLE_GITOPS_DIR, work, { recursive: true });
    const git = simpleGit(work);
    await git.init(['--initial-branch=main']);
    const identity = options.identity ?? { name: 'ramp example', email: 'example@ramp.invalid' };
    await git.addConfig('user.name', identity.name);
    await git.addConfig('user.email', identity.email);
    await git.addConfig('commit.gpgsign', 'false');
    await git.add('.');
    await git.commit(options.message ?? 'Seed GitOps layout: web 1.0.0 in preview, staging and production');
    await git.addRemote('origin', url);
    await git.push('origin', 'main');
    return { url, commit: (await git.revparse(['HEAD'])).trim() };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
