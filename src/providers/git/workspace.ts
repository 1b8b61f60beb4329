/**
 * One cached clone of (repository URL, branch) on this worker. It is cloned once, then brought
 * up to date (fetch, hard reset to `origin/<branch>`, clean) before every operation, never
 * cloned afresh per step. Operations on one clone run one at a time (activities run
 * concurrently in a worker process). Git runs with credentials from the environment only
 * (credentials.ts), a local identity, no terminal prompts and English messages.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { credentialEnv, displayUrl, redact, resolveCredentials, secretsOf, type CredentialSource } from './credentials.js';
import { GitConflictError, HistoryRewrittenError, RepositoryUnavailableError } from './errors.js';
import { ManifestEditError } from '../../manifests/yaml-edit.js';
import { SerialQueue } from './serial-queue.js';

export interface GitIdentity {
  name: string;
  email: string;
}

export interface WorkspaceOptions {
  url: string;
  branch: string;
  /** The worker-side credential name, or null. */
  secretRef: string | null;
  /** Where this clone lives (workspaceDir() of the cache dir). */
  dir: string;
  identity: GitIdentity;
  credentials: CredentialSource;
  /** A git process that prints nothing for this long is killed (network commands print progress). */
  timeoutMs: number;
}

/** An operation's view of the clone: git with this operation's credentials, and its redaction. */
export interface Session {
  git: SimpleGit;
  dir: string;
  branch: string;
  /** `origin/<branch>`. */
  upstream: string;
  /** Removes credentials and URL userinfo from text. */
  redact(text: string): string;
  /**
   * Runs a git command that prints nothing on success (`revert --no-commit`, `merge-base
   * --is-ancestor`) directly: simple-git waits 50 ms after every command that printed nothing.
   * Same environment and timeout as `git`; rejects with git's stderr on a non-zero exit.
   */
  quiet(args: string[]): Promise<void>;
}

/** The clone directory for (url, branch) under `cacheDir`. */
export function workspaceDir(cacheDir: string, url: string, branch: string): string {
  const hash = createHash('sha256').update(`${url}\n${branch}`).digest('hex').slice(0, 16);
  return path.join(cacheDir, hash);
}

/** One queue per clone directory in this process, however many Workspace objects point at it. */
const queues = new Map<string, SerialQueue>();

export class Workspace {
  readonly #queue: SerialQueue;
  #configured = false;

  constructor(readonly options: WorkspaceOptions) {
    const queue = queues.get(options.dir) ?? new SerialQueue();
    queues.set(options.dir, queue);
    this.#queue = queue;
  }

  /** The URL without credentials, for messages. */
  get displayUrl(): string {
    return displayUrl(this.options.url);
  }

