/**
 * The diff a policy sees at the commit checkpoint: the lines the change ramp is about to commit
 * removes and adds, per file, computed from the file's content before and after (no Git needed).
 * Pure; bounded like the release page's diffs (src/providers/git/diff.ts).
 */
import type { FileDiff } from '../domain/changes.js';

/** Lines per side up to which the middle of a file is diffed line by line (LCS); past it, as one block. */
const MAX_LCS_LINES = 1000;
/** At most this many lines listed in `lines` (all files); changedLines counts them all. */
export const MAX_POLICY_DIFF_LINES = 200;

/** The `-`/`+` lines turning `before` into `after`. */
export function lineDiff(file: string, before: string, after: string): FileDiff {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const lines = midA.length <= MAX_LCS_LINES && midB.length <= MAX_LCS_LINES ? lcsDiff(midA, midB) : blockDiff(midA, midB);
  return { file, lines, omitted: 0 };
}

function blockDiff(a: string[], b: string[]): FileDiff['lines'] {
  return [...a.map((text) => ({ op: '-' as const, text })), ...b.map((text) => ({ op: '+' as const, text }))];
}

function lcsDiff(a: string[], b: string[]): FileDiff['lines'] {
  const n = a.length;
  const m = b.length;
  // lengths[i][j]: the LCS of a[i..] and b[j..].
  const lengths = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i]![j] = a[i] === b[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
    }
  }
  const out: FileDiff['lines'] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (j >= m || (i < n && lengths[i + 1]![j]! >= lengths[i]![j + 1]!)) {
      out.push({ op: '-', text: a[i++]! });
    } else {
      out.push({ op: '+', text: b[j++]! });
    }
  }
  return out;
}

/** The policy input's `diff` from per-file diffs: files, every changed line counted, at most MAX_POLICY_DIFF_LINES listed. */
export function policyDiff(files: readonly FileDiff[]): { files: string[]; changedLines: number; lines: string[] } {
  const changed = files.filter((f) => f.lines.length > 0 || f.omitted > 0);
  const all = changed.flatMap((f) => f.lines.map((l) => `${l.op}${l.text}`));
  return {
    files: changed.map((f) => f.file),
    changedLines: changed.reduce((sum, f) => sum + f.lines.length + f.omitted, 0),
    lines: all.slice(0, MAX_POLICY_DIFF_LINES),
  };
}
