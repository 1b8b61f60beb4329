/**
 * The history guard's side of the worker (docs/governance.md#history-guard): the guard workflow's
 * check (`checkHistory`), and the guard around ramp's writes — before each commit or revert to a
 * repository, its guard is asked whether writes are blocked (a rewrite nobody acknowledged yet:
 * HistoryRewritten, nothing written); after each push, the guard is told the new commit
 * (signalWithStart, which starts the repository's guard with ramp's first push), so that a commit
 * pushed and force-pushed away between two checks is still noticed.
 */
import { activityInfo, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CommitRequest, CommitResult, RevertRequest, RevertResult } from '../src/domain/changes.js';
import {
  GUARD_REMEMBER_SIGNAL,
  GUARD_STATUS_QUERY,
  GUARD_WORKFLOW_TYPE,
  guardWorkflowId,
  pipelineOfPromotion,
  writeRefusal,
  type HistoryCheckRequest,
  type HistoryCheckResult,
  type Rewrite,
} from '../src/domain/guard.js';
import type { RepositorySpec } from '../src/schema/pipeline.js';
import { HistoryRewrittenError, type GitOpsRepositories, type GitOpsRepository } from '../src/providers/git/index.js';
import { toApplicationFailure } from './git.js';
import { heartbeating } from './heartbeat.js';

export interface GuardSettings {
  /** RAMP_GUARD_INTERVAL: how often each repository's history is checked. */
  intervalMs: number;
}

export function createGuardActivities({ repositories }: { repositories: GitOpsRepositories }) {
  return {
    /** Each branch's tip now, and which of the watched commits are no longer reachable from it. */
    async checkHistory(request: HistoryCheckRequest): Promise<HistoryCheckResult> {
      return heartbeating(() => repositories.get(request.repository).checkHistory(request.branches), toApplicationFailure);
    },
  };
}

/** Who pushed: the pipeline and the promotion (or drift watch) whose write it was; its routes carry the guard's alert. */
export interface PushedBy {
  pipeline: string | null;
  promotion: string | null;
}

/** What the guarded writes need of the guard (HistoryGuard; a stand-in in unit tests). */
export interface WriteGuard {
  assertWritable(repository: RepositorySpec, pipeline: string | null, what: string): Promise<void>;
  remember(repository: RepositorySpec, shas: readonly string[], by: PushedBy): Promise<void>;
}

/** The guard workflows as the Git writes see them. */
export class HistoryGuard implements WriteGuard {
  constructor(
    private readonly client: Client,
    private readonly settings: GuardSettings,
  ) {}

  /** The rewrite that blocks writes to the repository, or null (no guard yet: nothing was found). */
  async rewrite(repository: RepositorySpec): Promise<Rewrite | null> {
    try {
      const status = await this.client.workflow.getHandle(guardWorkflowId(repository)).query<{ rewritten: Rewrite | null }>(GUARD_STATUS_QUERY);
      return status.rewritten;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }

  /** Throws HistoryRewrittenError (nothing written) while the repository's guard blocks writes. */
  async assertWritable(repository: RepositorySpec, pipeline: string | null, what: string): Promise<void> {
    const rewrite = await this.rewrite(repository);
    const refusal = writeRefusal(rewrite, repository.url, pipeline, what);
    if (rewrite === null || refusal === null) return;
    const missing = rewrite.missing.map((m) => m.sha);
    throw new HistoryRewrittenError(refusal, missing[0]!, missing);
  }

  /**
   * Tells the repository's guard about commits ramp pushed (starting the guard with the first).
   * `branch`: where they were pushed — the repository's branch, or another branch of the same
   * repository such as the audit trail's `ramp/audit`. Best effort.
   */
  async remember(repository: RepositorySpec, shas: readonly string[], by: PushedBy, branch: string = repository.branch): Promise<void> {
    try {
      const taskQueue = activityInfo().taskQueue;
      for (const sha of shas) {
        await this.client.workflow.signalWithStart(GUARD_WORKFLOW_TYPE, {
          workflowId: guardWorkflowId(repository),
          taskQueue,
          // workflows/guard-messages.ts GuardInput (activities may not import workflows).
          args: [{ repository: { url: repository.url, branch: repository.branch, secretRef: repository.secretRef }, intervalMs: this.settings.intervalMs }],
          signal: GUARD_REMEMBER_SIGNAL,
          signalArgs: [{ branch, sha, pipeline: by.pipeline, promotion: by.promotion }],
        });
      }
    } catch (error) {
      log.warn(`history guard: could not tell the guard of ${guardWorkflowId(repository)} about ${shas.join(', ')}: ${String(error)}`);
    }
  }
}

/**
 * The repositories with every commit and revert guarded: refused while the guard blocks writes,
 * remembered by the guard after the push. Reads pass through.
 */
export function guardedRepositories(repositories: GitOpsRepositories, guard: WriteGuard): GitOpsRepositories {
  return {
    get(spec, lane) {
      const repository = repositories.get(spec, lane);
      const commit: GitOpsRepository['commit'] = async (request: CommitRequest, expect) => {
        const pipeline = pipelineOfPromotion(request.trailers.promotion);
        await guard.assertWritable(spec, pipeline, `the commit "${request.subject}"`);
        const result: CommitResult = await repository.commit(request, expect);
        if (result.sha !== null) await guard.remember(spec, [result.sha], { pipeline, promotion: request.trailers.promotion });
        return result;
      };
      const revert: GitOpsRepository['revert'] = async (request: RevertRequest, expect) => {
        const pipeline = pipelineOfPromotion(request.promotion);
        await guard.assertWritable(spec, pipeline, `the rollback of ${request.stage}`);
        const result: RevertResult = await repository.revert(request, expect);
        await guard.remember(
          spec,
          result.reverts.map((r) => r.sha),
          { pipeline, promotion: request.promotion },
        );
        return result;
      };
      return new Proxy(repository, {
        get(target, property) {
          if (property === 'commit') return commit;
          if (property === 'revert') return revert;
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
  };
}
