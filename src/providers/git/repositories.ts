/**
 * The worker's GitOps repositories: one cached clone, and one GitOpsRepository over it, per
 * (URL, branch). Built once in the worker's composition root and given to createGitActivities.
 */
import os from 'node:os';
import path from 'node:path';
import type { RepositorySpec } from '../../schema/pipeline.js';
import type { CredentialSource } from './credentials.js';
import { ClonedGitOpsRepository, type ClonedGitOpsRepositoryOptions, type GitOpsRepository } from './gitops-repository.js';
import { Workspace, workspaceDir, type GitIdentity } from './workspace.js';

/**
 * Which clone of a repository: ramp's deployment writes (commits, reverts, reads), or the audit
 * trail's appends — a clone of its own, so that a decision's append never makes a stage's commit
 * or revert wait (an abort's record would otherwise delay its own rollback), nor the other way.
 */
export type CloneLane = 'deploy' | 'audit';

/** Gives the repository of a pipeline's `repository` spec. */
export interface GitOpsRepositories {
  get(repository: RepositorySpec, lane?: CloneLane): GitOpsRepository;
}

export interface GitOpsRepositoriesOptions extends ClonedGitOpsRepositoryOptions {
  /** Where clones are kept, one directory per (URL, branch, lane). @default ~/.cache/ramp/repos (the worker passes RAMP_CACHE_DIR) */
  cacheDir?: string;
  /** The author and committer of ramp's commits. @default { name: 'ramp', email: 'ramp@localhost' } */
  identity?: GitIdentity;
  /** Where secretRefs are resolved (the worker passes its RAMP_SECRET_* and RAMP_SECRETS_DIR). @default none */
  credentials?: CredentialSource;
  /** A git process silent for this long is killed. @default 120000 */
  gitTimeoutMs?: number;
  /** Told when a damaged clone was repaired (stale lock files removed, or cloned again). @default a line on stderr */
  onRepair?: (message: string) => void;
}

export const DEFAULT_IDENTITY: GitIdentity = { name: 'ramp', email: 'ramp@localhost' };

export function defaultCacheDir(): string {
  return path.join(os.homedir(), '.cache', 'ramp', 'repos');
}

export class CachedGitOpsRepositories implements GitOpsRepositories {
  readonly cacheDir: string;
  readonly #identity: GitIdentity;
  readonly #credentials: CredentialSource;
  readonly #timeoutMs: number;
  readonly #onRepair: ((message: string) => void) | undefined;
  readonly #options: ClonedGitOpsRepositoryOptions;
  readonly #repositories = new Map<string, GitOpsRepository>();

  constructor(options: GitOpsRepositoriesOptions = {}) {
    const { cacheDir, identity, credentials, gitTimeoutMs, onRepair, ...repositoryOptions } = options;
    this.#onRepair = onRepair;
    this.cacheDir = path.resolve(cacheDir ?? defaultCacheDir());
    this.#identity = identity ?? DEFAULT_IDENTITY;
    this.#credentials = credentials ?? { env: {} };
    this.#timeoutMs = gitTimeoutMs ?? 120_000;
    this.#options = repositoryOptions;
  }

  get(repository: RepositorySpec, lane: CloneLane = 'deploy'): GitOpsRepository {
    const key = `${repository.url}\n${repository.branch}\n${lane}`;
    let found = this.#repositories.get(key);
    if (found === undefined) {
      const workspace = new Workspace({
        url: repository.url,
        branch: repository.branch,
        secretRef: repository.secretRef,
        dir: workspaceDir(this.cacheDir, repository.url, repository.branch, lane),
        identity: this.#identity,
        credentials: this.#credentials,
        timeoutMs: this.#timeoutMs,
        onRepair: this.#onRepair,
      });
      found = new ClonedGitOpsRepository(workspace, this.#options);
      this.#repositories.set(key, found);
    }
    return found;
  }
}
