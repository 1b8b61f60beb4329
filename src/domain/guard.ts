/**
 * The history guard of one GitOps repository (docs/governance.md#history-guard): which commits it
 * watches, what a check found, when writes are blocked and how an acknowledgement unblocks them.
 * Pure and deterministic: the guard workflow (workflows/guard.ts), its activities, the CLI and the
 * server share it. A tip's ancestors are implied by the tip, so only the last-seen tips and the
 * recent commits ramp pushed (which a force-push may have removed between two checks) are kept.
 */

/** The workflow type, and the signal each of ramp's pushes sends (activities/guard.ts, signalWithStart). */
export const GUARD_WORKFLOW_TYPE = 'guardWorkflow';
export const GUARD_REMEMBER_SIGNAL = 'guardRemember';
export const GUARD_STATUS_QUERY = 'guardStatus';
/** The branch the audit trail appends to; checked beside the repository's own branch when it exists. */
export const AUDIT_BRANCH = 'ramp/audit';
/** How many commits ramp pushed are remembered per branch (older ones are implied by the tips). */
export const REMEMBERED_PER_BRANCH = 50;

/** The repository the guard watches, as a pipeline names it (RepositorySpec). */
export interface GuardedRepository {
  url: string;
  branch: string;
  secretRef: string | null;
}

/** The URL without userinfo (credentials never go into ids or messages). */
export function publicUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

/** The guard's workflow id for a repository's branch: `guard:<url>#<branch>` (stable, readable). */
export function guardWorkflowId(repository: Pick<GuardedRepository, 'url' | 'branch'>): string {
  return `guard:${publicUrl(repository.url)}#${repository.branch}`;
}

/** The pipeline a promotion (or drift watch) id belongs to: `web@1.2.0` and `web/staging:drift` are `web`'s. */
export function pipelineOfPromotion(promotionId: string): string {
  return promotionId.split(/[@/]/)[0] ?? promotionId;
}

/** One commit that is no longer reachable from its branch's tip. */
export interface MissingCommit {
  branch: string;
  sha: string;
  /** Why it was watched: ramp pushed it, or it was the branch's tip at the last check. */
  seenAs: 'pushed' | 'tip';
}

/** What the guard watches on one branch. */
export interface TrackedBranch {
  branch: string;
  /** The tip seen by the last check (null: the branch did not exist, or no check yet). */
  tip: string | null;
  /** Commits ramp pushed recently, oldest first (bounded). */
  pushed: string[];
}

/** What `checkHistory` is asked: per branch, the commits that must still be reachable. */
export interface HistoryCheckRequest {
  repository: GuardedRepository;
  branches: { branch: string; shas: string[] }[];
}

/** What `checkHistory` found: each branch's current tip (null: absent) and which asked commits are unreachable. */
export interface HistoryCheckResult {
  tips: { branch: string; tip: string | null }[];
  missing: { branch: string; sha: string }[];
}

/** The watched branches: the repository's own and the audit trail's. */
export function initialBranches(repository: Pick<GuardedRepository, 'branch'>): TrackedBranch[] {
  const names = repository.branch === AUDIT_BRANCH ? [AUDIT_BRANCH] : [repository.branch, AUDIT_BRANCH];
  return names.map((branch) => ({ branch, tip: null, pushed: [] }));
}

/** Adds a commit ramp pushed to `branch` (a new branch is tracked), keeping the newest `limit`. */
export function rememberPush(branches: readonly TrackedBranch[], branch: string, sha: string, limit = REMEMBERED_PER_BRANCH): TrackedBranch[] {
  const found = branches.some((b) => b.branch === branch);
  const all = found ? branches : [...branches, { branch, tip: null, pushed: [] }];
  return all.map((b) => {
    if (b.branch !== branch || b.pushed.includes(sha) || b.tip === sha) return b;
    const pushed = [...b.pushed, sha];
    return { ...b, pushed: pushed.slice(Math.max(0, pushed.length - limit)) };
  });
}

/** What a check asks about: per branch, the last tip and the remembered pushes. */
export function checkRequest(repository: GuardedRepository, branches: readonly TrackedBranch[]): HistoryCheckRequest {
  return {
    repository,
    branches: branches.map((b) => ({ branch: b.branch, shas: unique([...(b.tip ? [b.tip] : []), ...b.pushed]) })),
  };
}

