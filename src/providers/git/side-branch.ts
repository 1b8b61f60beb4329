/**
 * A file on another branch of the GitOps repository (the audit trail's `ramp/audit`), written and
 * read through the pipeline branch's cached clone without checking it out: the branch is fetched
 * into `origin/<branch>`, the file read with `git show`, and an append is a new commit built from
 * plumbing (hash-object, mktree, commit-tree) on the branch's tip — an orphan branch when there is
 * none yet — pushed with the one push loop (push-retry.ts): when another worker appended first,
 * the append is built again on their tip.
 */
import { spawn } from 'node:child_process';
import { pushRetrying } from './push-retry.js';
import type { Session, Workspace } from './workspace.js';

export interface BranchAppend {
  branch: string;
  file: string;
  /**
   * What to append to the file as it is on the branch's tip ('' when there is none), and the
   * commit's message; null when there is nothing to append (already there). Called again for
   * each push attempt.
   */
  append: (current: string) => { text: string; message: string } | null;
}

export interface BranchFileQuery {
  branch: string;
  file: string;
  /** Also every version of the file, oldest first (for the append-only check). */
  history: boolean;
}

export interface BranchFile {
  /** The branch's tip, or null when the branch does not exist. */
  head: string | null;
  text: string;
  /** The file at each commit of the branch (first parents), oldest first; [] unless asked. */
  versions: { sha: string; text: string }[];
}

/** Appends to `file` on `branch`; returns the commit that landed, or null when there was nothing to append. */
export async function appendToBranch(workspace: Workspace, s: Session, attempts: number, request: BranchAppend): Promise<{ sha: string | null }> {
  let built: string | null = null;
  const build = async (): Promise<boolean> => {
    const tip = await fetchBranch(workspace, s, request.branch);
    const current = tip === null ? '' : await fileAt(s, tip, request.file);
    const next = request.append(current);
    if (next === null) return false;
    const text = current === '' || current.endsWith('\n') ? current + next.text : `${current}\n${next.text}`;
    const blob = (await local(s.dir, ['hash-object', '-w', '--stdin'], text)).trim();
    const tree = (await local(s.dir, ['mktree'], `100644 blob ${blob}\t${request.file}\n`)).trim();
    built = (await local(s.dir, ['commit-tree', tree, ...(tip === null ? [] : ['-p', tip]), '-m', next.message])).trim();
    return true;
  };
  if (!(await build())) return { sha: null };
  let nothingLeft = false;
  await pushRetrying({
    attempts,
    what: `an append to ${request.file}`,
    displayUrl: workspace.displayUrl,
    branch: request.branch,
    push: async () => {
      if (nothingLeft) return;
      await s.git.raw(['push', '--progress', 'origin', `${built!}:refs/heads/${request.branch}`]);
    },
    refresh: async () => {
      nothingLeft = !(await build());
    },
    unavailable: (err) => workspace.unavailable(s, 'push to', err),
  });
  return { sha: nothingLeft ? null : built };
}

/** The file on `branch` (and its versions, when asked); an absent branch reads as empty. */
export async function readBranchFile(workspace: Workspace, s: Session, query: BranchFileQuery): Promise<BranchFile> {
  const head = await fetchBranch(workspace, s, query.branch);
  if (head === null) return { head, text: '', versions: [] };
  const text = await fileAt(s, head, query.file);
  if (!query.history) return { head, text, versions: [] };
  const shas = (await s.git.raw(['rev-list', '--reverse', '--first-parent', head]))
    .trim()
    .split('\n')
    .filter((x) => x !== '');
  const versions: { sha: string; text: string }[] = [];
  for (const sha of shas) versions.push({ sha, text: await fileAt(s, sha, query.file) });
  return { head, text, versions };
}

/** Fetches `branch` into `origin/<branch>`; its tip, or null when the remote has no such branch. */
async function fetchBranch(workspace: Workspace, s: Session, branch: string): Promise<string | null> {
  const ref = `refs/remotes/origin/${branch}`;
  try {
    await s.git.raw(['fetch', '--no-tags', '--progress', 'origin', `+refs/heads/${branch}:${ref}`]);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    if (!/couldn't find remote ref/i.test(text)) throw workspace.unavailable(s, 'fetch from', err);
    await s.git.raw(['update-ref', '-d', ref]).catch(() => undefined);
    return null;
  }
  return (await s.git.raw(['rev-parse', ref])).trim();
}

async function fileAt(s: Session, sha: string, file: string): Promise<string> {
  const listed = await s.git.raw(['ls-tree', '--name-only', sha, '--', file]);
  if (listed.trim() === '') return '';
  return s.git.raw(['show', `${sha}:${file}`]);
}

/** A local git command (no network) with `input` on stdin. */
function local(dir: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: dir, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`git ${args[0]} failed (exit ${String(code)}): ${err.trim()}`))));
    if (input !== undefined && child.stdin) {
      // A git that exits before reading all of it closes the pipe: its exit code tells.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    }
  });
}
