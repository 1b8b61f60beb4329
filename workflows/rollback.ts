/**
 * The one rollback routine (STYLE.md habit 27): revert a stage's commits newest-first, push,
 * then — with a sync mode — make the reverted state live again and wait until it is healthy.
 * The stage's own rollback and `rollback.scope: promotion` both run through it. It runs to the
 * end even when the workflow is cancelled: giving up halfway would leave the environment on a
 * release that failed.
 */
import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import type { SyncResult } from '../activities/kube.js';
import type { RepositorySpec, StageSpec } from '../src/schema/pipeline.js';
import { gitRollback } from './activity-options.js';
import { describeFailure } from './stage-record.js';
import { goLive, NotLive, syncOf } from './stage-sync.js';

const rollbackGit = proxyActivities<RampActivities>(gitRollback);

export interface RollbackRequest {
  repository: RepositorySpec;
  promotion: string;
  stage: StageSpec;
  /** The rollback's idempotency key (`Ramp-Step`), e.g. `1/rollback`. */
  step: string;
  version: string;
  /** ramp's commits to revert, newest first. */
  commits: string[];
  /** `Ramp-Rollback`: why. */
  reason: string;
  /** `Ramp-Requested-By`: the person who caused it, if one did. */
  requestedBy?: string;
  /** `Ramp-Detected-At`: when the failure that caused it was first known, ISO-8601 (docs/dora.md). */
  detectedAt?: string;
}

export interface RollbackOutcome {
  /** One revert commit per reverted commit, newest reverted first. */
  reverts: { reverted: string; sha: string }[];
  /** With a sync mode: the reverted state, live and healthy. */
  live: SyncResult | null;
  /** With a sync mode: why the reverted state did not become live and healthy. */
  notLive: string | null;
  /** Workflow time (ms) when the reverts were pushed: a rollback's reaction ends here. */
  revertedAtMs: number;
  /** Workflow time (ms) when the reverted state was live and healthy (with a sync mode), else when pushed. */
  liveAtMs: number;
}

/** Reverts, pushes, re-syncs. Throws only when the revert itself fails (Git is unchanged then). */
export function rollBack(request: RollbackRequest): Promise<RollbackOutcome> {
  return CancellationScope.nonCancellable(async () => {
    const { repository, promotion, stage, step, version, commits, reason, requestedBy, detectedAt } = request;
    const result = await rollbackGit.revertStageCommits({
      repository,
      promotion,
      stage: stage.name,
      step,
      version,
      commits,
      reason,
      ...(requestedBy ? { requestedBy } : {}),
      ...(detectedAt ? { detectedAt } : {}),
    });
    const revertedAtMs = Date.now();
    const sync = syncOf(stage);
    if (!sync) return { reverts: result.reverts, live: null, notLive: null, revertedAtMs, liveAtMs: revertedAtMs };
    const routing = stage.strategy.kind === 'canary' ? (stage.strategy.trafficRouting ?? null) : null;
    try {
      const live = await goLive({ repository, stage, sync, sha: result.reverts.at(-1)?.sha ?? null, routing });
      return { reverts: result.reverts, live, notLive: null, revertedAtMs, liveAtMs: Date.now() };
    } catch (error) {
      const notLive = error instanceof NotLive ? error.message : describeFailure(error);
      return { reverts: result.reverts, live: null, notLive, revertedAtMs, liveAtMs: revertedAtMs };
    }
  });
}
