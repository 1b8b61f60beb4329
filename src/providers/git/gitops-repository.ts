/**
 * The GitOps repository as ramp uses it: commit a stage's changes, revert ramp's own commits,
 * read ramp's history, each idempotent by the trailers of the commits (trailers.ts). Works on
 * a cached clone (workspace.ts); pushes rebase onto whatever others pushed meanwhile and retry.
 */
import type { CommitRequest, CommitResult, FieldHistoryQuery, HistoryEntry, HistoryQuery, RevertRequest, RevertResult } from '../../domain/changes.js';
import { TRAFFIC_ROUTERS, type TrafficRouters } from '../traffic/registry.js';
import { writeStageEdits } from './changes.js';
import { GitConflictError, HistoryRewrittenError } from './errors.js';
import { changedFiles, readLog, type LogEntry } from './git-log.js';
import { commitDiff } from './diff.js';
import { formatCommitMessage, formatRevertMessage, TrailerKey } from './trailers.js';
import { SnapshotStore } from './snapshots.js';
import { readYamlField } from '../../manifests/yaml-edit.js';
import { gitErrorSummary } from './git-failure.js';
import { pushRetrying } from './push-retry.js';
import { appendToBranch, readBranchFile, type BranchAppend, type BranchFile, type BranchFileQuery } from './side-branch.js';
import { GitCommandError, type Session, type Workspace } from './workspace.js';
import type { HistoryCheckRequest, HistoryCheckResult } from '../../domain/guard.js';
import { checkBranches } from './history-check.js';

/** What ramp does with a GitOps repository (STYLE.md habit 16). */
export interface GitOpsRepository {
  /**
   * Commits and pushes a stage's changes, unless the branch already has the commit of these
   * trailers (`reused: true`) or the files already are as asked (`sha: null`). Returns the
   * sha that landed on the remote. `expect`: commits recorded earlier (by the workflow) that
   * must still be on the branch; if one is not, nothing is written and HistoryRewrittenError is
   * thrown. Throws ManifestEditError, GitConflictError, HistoryRewrittenError,
   * RepositoryUnavailableError.
   */
  commit(request: CommitRequest, expect?: readonly string[]): Promise<CommitResult>;
  /**
   * Reverts ramp's commits, newest first, one revert commit each, and pushes them together.
   * Commits a ramp revert already undid are not reverted again. `expect` as for commit. Throws
   * HistoryRewrittenError (before changing anything), GitConflictError, RepositoryUnavailableError.
   */
  revert(request: RevertRequest, expect?: readonly string[]): Promise<RevertResult>;
  /** ramp's commits on the branch, newest first. */
  history(query: HistoryQuery): Promise<HistoryEntry[]>;
  /** ramp's commits on the branch as `git log` parsed them (every trailer), newest first: what history() and DORA read. */
  rampLog(query: RampLogQuery): Promise<LogEntry[]>;
  /** The distinct values a YAML field had in the branch's history, newest first (who wrote them does not matter). */
  fieldHistory(query: FieldHistoryQuery): Promise<string[]>;
  /** The full sha of the branch's newest commit on the remote. */
  head(): Promise<string>;
  /**
   * The repository's files at `ref` (a sha on the branch; null = the branch's head), written
   * once into a directory of their own and kept read-only by convention. Throws
   * HistoryRewrittenError when `ref` is not on the branch.
   */
  snapshot(ref: string | null): Promise<Snapshot>;
  /** True when `ancestor` is `descendant` or one of its ancestors (both must be known to the clone). */
  contains(descendant: string, ancestor: string): Promise<boolean>;
  /** The history guard's check: each branch's tip now, and which of the given commits are no longer reachable from it. */
  checkHistory(branches: HistoryCheckRequest['branches']): Promise<HistoryCheckResult>;
  /** Appends to a file on another branch of the repository (the audit trail), created as an orphan when absent (side-branch.ts). */
  appendToBranch(request: BranchAppend): Promise<{ sha: string | null }>;
  /** A file on another branch of the repository (empty when the branch does not exist), with its versions when asked. */
  readBranchFile(query: BranchFileQuery): Promise<BranchFile>;
}

