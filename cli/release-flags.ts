/**
 * `ramp promote`'s release flags (docs/dora.md): the source commit (`--source-commit`, or its
 * older name `--commit`), its time (`--source-time`, else the commit's author time read from the
 * Git repository of the current directory), the version it fixes forward (`--fixes`) and the
 * authors (`--author`). Checked before anything starts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UsageError } from '../src/errors.js';
import { parseInstant } from '../src/dora/period.js';
import { versionProblem } from '../src/domain/version.js';
import type { ReleaseSource } from '../workflows/messages.js';

const run = promisify(execFile);
const COMMIT = /^[0-9a-f]{7,64}$/;

export interface ReleaseFlags {
  'source-commit'?: string | undefined;
  commit?: string | undefined;
  'source-time'?: string | undefined;
  fixes?: string | undefined;
  author?: string[] | undefined;
}

/** The author time (ISO-8601) of `sha` in the Git repository at `cwd`; throws when there is no such repository or commit. */
export type AuthorTime = (sha: string, cwd: string) => Promise<string>;

export const gitAuthorTime: AuthorTime = async (sha, cwd) => {
  const { stdout } = await run('git', ['show', '-s', '--format=%aI', `${sha}^{commit}`, '--'], {
    cwd,
    timeout: 10_000,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  return stdout.trim();
};

/**
 * The release the flags describe, or undefined when they say nothing. UsageError for a malformed
 * flag. A source commit whose time cannot be read is promoted without it — DORA's lead time leaves
 * the release out (docs/dora.md) — and `warn` says so and how to give it.
 */
export async function releaseFromFlags(
  flags: ReleaseFlags,
  cwd: string,
  warn: (line: string) => void = () => {},
  authorTime: AuthorTime = gitAuthorTime,
): Promise<ReleaseSource | undefined> {
  const commit = sourceCommit(flags);
  const fixes = flags.fixes;
  if (fixes !== undefined) {
    const problem = versionProblem(fixes);
    if (problem) throw new UsageError(`--fixes names the version this release fixes forward: ${problem}`);
  }
  let time: string | undefined;
  if (flags['source-time'] !== undefined) {
    const parsed = parseInstant(flags['source-time'], '--source-time');
    if (!parsed.ok) throw new UsageError(parsed.problem);
    time = parsed.iso;
  } else if (commit !== undefined) {
    const read = await readAuthorTime(commit, cwd, authorTime);
    if (read.ok) time = read.iso;
    else warn(read.problem);
  }
  const release: ReleaseSource = {
    ...(commit !== undefined ? { commit } : {}),
    ...(flags.author?.length ? { authors: flags.author } : {}),
    ...(time !== undefined ? { time } : {}),
    ...(fixes !== undefined ? { fixes } : {}),
  };
  return Object.keys(release).length > 0 ? release : undefined;
}

function sourceCommit(flags: ReleaseFlags): string | undefined {
  const [given, old] = [flags['source-commit'], flags.commit];
  if (given !== undefined && old !== undefined && given.toLowerCase() !== old.toLowerCase())
    throw new UsageError(`--commit is the older name of --source-commit, and they differ (${old}, ${given}): give one`);
  const commit = (given ?? old)?.trim().toLowerCase();
  if (commit !== undefined && !COMMIT.test(commit))
    throw new UsageError(`--source-commit must be a commit id, 7 to 64 hex digits (e.g. the output of git rev-parse HEAD), got "${given ?? old}"`);
  return commit;
}

async function readAuthorTime(commit: string, cwd: string, authorTime: AuthorTime): Promise<{ ok: true; iso: string } | { ok: false; problem: string }> {
  const without = `the release is promoted without it, and DORA's lead time leaves it out. Pass --source-time with the commit's time (ISO-8601, e.g. 2026-11-30T14:05:00Z), or run ramp promote in a clone holding the commit`;
  let text: string;
  try {
    text = await authorTime(commit, cwd);
  } catch (error) {
    const why = error instanceof Error ? (error as { stderr?: string }).stderr?.trim() || error.message : String(error);
    return {
      ok: false,
      problem: `ramp promote: could not read the time of source commit ${commit} from the Git repository in ${cwd} (${firstLine(why)}): ${without}`,
    };
  }
  const parsed = parseInstant(text, `the author time of ${commit}`);
  return parsed.ok ? { ok: true, iso: parsed.iso } : { ok: false, problem: `ramp promote: ${parsed.problem}: ${without}` };
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim() ?? 'no answer';
