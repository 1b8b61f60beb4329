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
import { CloneDamagedError, CredentialMissingError, GitConflictError, HistoryRewrittenError, RepositoryUnavailableError } from './errors.js';
import { classifyGitFailure, errorText, gitErrorSummary, isLocalDamage, remoteAdvice, remoteCause } from './git-failure.js';
import { removeStaleLocks, STALE_LOCK_MARGIN_MS } from './stale-locks.js';
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
  /** Told when a damaged clone was repaired (stale lock files removed, or cloned again). @default a line on stderr */
  onRepair?: ((message: string) => void) | undefined;
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
   * Same environment and timeout as `git`; rejects with a GitCommandError (git's stderr, exit code) on a non-zero exit.
   */
  quiet(args: string[]): Promise<void>;
  /** Runs a git command directly and gives its output; rejects like `quiet`. */
  exec(args: string[]): Promise<{ stdout: string; stderr: string }>;
}

/** A git command that exited non-zero, with its exit code (1 is often an answer: "not an ancestor"). */
export class GitCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | string | null,
  ) {
    super(message);
  }
}

/** The clone directory for (url, branch) under `cacheDir`. */
export function workspaceDir(cacheDir: string, url: string, branch: string, lane: 'deploy' | 'audit' = 'deploy'): string {
  // The deployment clone keeps the directory it always had.
  const hash = createHash('sha256')
    .update(lane === 'deploy' ? `${url}\n${branch}` : `${url}\n${branch}\n${lane}`)
    .digest('hex')
    .slice(0, 16);
  return path.join(cacheDir, hash);
}

/** One queue per clone directory in this process, however many Workspace objects point at it. */
const queues = new Map<string, SerialQueue>();
/** Clone directories whose own config (identity, signing) is set; forgotten when a clone is replaced. */
const configured = new Set<string>();