/** Which of ramp's commits to read: the stage's (or every stage's), committed in [since, until), newest first, at most `limit`. */
export interface RampLogQuery {
  stage?: string | undefined;
  /** ISO-8601, inclusive (git log --since). */
  since?: string | undefined;
  /** ISO-8601 (git log --until). */
  until?: string | undefined;
  limit: number;
  /**
   * DORA's read: every stage's ramp commits and every revert, people's too (`This reverts commit
   * <sha>.`, no trailers), which DORA counts as remediations; `stage` is ignored (the reader
   * filters), so that `limit` counts what `git log` read and a cut is known.
   */
  withReverts?: boolean;
}

/** The repository's files at one commit. */
export interface Snapshot {
  sha: string;
  /** The directory holding the files (the repository root at `sha`). */
  dir: string;
}

const REVERT_ADVICE = "ramp reverted nothing: reverting now could undo someone else's work. Restore the branch, or roll the stage back by hand";
const SNAPSHOT_ADVICE = 'ramp applies only commits on the branch. Restore the branch, then retry';

export interface PushAttempt {
  attempt: number;
  /** The clone, with the commit(s) ready to push. */
  dir: string;
  branch: string;
}

export interface ClonedGitOpsRepositoryOptions {
  /** Push tries when others push in between (each after a fetch and rebase). @default 5 */
  pushAttempts?: number;
  /** How many of the branch's latest commits are searched for an earlier identical commit. @default 500 */
  idempotencyWindow?: number;
  /** @default 100 */
  defaultHistoryLimit?: number;
  routers?: TrafficRouters;
  /** @internal Runs before each push; tests use it to push from elsewhere at the worst moment. */
  beforePush?: (attempt: PushAttempt) => Promise<void>;
}

export class ClonedGitOpsRepository implements GitOpsRepository {
  readonly #pushAttempts: number;
  readonly #window: number;
  readonly #historyLimit: number;
  readonly #routers: TrafficRouters;
  readonly #beforePush: ((attempt: PushAttempt) => Promise<void>) | undefined;
  readonly #snapshots: SnapshotStore;

  constructor(
    readonly workspace: Workspace,
    options: ClonedGitOpsRepositoryOptions = {},
  ) {
    this.#pushAttempts = options.pushAttempts ?? 5;
    this.#window = options.idempotencyWindow ?? 500;
    this.#historyLimit = options.defaultHistoryLimit ?? 100;
    this.#routers = options.routers ?? TRAFFIC_ROUTERS;
    this.#beforePush = options.beforePush;
    this.#snapshots = new SnapshotStore(`${workspace.options.dir}.snapshots`);
  }

