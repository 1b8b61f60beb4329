/** Reading ramp's commits back from `git log`. */
import type { SimpleGit } from 'simple-git';
import { parseRampMessage, type RampMessage } from './trailers.js';

export interface LogEntry extends RampMessage {
  sha: string;
  /** ISO-8601 committer date. */
  committedAt: string;
}

const FIELD = '\x1f';
const RECORD = '\x1e';

/** `git log <args>` parsed into entries, newest first (every commit, ramp's or not). */
export async function readLog(git: SimpleGit, args: readonly string[]): Promise<LogEntry[]> {
  const out = await git.raw(['log', `--format=%H${FIELD}%cI${FIELD}%B${RECORD}`, ...args, '--']);
  return parseLog(out);
}

export function parseLog(out: string): LogEntry[] {
  return out
    .split(RECORD)
    .map((record) => record.replace(/^\n+/, ''))
    .filter((record) => record !== '')
    .map((record) => {
      const [sha = '', committedAt = '', message = ''] = record.split(FIELD);
      return { sha, committedAt, ...parseRampMessage(message) };
    });
}

/** Files a commit changed, relative to the repository root. */
export async function changedFiles(git: SimpleGit, sha: string): Promise<string[]> {
  const out = await git.raw(['diff-tree', '--no-commit-id', '--name-only', '-r', '-z', sha]);
  return out.split('\0').filter((f) => f !== '');
}
