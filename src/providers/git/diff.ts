/**
 * The lines a commit changed, as the release page shows them: `git show --unified=0` of one of
 * ramp's commits, parsed into files with their removed and added lines. Bounded, so that a
 * commit touching a large file cannot bloat the workflow's status.
 */
import type { SimpleGit } from 'simple-git';
import type { FileDiff } from '../../domain/changes.js';

/** At most this many lines per commit (all files), and this many characters per line. */
export const MAX_DIFF_LINES = 40;
export const MAX_LINE_CHARS = 200;

/** The changed lines of `sha` (no context lines). */
export async function commitDiff(git: SimpleGit, sha: string): Promise<FileDiff[]> {
  const out = await git.raw(['show', '--format=', '--unified=0', '--no-color', '--no-ext-diff', '--no-renames', sha, '--']);
  return parseUnifiedDiff(out);
}

/**
 * A unified diff (`git show --unified=0`) as files and their `-`/`+` lines, in order. Lines past
 * MAX_DIFF_LINES are counted in `omitted`; binary files have no lines.
 */
export function parseUnifiedDiff(text: string): FileDiff[] {
  const files: FileDiff[] = [];
  let current: FileDiff | null = null;
  let kept = 0;
  let inHunk = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = { file: fileOf(line), lines: [], omitted: 0 };
      files.push(current);
      inHunk = false;
      continue;
    }
    if (!current) continue;
    if (line.startsWith('+++ ')) {
      const path = line.slice(4);
      if (path !== '/dev/null') current.file = path.replace(/^b\//, '');
      continue;
    }
    if (line.startsWith('--- ') && !inHunk) continue;
    if (line.startsWith('@@')) {
      inHunk = true;
      continue;
    }
    if (!inHunk || (line[0] !== '+' && line[0] !== '-')) continue;
    if (kept >= MAX_DIFF_LINES) {
      current.omitted += 1;
      continue;
    }
    kept += 1;
    const body = line.slice(1);
    current.lines.push({ op: line[0], text: body.length > MAX_LINE_CHARS ? `${body.slice(0, MAX_LINE_CHARS)}…` : body });
  }
  return files;
}

/** `diff --git a/x b/x` → `x` (the `+++` line corrects it when present). */
function fileOf(header: string): string {
  const match = / b\/(.*)$/.exec(header);
  return match?.[1] ?? header.slice('diff --git '.length);
}