  /**
   * Runs `task` alone on this clone, after bringing the clone up to date with the remote.
   * Errors other than ramp's own are re-thrown with credentials removed from their message.
   */
  exclusive<T>(task: (session: Session) => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      const session = await this.#session();
      try {
        await this.#sync(session);
      } catch (err) {
        if (!(err instanceof RepositoryUnavailableError)) {
          // A clone that cannot be reset is broken (interrupted, corrupted): the next try clones afresh.
          await rm(this.options.dir, { recursive: true, force: true });
          this.#configured = false;
        }
        throw sanitise(err, session);
      }
      try {
        return await task(session);
      } catch (err) {
        throw sanitise(err, session);
      }
    });
  }

  /** Fetches the branch; throws RepositoryUnavailableError when the remote cannot be read. */
  async fetch(session: Session): Promise<void> {
    const { branch } = this.options;
    await this.network(session, 'fetch from', () =>
      session.git.raw(['fetch', '--verbose', '--progress', '--prune', '--no-tags', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`]),
    );
  }

  /** Resets the clone to `origin/<branch>`, dropping any half-done rebase, revert or edit. */
  async reset(session: Session): Promise<void> {
    const gitDir = path.join(session.dir, '.git');
    if (existsSync(path.join(gitDir, 'rebase-merge')) || existsSync(path.join(gitDir, 'rebase-apply'))) {
      await session.git.raw(['rebase', '--quit']);
    }
    if (existsSync(path.join(gitDir, 'sequencer')) || existsSync(path.join(gitDir, 'REVERT_HEAD'))) {
      await session.git.raw(['revert', '--quit']);
    }
    // Only touch what needs it: simple-git waits 50 ms after every git command that prints nothing.
    const upstream = (await session.git.raw(['rev-parse', session.upstream])).trim();
    const status = await session.git.raw(['status', '--porcelain=v2', '--branch', '--ignored=matching', '--untracked-files=all']);
    const head = /^# branch\.oid (\S+)$/m.exec(status)?.[1];
    const onBranch = /^# branch\.head (\S+)$/m.exec(status)?.[1];
    const changes = status.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    if (head !== upstream || onBranch !== this.options.branch || changes.some((line) => !/^[?!] /.test(line))) {
      await session.git.raw(['checkout', '--force', '-B', this.options.branch, session.upstream]);
    }
    if (changes.some((line) => /^[?!] /.test(line))) await session.git.raw(['clean', '-ffdx']);
  }

  /** Runs a command that talks to the remote; its failure becomes RepositoryUnavailableError. */
  async network<T>(session: Session, action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.unavailable(session, action, err);
    }
  }

  unavailable(session: Pick<Session, 'redact'>, action: string, err: unknown): RepositoryUnavailableError {
    const { branch, secretRef } = this.options;
    const detail = session.redact(gitErrorSummary(err));
    const credential = secretRef === null ? '' : `, that credential "${secretRef}" is valid and may ${action.startsWith('push') ? 'push to' : 'read'} it`;
    return new RepositoryUnavailableError(
      `cannot ${action} ${this.displayUrl} (branch ${branch}): ${detail}. ` +
        `Check that the URL and branch are right, that the repository exists and this worker can reach it${credential}`,
    );
  }

  async #session(): Promise<Session> {
    const { url, branch, secretRef, dir } = this.options;
    const credentials = await resolveCredentials(url, secretRef, this.options.credentials);
    const secrets = secretsOf(credentials);
    const auth = credentialEnv(url, credentials);
    const parent = path.dirname(dir);
    await mkdir(parent, { recursive: true });
    const env: Record<string, string> = { ...baseEnv(), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...auth };
    const git = (baseDir: string): SimpleGit =>
      simpleGit({
        baseDir,
        maxConcurrentProcesses: 1,
        allowEnvironment: ['GIT_TERMINAL_PROMPT', ...Object.keys(auth)],
        unsafe: { allowUnsafeConfigEnvCount: true },
        timeout: { block: this.options.timeoutMs },
        // Every non-zero exit is a failure (simple-git ignores one with an empty stderr).
        errors: (error, result) => error ?? (result.exitCode !== 0 ? Buffer.concat([...result.stdErr, ...result.stdOut]) : undefined),
      }).env(env);
    const redactText = (text: string): string => redact(text, secrets);
    if (!(await this.#healthy(git))) {
      await this.#clone(git(parent), redactText);
      this.#configured = false;
    }
    const quiet = (args: string[]): Promise<void> =>
      new Promise((resolve, reject) => {
        execFile('git', args, { cwd: dir, env, timeout: this.options.timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
          if (error) reject(new Error(`git ${args[0]} failed (exit ${String(error.code ?? error.signal)}): ${stderr}${stdout}`.trim()));
          else resolve();
        });
      });
    return { git: git(dir), dir, branch, upstream: `origin/${branch}`, redact: redactText, quiet };
  }

  /** Whether the clone exists and has a commit checked out (not interrupted, not corrupted). */
  async #healthy(git: (baseDir: string) => SimpleGit): Promise<boolean> {
    const { dir } = this.options;
    if (!existsSync(path.join(dir, '.git'))) return false;
    return git(dir).raw(['rev-parse', '--verify', '--quiet', 'HEAD']).then(
      () => true,
      () => false,
    );
  }

  async #clone(git: SimpleGit, redactText: (text: string) => string): Promise<void> {
    const { url, branch, dir } = this.options;
    const partial = `${dir}.cloning-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
    try {
      await git.raw(['clone', '--progress', '--no-tags', '--branch', branch, '--', url, partial]);
    } catch (err) {
      await rm(partial, { recursive: true, force: true });
      throw this.unavailable({ redact: redactText }, 'clone', err);
    }
    await rename(partial, dir);
  }

  async #sync(session: Session): Promise<void> {
    if (!this.#configured) {
      // The clone's own config: ramp's identity, no signing, bytes as they are.
      const { identity } = this.options;
      for (const [key, value] of [
        ['user.name', identity.name],
        ['user.email', identity.email],
        ['commit.gpgsign', 'false'],
        ['core.autocrlf', 'false'],
      ] as const) {
        await session.git.raw(['config', key, value]);
      }
      this.#configured = true;
    }
    await this.fetch(session);
    await this.reset(session);
  }
}

/** The process environment without what simple-git refuses to pass on (GIT_*, editors, pagers). */
function baseEnv(): Record<string, string> {
  const guarded = /^(git_.*|editor|visual|pager|prefix|ssh_askpass)$/i;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !guarded.test(key)) env[key] = value;
  }
  return env;
}

/** The lines of a git failure that say what went wrong: `fatal:`/`error:`, else `remote:`, else all. */
export function gitErrorSummary(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err))
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^remote:\s*$/.test(l));
  const errors = lines.filter((l) => /^(fatal|error):/.test(l));
  const remote = lines.filter((l) => /^remote:/.test(l));
  const summary = (errors.length > 0 ? errors : remote.length > 0 ? remote : lines).join('; ');
  return summary.length > 400 ? `${summary.slice(0, 400)}…` : summary || 'git failed';
}

function sanitise(err: unknown, session: Session): unknown {
  if (
    err instanceof RepositoryUnavailableError ||
    err instanceof GitConflictError ||
    err instanceof HistoryRewrittenError ||
    err instanceof ManifestEditError
  ) {
    return err;
  }
  const message = session.redact(err instanceof Error ? err.message : String(err));
  return new Error(message);
}
