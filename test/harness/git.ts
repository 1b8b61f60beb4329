// A GitOps remote for tests: a bare repository in a temp dir, seeded with the example layout in
// test/harness/seed/gitops/ (envs/preview, envs/staging, envs/production) on branch `main`.
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { simpleGit, type SimpleGit } from 'simple-git';

export const SEED_DIR = fileURLToPath(new URL('./seed/gitops/', import.meta.url));

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

export async function createGitOpsRemote(
  options: { seedDir?: string; identity?: GitIdentity } = {},
): Promise<GitOpsRemote> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ramp-git-'));
  try {
    const bareDir = path.join(root, 'gitops.git');
    await mkdir(bareDir);
    await simpleGit(bareDir).init(true, ['--initial-branch=main']);
    const remoteUrl = pathToFileURL(bareDir).href;

    const seedDir = path.join(root, 'seed');
    await cp(options.seedDir ?? SEED_DIR, seedDir, { recursive: true });
    const seed = simpleGit(seedDir);
    await seed.init(['--initial-branch=main']);
    await configureRepo(seed, options.identity);
    await seed.add('.');
    await seed.commit('Seed GitOps layout: web 1.0.0 in preview, staging and production');
    await seed.addRemote('origin', remoteUrl);
    await seed.push('origin', 'main');
    const seedCommit = (await seed.revparse(['HEAD'])).trim();
    await rm(seedDir, { recursive: true, force: true });

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