  commit(request: CommitRequest, expect: readonly string[] = []): Promise<CommitResult> {
    return this.workspace.exclusive(async (s) => {
      await this.#expectOnBranch(s, expect, `the commit "${request.subject}"`);
      const { promotion, stage, step } = request.trailers;
      const recent = await readLog(s.git, [`--max-count=${this.#window}`, s.upstream]);
      const earlier = recent.find((e) => e.rollbackReason === null && e.promotion === promotion && e.stage === stage && e.step === step);
      if (earlier) return { sha: earlier.sha, reused: true, files: await changedFiles(s.git, earlier.sha), diff: await commitDiff(s.git, earlier.sha) };

      const files = await writeStageEdits(s.dir, request, this.#routers);
      if (files.length === 0) return { sha: null, reused: false, files: [] };
      await s.git.raw(['add', '--verbose', '--', ...files]);
      await commitWithMessage(s, formatCommitMessage(request.subject, request.trailers));
      const [sha] = await this.#push(s, 1, `the commit "${request.subject}"`, expect);
      return { sha: sha!, reused: false, files, diff: await commitDiff(s.git, sha!) };
    });
  }

  revert(request: RevertRequest, expect: readonly string[] = []): Promise<RevertResult> {
    return this.workspace.exclusive(async (s) => {
      await this.#expectOnBranch(s, expect, `the rollback of ${request.stage}`);
      // Every commit must be on the branch before anything is reverted.
      const commits: string[] = [];
      for (const ref of request.commits) commits.push(await this.#onBranch(s, ref));
      if (commits.length === 0) return { reverts: [] };

      const done = await revertedByRamp(s, commits);
      const made: string[] = [];
      for (const sha of commits) {
        if (done.has(sha)) continue;
        const subject = (await s.git.raw(['log', '-1', '--format=%s', sha])).trim();
        try {
          await s.quiet(['revert', '--no-commit', sha]);
        } catch (err) {
          throw await this.#conflict(s, err, `reverting ${sha.slice(0, 12)} ("${subject}")`, 'revert', "ramp pushed none of this rollback's reverts");
        }
        const staged = await s.git.raw(['diff', '--cached', '--name-only']);
        if (staged.trim() === '') {
          // Already undone by hand: nothing to revert, nothing to record.
          await s.git.raw(['revert', '--quit']);
          continue;
        }
        await commitWithMessage(
          s,
          formatRevertMessage({
            revertedSha: sha,
            revertedSubject: subject,
            promotion: request.promotion,
            stage: request.stage,
            step: request.step,
            version: request.version,
            reason: request.reason,
            ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
            ...(request.detectedAt ? { detectedAt: request.detectedAt } : {}),
          }),
        );
        made.push(sha);
      }
      const landed = made.length > 0 ? await this.#push(s, made.length, `the rollback of ${request.stage}`, [...expect, ...commits]) : [];
      const bySha = new Map(made.map((sha, i) => [sha, landed[i]!]));
      return {
        reverts: commits.flatMap((reverted) => {
          const sha = done.get(reverted) ?? bySha.get(reverted);
          return sha === undefined ? [] : [{ reverted, sha }];
        }),
      };
    });
  }

  async history(query: HistoryQuery): Promise<HistoryEntry[]> {
    const entries = await this.rampLog({ stage: query.stage, limit: query.limit ?? this.#historyLimit });
    return entries.map(toHistoryEntry);
  }

  rampLog(query: RampLogQuery): Promise<LogEntry[]> {
    return this.workspace.exclusive(async (s) => {
      const period = [...(query.since !== undefined ? [`--since=${query.since}`] : []), ...(query.until !== undefined ? [`--until=${query.until}`] : [])];
      if (query.withReverts) {
        const grep = [`--grep=^${TrailerKey.promotion}:`, '--grep=^This reverts commit '];
        return readLog(s.git, ['-E', '-i', ...grep, ...period, `--max-count=${query.limit}`, s.upstream]);
      }
      const grep = [`--grep=^${TrailerKey.promotion}:`];
      if (query.stage !== undefined) grep.push(`--grep=^${TrailerKey.stage}: *${escapeRegExp(query.stage)} *$`, '--all-match');
      const entries = await readLog(s.git, ['-E', '-i', ...grep, ...period, `--max-count=${query.limit}`, s.upstream]);
      return entries.filter((e) => e.promotion !== null && (query.stage === undefined || e.stage === query.stage)).slice(0, query.limit);
    });
  }

  fieldHistory(query: FieldHistoryQuery): Promise<string[]> {
    return this.workspace.exclusive(async (s) => {
      const shas = (await s.git.raw(['log', '--format=%H', `--max-count=${query.limit}`, s.upstream, '--', query.file])).split('\n').filter((l) => l !== '');
      const values: string[] = [];
      for (const sha of shas) {
        let source: string;
        try {
          source = await s.git.show([`${sha}:${query.file}`]);
        } catch {
          continue; // the commit deleted the file
        }
        const value = readYamlField(source, query.path);
        const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
        if (text !== null && !values.includes(text)) values.push(text);
      }
      return values;
    });
  }

  head(): Promise<string> {
    return this.workspace.exclusive(async (s) => (await s.git.raw(['rev-parse', s.upstream])).trim());
  }

  snapshot(ref: string | null): Promise<Snapshot> {
    return this.workspace.exclusive(async (s) => {
      const sha = ref === null ? (await s.git.raw(['rev-parse', s.upstream])).trim() : await this.#onBranch(s, ref, 'read', SNAPSHOT_ADVICE);
      return { sha, dir: await this.#snapshots.extract(s.dir, sha) };
    });
  }

  contains(descendant: string, ancestor: string): Promise<boolean> {
    return this.workspace.exclusive(async (s) => {
      try {
        await s.quiet(['merge-base', '--is-ancestor', ancestor, descendant]);
        return true;
      } catch {
        return false;
      }
    });
  }

  checkHistory(branches: HistoryCheckRequest['branches']): Promise<HistoryCheckResult> {
    return this.workspace.exclusive((s) => checkBranches(this.workspace, s, branches));
  }

  appendToBranch(request: BranchAppend): Promise<{ sha: string | null }> {
    return this.workspace.exclusive((s) => appendToBranch(this.workspace, s, this.#pushAttempts, request));
  }

  readBranchFile(query: BranchFileQuery): Promise<BranchFile> {
    return this.workspace.exclusive((s) => readBranchFile(this.workspace, s, query));
  }

  /**
   * Pushes HEAD; when others pushed meanwhile, rebases onto them and tries again — unless the
   * branch was rewritten in between: `onBranch` (what the workflow expects, and what a rollback
   * reverts) must still be on it after each fetch (HistoryRewrittenError, nothing pushed).
   */
  async #push(s: Session, count: number, what: string, onBranch: readonly string[]): Promise<string[]> {
    await pushRetrying({
      attempts: this.#pushAttempts,
      what,
      displayUrl: this.workspace.displayUrl,
      branch: s.branch,
      push: async (attempt) => {
        await this.#beforePush?.({ attempt, dir: s.dir, branch: s.branch });
        await s.git.raw(['push', '--progress', 'origin', `HEAD:refs/heads/${s.branch}`]);
      },
      refresh: async () => {
        await this.workspace.fetch(s);
        await this.#expectOnBranch(s, onBranch, what);
        try {
          await s.git.raw(['rebase', '--empty=keep', '--reapply-cherry-picks', s.upstream]);
        } catch (rebaseError) {
          throw await this.#conflict(s, rebaseError, what, 'rebase', 'ramp pushed nothing');
        }
      },
      unavailable: (err) => this.workspace.unavailable(s, 'push to', err),
    });
    const out = await s.git.raw(['rev-list', `--max-count=${count}`, 'HEAD']);
    return out.trim().split('\n').reverse();
  }

  /** Aborts a failed rebase or revert, resets the clone, and says which files conflict. */
  async #conflict(s: Session, err: unknown, what: string, operation: 'rebase' | 'revert', outcome: string): Promise<Error> {
    const files = (await s.git.raw(['diff', '--name-only', '--diff-filter=U', '-z']).catch(() => '')).split('\0').filter((f) => f !== '');
    await s.git.raw([operation, '--abort']).catch(() => undefined);
    await this.workspace.reset(s);
    if (files.length === 0) return new Error(`${what} failed in ${this.workspace.displayUrl}: ${gitErrorSummary(err, (t) => s.redact(t))}`);
    return new GitConflictError(
      `${what} conflicts with changes pushed to branch ${s.branch} of ${this.workspace.displayUrl} in ${files.join(', ')}: ` +
        `someone changed the same lines. ${outcome}. Look at the latest commits to ${files.length === 1 ? 'that file' : 'those files'}, ` +
        'settle the lines by hand in the repository, then retry',
      files,
    );
  }

  /** The full sha of `ref`, which must be on the branch. */
  async #onBranch(s: Session, ref: string, doing = 'revert', advice = REVERT_ADVICE): Promise<string> {
    const where = `branch ${s.branch} of ${this.workspace.displayUrl}`;
    const what = `Its history was rewritten (a force-push?) or the commit is not ramp's. ${advice}`;
    const sha = await commitSha(s, ref);
    if (sha === null) throw new HistoryRewrittenError(`cannot ${doing} ${ref}: no such commit on ${where}. ${what}`, ref);
    if (!(await isAncestor(s, sha, s.upstream)))
      throw new HistoryRewrittenError(`cannot ${doing} ${sha.slice(0, 12)}: it is no longer on ${where}. ${what}`, sha);
    return sha;
  }

  /**
   * Force-push detection: every commit in `expect` (what the workflow recorded so far) must be
   * on `origin/<branch>` as just fetched. Otherwise someone rewrote the branch, and writing on
   * top of it would build on history ramp knows nothing of: HistoryRewrittenError, nothing written.
   */
  async #expectOnBranch(s: Session, expect: readonly string[], what: string): Promise<void> {
    if (expect.length === 0 || (await allOnBranch(s, expect))) return;
    const missing: string[] = [];
    for (const ref of new Set(expect)) {
      const sha = await commitSha(s, ref);
      if (sha === null || !(await isAncestor(s, sha, s.upstream))) missing.push(ref);
    }
    if (missing.length === 0) return;
    const head = (await s.git.raw(['rev-parse', s.upstream])).trim();
    const list = missing.map((sha) => sha.slice(0, 12)).join(', ');
    throw new HistoryRewrittenError(
      `branch ${s.branch} of ${this.workspace.displayUrl} was rewritten (a force-push?): ${missing.length === 1 ? 'commit' : 'commits'} ${list} that ramp recorded ` +
        `${missing.length === 1 ? 'is' : 'are'} no longer on it (its head is now ${head.slice(0, 12)}). ramp wrote nothing (${what}): writing on top of a rewritten ` +
        "branch could undo or bury someone's work. Decide: restore the branch (push the missing commits back) and `ramp resume` to check again, or `ramp abort` and put the environment right by hand",
      missing[0]!,
      missing,
    );
  }
}

/**
 * The full sha of `ref` as a commit, or null when the clone does not have it. Before saying
 * "no such commit", the branch's history is walked: a commit missing from a damaged clone (a
 * deleted object) throws there, and the clone is repaired, instead of passing for a force-push.
 */
async function commitSha(s: Session, ref: string): Promise<string | null> {
  const sha = (await s.git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '')).trim();
  if (sha !== '') return sha;
  await s.quiet(['rev-list', '--quiet', s.upstream]);
  return null;
}

/**
 * The fast path of the force-push check, in two git commands however many commits: true when
 * every one of `refs` is the branch head or an ancestor of it (`merge-base --independent` then
 * leaves only the head). False when one is not, or unknown to the clone: check one by one.
 */
async function allOnBranch(s: Session, refs: readonly string[]): Promise<boolean> {
  try {
    const { stdout } = await s.exec(['rev-parse', s.upstream, ...refs.map((ref) => `${ref}^{commit}`)]);
    const [head, ...shas] = stdout.trim().split('\n');
    const { stdout: independent } = await s.exec(['merge-base', '--independent', head!, ...shas]);
    return independent.trim() === head;
  } catch {
    return false;
  }
}

/** Whether `sha` is `tip` or one of its ancestors; a history git cannot walk (missing objects) throws. */
async function isAncestor(s: Session, sha: string, tip: string): Promise<boolean> {
  try {
    await s.quiet(['merge-base', '--is-ancestor', sha, tip]);
    return true;
  } catch (err) {
    if (err instanceof GitCommandError && err.exitCode === 1) return false;
    throw err;
  }
}

/**
 * For each of `commits`, the ramp revert commit on the branch that undid it, if any (and was
 * not itself reverted since).
 */
async function revertedByRamp(s: Session, commits: readonly string[]): Promise<Map<string, string>> {
  const base = (await s.git.raw(['merge-base', '--octopus', ...commits])).trim();
  const entries = (await readLog(s.git, [s.upstream, `^${base}`])).reverse(); // oldest first
  const revertOf = new Map<string, string>(); // revert commit -> the commit it undid
  const undone = new Map<string, string>(); // commit -> its live revert commit
  for (const e of entries) {
    if (e.reverts === null) continue;
    const target = [...revertOf.keys(), ...commits].find((sha) => sha.startsWith(e.reverts!));
    if (target === undefined) continue;
    const original = revertOf.get(target);
    if (original !== undefined) {
      undone.delete(original); // a revert of the revert: the change is live again
    } else if (e.rollbackReason !== null) {
      undone.set(target, e.sha);
      revertOf.set(e.sha, target);
    }
  }
  return undone;
}

async function commitWithMessage(s: Session, message: string): Promise<void> {
  await s.git.raw(['commit', '--no-verify', '--cleanup=whitespace', '-m', message]);
}

function toHistoryEntry(e: LogEntry): HistoryEntry {
  return {
    sha: e.sha,
    committedAt: e.committedAt,
    subject: e.subject,
    promotion: e.promotion ?? '',
    stage: e.stage ?? '',
    step: e.step ?? '',
    version: e.version,
    approvedBy: e.approvedBy,
    requestedBy: e.requestedBy,
    rollback: e.rollbackReason === null ? null : { of: e.reverts ?? '', reason: e.rollbackReason },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
