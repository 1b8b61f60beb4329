/**
 * The stage's side of sync: after a commit, ask a worker to make it live in the cluster and
 * wait until it is healthy (activities/kube.ts). The deadline is fixed here, in workflow time,
 * so that a retried activity keeps it. An abort cancels the wait.
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, condition, proxyActivities } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import type { SyncResult } from '../activities/kube.js';
import { FailureType, NON_RETRYABLE_FAILURE_TYPES } from '../src/domain/failure-types.js';
import type { RepositorySpec, StageSpec, SyncSpec, TrafficRoutingSpec } from '../src/schema/pipeline.js';

/** The stage's sync settings; specs pinned before sync existed have none. */
export function syncOf(stage: StageSpec): SyncSpec | null {
  const sync = (stage as Partial<StageSpec>).sync;
  return sync && sync.mode !== 'none' ? sync : null;
}

function activitiesFor(sync: SyncSpec) {
  return proxyActivities<RampActivities>({
    // The activity enforces the deadline itself; this only bounds a lost worker.
    startToCloseTimeout: sync.timeoutMs + 120_000,
    heartbeatTimeout: '30 seconds',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 10,
      nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
    },
  });
}

export interface GoLive {
  repository: RepositorySpec;
  stage: StageSpec;
  sync: SyncSpec;
  sha: string | null;
  routing: TrafficRoutingSpec | null;
  /** Resolves when the wait should stop (an abort); never for rollbacks. */
  stop?: () => boolean;
}

/** Thrown when the commit did not become live and healthy; carries the worker's sentence. */
export class NotLive extends Error {
  constructor(
    message: string,
    readonly type: string | null,
  ) {
    super(message);
  }
}

/** Returns when live and healthy; throws NotLive, or a CancelledFailure when `stop` fired. */
export async function goLive(request: GoLive): Promise<SyncResult> {
  const { sync } = request;
  const deadline = new Date(Date.now() + sync.timeoutMs).toISOString();
  const call = () =>
    activitiesFor(sync).syncStage({
      repository: request.repository,
      stagePath: request.stage.path,
      sync,
      sha: request.sha,
      deadline,
      routing: request.routing,
    });
  try {
    if (!request.stop) return await call();
    const stop = request.stop;
    return await CancellationScope.cancellable(async () => {
      const scope = CancellationScope.current();
      // Rejected (cancelled) along with the scope; nothing to handle then.
      void condition(stop).then(
        () => scope.cancel(),
        () => undefined,
      );
      return call();
    });
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) {
      throw new NotLive(error.cause.message, error.cause.type ?? null);
    }
    throw error;
  }
}

export const NOT_LIVE_TYPES: readonly string[] = [
  FailureType.SyncFailed,
  FailureType.ProgressDeadlineExceeded,
  FailureType.TrafficNotLive,
  FailureType.ManifestInvalid,
];

/** One line for the record: `applied 5 object(s); Deployment web-staging/web-stable 2 of 2 replicas available`. */
export function describeLive(result: SyncResult): string {
  const parts = [
    ...(result.applied > 0 ? [`applied ${result.applied} object(s)`] : []),
    ...(result.agent ? [result.agent] : []),
    ...result.workloads.map((w) => `${w.workload} ${w.message}`),
  ];
  return `${parts.join('; ') || 'nothing to wait for'} (${(result.tookMs / 1000).toFixed(1)} s)`;
}
