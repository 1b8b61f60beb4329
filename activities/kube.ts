// Kubernetes activities: make a stage's commit live and wait until it is healthy (sync), over
// injected clusters and repositories. Provider errors become ApplicationFailures of stable
// types (src/domain/failure-types.ts); long waits heartbeat their progress and stop when the
// workflow cancels them.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../src/domain/failure-types.js';
import type { GitOpsRepositories } from '../src/providers/git/index.js';
import { KubeApiError } from '../src/providers/kube/cluster.js';
import type { KubeClusters } from '../src/providers/kube/clusters.js';
import type { WorkloadHealth } from '../src/providers/kube/health.js';
import { ManifestError } from '../src/providers/kube/objects.js';
import { SyncError, syncStage as runSync } from '../src/providers/kube/stage-sync.js';
import { weightCheckFor } from '../src/providers/kube/weights.js';
import type { RepositorySpec, SyncSpec, TrafficRoutingSpec } from '../src/schema/pipeline.js';
import { toApplicationFailure } from './git.js';
import { heartbeating } from './heartbeat.js';

export interface SyncRequest {
  repository: RepositorySpec;
  stagePath: string;
  sync: SyncSpec;
  /** The commit that must be live; null = the branch's head. */
  sha: string | null;
  /** ISO-8601: by when it must be live and healthy (fixed by the workflow, so retries keep it). */
  deadline: string;
  /** When set, the live weights must equal Git's before the sync counts. */
  routing: TrafficRoutingSpec | null;
}

export interface SyncResult {
  sha: string;
  applied: number;
  agent: string | null;
  workloads: WorkloadHealth[];
  tookMs: number;
}

export interface KubeActivityDeps {
  repositories: GitOpsRepositories;
  clusters: KubeClusters;
  /** RAMP_KUSTOMIZE */
  kustomize?: string;
}

export function createKubeActivities({ repositories, clusters, kustomize }: KubeActivityDeps) {
  return {
    /** Makes a commit of a stage live (apply, or the GitOps agent) and waits until it is healthy. */
    async syncStage(request: SyncRequest): Promise<SyncResult> {
      const context = Context.current();
      return heartbeating(async (report) => {
        let last = '';
        const result = await runSync(
          {
            stagePath: request.stagePath,
            sync: request.sync,
            sha: request.sha,
            deadline: Date.parse(request.deadline),
            weights: request.routing ? weightCheckFor(request.routing) : null,
          },
          {
            repository: repositories.get(request.repository),
            cluster: clusters.get(request.sync.context),
            kustomize,
            progress: (message) => {
              if (message !== last) context.log.info(`sync: ${message}`);
              last = message;
              report(message);
            },
            sleep: (ms) => context.sleep(ms),
          },
        );
        context.log.info('sync: live and healthy', { sha: result.sha, applied: result.applied, tookMs: result.tookMs });
        return result;
      }, toKubeFailure);
    },
  };
}

export type KubeActivities = ReturnType<typeof createKubeActivities>;

export function toKubeFailure(err: unknown): unknown {
  if (err instanceof SyncError) {
    const type = err.kind === 'deadline' ? FailureType.ProgressDeadlineExceeded : err.kind === 'traffic' ? FailureType.TrafficNotLive : FailureType.SyncFailed;
    return ApplicationFailure.nonRetryable(err.message, type);
  }
  if (err instanceof ManifestError) return ApplicationFailure.nonRetryable(err.message, FailureType.ManifestInvalid);
  if (err instanceof KubeApiError) {
    return err.transient
      ? ApplicationFailure.retryable(err.message, FailureType.ClusterUnavailable)
      : ApplicationFailure.nonRetryable(err.message, FailureType.SyncFailed);
  }
  return toApplicationFailure(err);
}
