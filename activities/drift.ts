// Drift activities: compare an environment's live objects with Git, restore Git's state, write
// an accepted drift to Git, and (re)start an environment's drift watch.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { FailureType } from '../src/domain/failure-types.js';
import type { GitOpsRepositories } from '../src/providers/git/index.js';
import type { KubeClusters } from '../src/providers/kube/clusters.js';
import type { ObjectDrift } from '../src/providers/kube/drift.js';
import { acceptChanges, DriftAcceptError, detectDrift as detect, restoreDrift as restore, type DriftReport } from '../src/providers/kube/drift-ops.js';
import type { RepositorySpec, StageSpec } from '../src/schema/pipeline.js';
import { DRIFT_SPEC_SIGNAL, DRIFT_WORKFLOW_TYPE, driftWorkflowId, type DriftWatchSpec } from '../src/domain/drift.js';
import { heartbeating } from './heartbeat.js';
import { toKubeFailure } from './kube.js';

export interface DriftRequest {
  repository: RepositorySpec;
  stage: StageSpec;
}

export interface AcceptRequest extends DriftRequest {
  pipeline: string;
  /** Git's commit the drift was found against. */
  sha: string;
  drifts: ObjectDrift[];
  actor: string;
  reason: string;
  /** Idempotency key within the watch (`accept-3`). */
  step: string;
}

export interface DriftActivityDeps {
  repositories: GitOpsRepositories;
  clusters: KubeClusters;
  kustomize?: string;
  client: Client;
}

export function createDriftActivities({ repositories, clusters, kustomize, client }: DriftActivityDeps) {
  const depsFor = (request: DriftRequest) => ({
    repository: repositories.get(request.repository),
    cluster: clusters.get(request.stage.sync.context),
    kustomize,
  });
  const targetOf = (stage: StageSpec) => ({ stagePath: stage.path, sync: stage.sync, fields: stage.drift?.fields ?? [] });
  return {
    /** Compares Git's head with the live objects of a stage. */
    async detectDrift(request: DriftRequest): Promise<DriftReport> {
      return guard(() => detect(targetOf(request.stage), depsFor(request)));
    },

    /** Applies Git's state (at `sha`) of the drifted objects; returns the objects applied. */
    async restoreDrift(request: DriftRequest & { sha: string; drifts: ObjectDrift[] }): Promise<string[]> {
      return guard(() => restore(targetOf(request.stage), depsFor(request), request.sha, request.drifts));
    },

    /** Commits the live values of the drifted fields to Git (trailer Ramp-Drift); idempotent by `step`. */
    async acceptDrift(request: AcceptRequest): Promise<{ sha: string | null; files: string[] }> {
      return guard(async () => {
        const deps = depsFor(request);
        const changes = await acceptChanges(targetOf(request.stage), deps.repository, request.sha, request.drifts);
        const result = await deps.repository.commit({
          repository: request.repository,
          stagePath: request.stage.path,
          image: '',
          version: '',
          changes,
          subject: `${request.pipeline}/${request.stage.name}: accept drift (${request.drifts.map((d) => d.object).join(', ')})`,
          trailers: {
            promotion: driftWorkflowId(request.pipeline, request.stage.name),
            stage: request.stage.name,
            step: request.step,
            version: '',
            drift: `accepted by ${request.actor}${request.reason ? `: ${request.reason}` : ''}`,
            requestedBy: request.actor,
          },
        });
        return { sha: result.sha, files: result.files };
      });
    },

    /** Starts the environment's drift watch, or hands the running one the latest stage spec. */
    async watchDrift(spec: DriftWatchSpec): Promise<string> {
      const workflowId = driftWorkflowId(spec.pipeline, spec.stage.name);
      await client.workflow.signalWithStart(DRIFT_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: Context.current().info.taskQueue,
        args: [spec],
        signal: DRIFT_SPEC_SIGNAL,
        signalArgs: [spec],
      });
      return workflowId;
    },
  };
}

export type DriftActivities = ReturnType<typeof createDriftActivities>;

function guard<T>(run: () => Promise<T>): Promise<T> {
  return heartbeating(run, (err) =>
    err instanceof DriftAcceptError ? ApplicationFailure.nonRetryable(err.message, FailureType.DriftNotWritable) : toKubeFailure(err),
  );
}
