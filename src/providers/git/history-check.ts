/**
 * The history guard's check (activities/guard.ts): on the cached clone, after a fetch, which of
 * the commits it watches are no longer reachable from their branch's tip — a force-push, or a
 * deleted branch. The repository's own branch is the clone's; other branches (the audit trail's
 * `ramp/audit`) are fetched into `refs/remotes/origin/<branch>` beside it. A branch the remote
 * does not have is absent (tip null): nothing on it is reachable.
 */
import type { HistoryCheckRequest, HistoryCheckResult } from '../../domain/guard.js';
import { GitCommandError, type Session, type Workspace } from './workspace.js';

export async function checkBranches(workspace: Workspace, s: Session, branches: HistoryCheckRequest['branches']): Promise<HistoryCheckResult> {
  const result: HistoryCheckResult = { tips: [], missing: [] };
  for (const { branch, shas } of branches) {
    const tip = await fetchTip(workspace, s, branch);
    result.tips.push({ branch, tip });
    for (const sha of shas) {
      if (tip === null || !(await reachable(s, sha, tip))) result.missing.push({ branch, sha });
    }
  }
  return result;
}

/** The branch's tip on the remote, fetched into the clone (the clone's own branch is fetched already); null when absent. */
async function fetchTip(workspace: Workspace, s: Session, branch: string): Promise<string | null> {
  if (branch !== s.branch) {
    const listed = await workspace.network(s, 'list the branches of', () => s.exec(['ls-remote', '--heads', 'origin', `refs/heads/${branch}`]));
    if (listed.stdout.trim() === '') return null;
    await workspace.network(s, `fetch branch ${branch} from`, () =>
      s.exec(['fetch', '--no-tags', '--quiet', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`]),
    );
  }
  const { stdout } = await s.exec(['rev-parse', '--verify', `refs/remotes/origin/${branch}^{commit}`]);
  return stdout.trim();
}

/** Whether `sha` is `tip` or one of its ancestors; a commit the clone does not have is not reachable. */
async function reachable(s: Session, sha: string, tip: string): Promise<boolean> {
  const known = await s.exec(['rev-parse', '--verify', '--quiet', `${sha}^{commit}`]).then(
    () => true,
    () => false,
  );
  if (!known) return false;
  try {
    await s.quiet(['merge-base', '--is-ancestor', sha, tip]);
    return true;
  } catch (err) {
    if (err instanceof GitCommandError && err.exitCode === 1) return false;
    throw err;
  }
}
