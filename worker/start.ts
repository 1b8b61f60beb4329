/**
 * The composition root: config → clients → activities → Worker. Used by `ramp worker`
 * (worker/run.ts), `ramp dev` and the tests that need a real worker process.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import axios from 'axios';
import { createActivities } from '../activities/index.js';
import { KubeClusters } from '../src/providers/kube/clusters.js';
import { CachedGitOpsRepositories } from '../src/providers/git/index.js';
import type { WorkerConfig } from './config.js';
import { resolveWorkflowSource, type WorkflowSource } from './workflow-bundle.js';

export interface RunningWorker {
  worker: Worker;
  /** Where its workflows came from (the prebuilt bundle, or bundled from source), for logs. */
  workflows: string;
  /** Resolves when the worker has stopped (after shutdown()). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export interface StartWorkerOptions {
  /**
   * Bundle these workflow sources at start (test workers, benchmarks). Default: the prebuilt
   * bundle (dist/workflow-bundle.js) when it is current, else workflows/index.ts bundled now.
   */
  workflowsPath?: string;
  /** Activities registered next to ramp's own (test workers add the smoke activity). */
  extraActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
}

/** Creates and starts a worker; the Runtime must be installed before. */
export async function startWorker(config: WorkerConfig, options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const workflows = resolveWorkflowSource(options.workflowsPath);
  if (workflows.warning) Runtime.instance().logger.warn(workflows.warning);
  const source: WorkflowSource = workflows.source;
  const unreachable = (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    return new Error(`connecting the worker to Temporal at ${config.address}: ${reason}. Check that Temporal is up there (TEMPORAL_ADDRESS, --address).`);
  };
  const nativeConnection = await NativeConnection.connect({ address: config.address }).catch((error: unknown) => Promise.reject(unreachable(error)));
  const connection = await Connection.connect({ address: config.address }).catch(async (error: unknown) => {
    await nativeConnection.close();
    throw unreachable(error);
  });
  const client = new Client({ connection, namespace: config.namespace });
  const repositories = new CachedGitOpsRepositories(config.cacheDir ? { cacheDir: config.cacheDir } : {});
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    ...source,
    activities: {
      ...options.extraActivities,
      ...createActivities({
        repositories,
        client,
        http: axios.create(),
        groupsFile: config.groupsFile,
        webhooks: config.webhooks,
        clusters: new KubeClusters(config.kubeconfig),
        ...(config.kustomize ? { kustomize: config.kustomize } : {}),
      }),
    },
    shutdownGraceTime: config.shutdownGraceTime,
    maxConcurrentActivityTaskExecutions: 10,
  });
  const done = worker.run().finally(async () => {
    await connection.close();
    await nativeConnection.close();
  });
  return {
    worker,
    workflows: workflows.description,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