export class Workspace {
  readonly #queue: SerialQueue;

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
   * When git says the clone itself is damaged — a stale lock file left by a killed git, a
   * corrupt index, a missing object, broken refs — the clone is repaired (stale lock files
   * removed; otherwise the clone is moved aside to `<dir>.damaged` and cloned again) and the
   * whole operation runs again: every operation is idempotent. Errors other than ramp's own are
   * re-thrown with credentials removed from their message.
   */
  exclusive<T>(task: (session: Session) => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      const startedAt = Date.now();
      let repaired: 'nothing' | 'locks' | 'clone' = 'nothing';
      for (;;) {
        const session = await this.#session();
        let damage: CloneDamagedError | null;
        try {
          await this.#sync(session).catch((err: unknown) => {
            // A clone that cannot be brought up to date is broken (interrupted, corrupted), whatever git said.
            throw err instanceof RepositoryUnavailableError || err instanceof CloneDamagedError ? err : this.damaged(session, 'update the clone of', err);
          });
          return await task(session);
        } catch (err) {
          damage = this.#damageOf(session, err);
          if (damage === null) throw sanitise(err, session);
        }
        if (repaired === 'clone') {
          throw new RepositoryUnavailableError(
            `${damage.message}; it was cloned again and is still damaged. Check the worker's disk (free space, permissions) under ${path.dirname(this.options.dir)}; the operation will be tried again`,
          );
        }
        if (damage.kind === 'lock' && repaired === 'nothing') {
          const { removed, live } = await removeStaleLocks(this.options.dir, startedAt);
          if (removed.length > 0) {
            this.#repaired(`removed stale lock files left by a git process that died: ${removed.join(', ')}`);
            repaired = 'locks';
            continue;
          }
          if (live.length > 0) {
            throw new RepositoryUnavailableError(
              `${damage.message}. ${live.join(', ')} ${live.length === 1 ? 'is' : 'are'} less than ${STALE_LOCK_MARGIN_MS / 1000} s old: another git process may be working in this clone ` +
                '(do two workers share one RAMP_CACHE_DIR?); ramp left them alone and will try again',
            );
          }
        }
        await this.#moveAside();
        this.#repaired(`moved the damaged clone aside to ${path.basename(this.options.dir)}.damaged, to clone it again (${damage.message})`);
        repaired = 'clone';
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
      // git checkout exits 0 after "error: Could not read <tree>" (a missing object): its errors count.
      const { stderr } = await session.exec(['checkout', '--force', '-B', this.options.branch, session.upstream]);
      if (/^(error|fatal):/m.test(stderr)) throw new Error(`git checkout failed: ${stderr}`);
    }
    if (changes.some((line) => /^[?!] /.test(line))) await session.git.raw(['clean', '-ffdx']);
  }

  /**
   * Runs a command that talks to the remote; its failure becomes RepositoryUnavailableError,
   * or CloneDamagedError when git's output says the clone itself is the problem.
   */
  async network<T>(session: Session, action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.unavailable(session, action, err);
    }
  }

  /**
   * The error for a failed command that talks to the remote: it names the real cause (no such
   * repository or branch, authentication, connection refused, unknown host, timeout, TLS, a
   * refused push with the server's `remote:` lines), and gives credential advice only for an
   * authentication failure. Local damage of the clone becomes CloneDamagedError (repaired).
   */
  unavailable(session: Pick<Session, 'redact'>, action: string, err: unknown): RepositoryUnavailableError | CloneDamagedError {
    const { branch, secretRef, url } = this.options;
    const failure = classifyGitFailure(errorText(err));
    if (isLocalDamage(failure)) return this.damaged(session, action, err);
    const detail = gitErrorSummary(err, session.redact);
    const cause = remoteCause(failure.kind);
    return new RepositoryUnavailableError(
      `cannot ${action} ${this.displayUrl} (branch ${branch}): ${cause === null ? detail : `${cause}: ${detail}`}. ${remoteAdvice(failure.kind, url, secretRef, action)}`,
    );
  }

  /** The error for git failing because of the clone itself (repaired by `exclusive`). */
  damaged(session: Pick<Session, 'redact'>, action: string, err: unknown): CloneDamagedError {
    const failure = classifyGitFailure(errorText(err));
    const kind = failure.kind === 'lock' ? 'lock' : 'damaged';
    const what = kind === 'lock' ? 'a lock file is in the way' : 'its files are damaged';
    return new CloneDamagedError(
      `cannot ${action} ${this.displayUrl} (branch ${this.options.branch}) in the worker's cached clone ${this.options.dir}: ${what}: ${gitErrorSummary(err, session.redact)}`,
      kind,
    );
  }

  /** Local damage in `err` (raised as CloneDamagedError, or a plain git failure that says so); null for anything else. */
  #damageOf(session: Session, err: unknown): CloneDamagedError | null {
    if (err instanceof CloneDamagedError) return err;
    if (
      err instanceof RepositoryUnavailableError ||
      err instanceof GitConflictError ||
      err instanceof HistoryRewrittenError ||
      err instanceof ManifestEditError
    ) {
      return null;
    }
    return isLocalDamage(classifyGitFailure(errorText(err))) ? this.damaged(session, 'work on', err) : null;
  }

  /** Moves the clone to `<dir>.damaged` (replacing an older one, kept for a look) so that it is cloned again. */
  async #moveAside(): Promise<void> {
    const { dir } = this.options;
    const aside = `${dir}.damaged`;
    await rm(aside, { recursive: true, force: true });
    await rename(dir, aside).catch(() => rm(dir, { recursive: true, force: true }));
    configured.delete(this.options.dir);
  }

  #repaired(what: string): void {
    const message = `ramp git: repaired the cached clone of ${this.displayUrl} (branch ${this.options.branch}): ${what}`;
    if (this.options.onRepair) this.options.onRepair(message);
    else process.stderr.write(`${message}\n`);
  }

  async #session(): Promise<Session> {
    const { url, branch, secretRef, dir } = this.options;
    const credentials = await resolveCredentials(url, secretRef, this.options.credentials).catch(async (err: unknown) => {
      // A missing credential is only the real cause when the repository can be reached at all.
      throw err instanceof CredentialMissingError ? ((await this.#unreachable()) ?? err) : err;
    });
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
      const existed = existsSync(dir);
      await this.#clone(git(parent), redactText);
      configured.delete(this.options.dir);
      if (existed) this.#repaired('cloned again: the clone had no readable HEAD (an interrupted clone, broken refs)');
    }
    const exec = (args: string[]): Promise<{ stdout: string; stderr: string }> =>
      new Promise((resolve, reject) => {
        execFile('git', args, { cwd: dir, env, timeout: this.options.timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
          if (error) {
            const code = error.code ?? error.signal ?? null;
            reject(new GitCommandError(`git ${args[0]} failed (exit ${String(code)}): ${stderr}${stdout}`.trim(), code));
          } else {
            resolve({ stdout, stderr });
          }
        });
      });
    const quiet = (args: string[]): Promise<void> => exec(args).then(() => undefined);
    return { git: git(dir), dir, branch, upstream: `origin/${branch}`, redact: redactText, quiet, exec };
  }

  /**
   * Why the repository cannot be reached at all, asked without credentials (`git ls-remote`):
   * a RepositoryUnavailableError naming the cause (unknown host, connection refused, timeout,
   * TLS), or null when the server answers (it may just want the credential).
   */
  async #unreachable(): Promise<RepositoryUnavailableError | null> {
    const { url, branch, secretRef } = this.options;
    const env = { ...baseEnv(), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
    const timeout = Math.min(this.options.timeoutMs, 30_000);
    const output = await new Promise<string | null>((resolve) => {
      execFile('git', ['ls-remote', '--heads', '--', url, `refs/heads/${branch}`], { env, timeout }, (error, _stdout, stderr) => {
        resolve(error ? `${stderr}\n${error.killed ? 'fatal: timed out' : ''}` : null);
      });
    });
    if (output === null) return null;
    const failure = classifyGitFailure(output);
    const cause = remoteCause(failure.kind);
    // (No repository at an https URL may be a private one: then the missing credential is the cause.)
    if (cause === null || !['unknown-host', 'refused', 'timeout', 'tls'].includes(failure.kind)) return null;
    return new RepositoryUnavailableError(
      `cannot reach ${this.displayUrl} (branch ${branch}): ${cause}: ${gitErrorSummary(output)}. ${remoteAdvice(failure.kind, url, null, 'read')} ` +
        `(the credential "${secretRef ?? ''}" it names is not configured on this worker either, which matters only once the host answers)`,
    );
  }

  /** Whether the clone exists and has a commit checked out (not interrupted, not corrupted). */
  async #healthy(git: (baseDir: string) => SimpleGit): Promise<boolean> {
    const { dir } = this.options;
    if (!existsSync(path.join(dir, '.git'))) return false;
    return git(dir)
      .raw(['rev-parse', '--verify', '--quiet', 'HEAD'])
      .then(
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
    if (!configured.has(this.options.dir)) {
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
      configured.add(this.options.dir);
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

function sanitise(err: unknown, session: Session): unknown {
  if (
    err instanceof RepositoryUnavailableError ||
    err instanceof GitConflictError ||
    err instanceof HistoryRewrittenError ||
    err instanceof ManifestEditError
  ) {
    return err;
  }
  return new Error(session.redact(errorText(err)));
}
