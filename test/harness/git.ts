// A GitOps remote for tests: a bare repository in a temp dir, seeded with the example layout in
// examples/gitops/ (envs/preview, envs/staging, envs/production) on branch `main`.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { EXAMPLE_GITOPS_DIR, seedRepository } from '../../dev/seed-repository.js';

export const SEED_DIR = EXAMPLE_GITOPS_DIR;

export interface GitIdentity {
  name: string;
  email: string;
}

export const TEST_IDENTITY: GitIdentity = { name: 'ramp test', email: 'ramp-test@example.invalid' };

export interface GitOpsRemote {
  /** file:// URL of the bare repository; use it as a clone/push URL. */
  readonly remoteUrl: string;
  readonly bareDir: string;
  /** The seed commit on main. */
  readonly seedCommit: string;
  /** A fresh clone of main, with a local identity configured. Removed by cleanup(). */
  workdir(): Promise<{ dir: string; git: SimpleGit }>;
  cleanup(): Promise<void>;
}

/**
 * Sets the identity and signing off in the repository's own config, never globally, so tests
 * behave the same on any developer's machine.
 */
export async function configureRepo(git: SimpleGit, identity: GitIdentity = TEST_IDENTITY): Promise<void> {
  await git.addConfig('user.name', identity.name);
  await git.addConfig('user.email', identity.email);
  await git.addConfig('commit.gpgsign', 'false');
  await git.addConfig('tag.gpgsign', 'false');
}

export async function createGitOpsRemote(options: { seedDir?: string; identity?: GitIdentity } = {}): Promise<GitOpsRemote> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ramp-git-'));
  try {
    const bareDir = path.join(root, 'gitops.git');
    const { url: remoteUrl, commit: seedCommit } = await seedRepository(bareDir, {
      ...(options.seedDir ? { seedDir: options.seedDir } : {}),
      identity: options.identity ?? TEST_IDENTITY,
    });

    let clones = 0;
    return {
      remoteUrl,
      bareDir,
      seedCommit,
      async workdir() {
        const dir = path.join(root, `clone-${++clones}`);
        await simpleGit().clone(remoteUrl, dir, ['--branch', 'main']);
        const git = simpleGit(dir);
        await configureRepo(git, options.identity);
        return { dir, git };
      },
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}