/**
 * The commits a check found unreachable, each said as what the guard knew it as. A branch that
 * vanished (tip null) while it had a tip counts: its whole history is gone.
 */
export function missingCommits(branches: readonly TrackedBranch[], result: HistoryCheckResult): MissingCommit[] {
  const out: MissingCommit[] = [];
  for (const b of branches) {
    const gone = new Set(result.missing.filter((m) => m.branch === b.branch).map((m) => m.sha));
    if (b.tip && gone.has(b.tip)) out.push({ branch: b.branch, sha: b.tip, seenAs: 'tip' });
    for (const sha of b.pushed) if (gone.has(sha) && sha !== b.tip) out.push({ branch: b.branch, sha, seenAs: 'pushed' });
  }
  return out;
}

/**
 * The branches after a check that found everything reachable: each tip moves on, and pushes
 * now behind a tip stay remembered only up to the bound (the tip implies them; they are kept so
 * that a later rewrite that drops them names them).
 */
export function advanceTips(branches: readonly TrackedBranch[], result: HistoryCheckResult): TrackedBranch[] {
  return branches.map((b) => {
    const tip = result.tips.find((t) => t.branch === b.branch);
    return tip === undefined ? b : { ...b, tip: tip.tip };
  });
}

/**
 * The branches after an acknowledgement: the current tips are the new baseline, and the
 * acknowledged missing commits are forgotten (they are gone on purpose).
 */
export function acknowledgeBaseline(branches: readonly TrackedBranch[], tips: HistoryCheckResult['tips'], missing: readonly MissingCommit[]): TrackedBranch[] {
  return branches.map((b) => {
    const gone = new Set(missing.filter((m) => m.branch === b.branch).map((m) => m.sha));
    const tip = tips.find((t) => t.branch === b.branch);
    return { branch: b.branch, tip: tip ? tip.tip : b.tip, pushed: b.pushed.filter((sha) => !gone.has(sha)) };
  });
}

/** When writes are blocked: the rewrite the guard found and nobody acknowledged yet. */
export interface Rewrite {
  /** The first branch with missing commits. */
  branch: string;
  missing: MissingCommit[];
  detectedAt: string;
}

/** The sentence for a rewrite: which branch, which commits. */
export function describeRewrite(rewrite: Rewrite, repositoryUrl: string): string {
  const branches = unique(rewrite.missing.map((m) => m.branch));
  const list = rewrite.missing.map((m) => `${m.sha.slice(0, 12)} (${m.branch}, ${m.seenAs === 'tip' ? 'its tip at the last check' : 'pushed by ramp'})`);
  return `the history of ${publicUrl(repositoryUrl)} was rewritten (a force-push?) on ${branches.join(', ')}: ${list.length === 1 ? 'commit' : 'commits'} ${list.join(', ')} ${list.length === 1 ? 'is' : 'are'} no longer reachable (found ${rewrite.detectedAt})`;
}

/** How an operator unblocks writes, for messages: `ramp guard ack <pipeline> --reason "…"`. */
export function ackCommand(pipeline: string | null): string {
  return `ramp guard ack ${pipeline ?? '<pipeline>'} --reason "…"`;
}

/**
 * Why ramp must not write to the repository now, as the commit and revert activities say it
 * (HistoryRewritten), or null when writes are allowed.
 */
export function writeRefusal(rewrite: Rewrite | null, repositoryUrl: string, pipeline: string | null, what: string): string | null {
  if (rewrite === null) return null;
  return (
    `${describeRewrite(rewrite, repositoryUrl)}. ramp wrote nothing (${what}): writes to this repository are blocked until someone who administers a pipeline ` +
    `using it acknowledges the rewrite with a reason: ${ackCommand(pipeline)} (or POST /api/v1/guard/ack); then ramp resume retries the write`
  );
}

/** Why an acknowledgement is refused before it reaches the record's decision, or null. */
export function ackRefusal(args: { actor: string; reason?: string | undefined }, rewrite: Rewrite | null): string | null {
  if (!args.actor || args.actor.trim() === '') return 'say who you are (ramp login, or --as on the local stack)';
  if (!args.reason || args.reason.trim() === '') return 'an acknowledgement needs a reason (--reason "…"): why the rewrite is fine, or what was done about it';
  if (rewrite === null) return 'nothing to acknowledge: the guard found no rewritten history since the last acknowledgement';
  return null;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
