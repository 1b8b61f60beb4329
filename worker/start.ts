/**
 * The composition root: config → clients → activities → Worker. Used by `ramp worker`,
 * `ramp dev`, worker/main.ts and the tests that need a real worker process.
 */
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import axios from 'axios';
import { createActivities, createSmokeActivities } from '../activities/index.js';
import { KubeClusters } from '../src/providers/kube/clusters.js';
import { CachedGitOpsRepositories } from '../src/providers/git/index.js';
import { UserError } from '../src/errors.js';
import { explainConnectionFailure } from '../src/settings/diagnose.js';
import type { WorkerConfig } from './config.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after shutdown()). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** Creates and starts a worker; the Runtime must be installed before. */
export async function startWorker(config: WorkerConfig, options: { workflowBundle?: WorkflowBundleOption } = {}): Promise<RunningWorker> {
  const nativeConnection = await connectToTemporal(config);
  const connection = await Connection.connect({ ...config.connection, address: config.address });
  const client = new Client({ connection, namespace: config.namespace });
  const repositories = new CachedGitOpsRepositories({ cacheDir: config.cacheDir, credentials: config.secrets });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: {
      ...createSmokeActivities(),
      ...createActivities({
        repositories,
        client,
        http: axios.create(),
        groupsFile: config.groupsFile,
        webhooks: config.webhooks,
        clusters: new KubeClusters(config.kubeconfig),
        ...(config.kustomize ? { kustomize: config.kustomize } : {}),
        secrets: config.secrets,
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
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/** The worker's connection; a failure says what is at the address and what to do (a UserError). */
async function connectToTemporal(config: WorkerConfig): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ ...config.connection, address: config.address });
  } catch (error) {
    throw new UserError(await explainConnectionFailure(config, error));
  }
}
