/**
 * The composition root: config → clients → activities → Worker. Used by `ramp worker`
 * (worker/run.ts), `ramp dev` and the tests that need a real worker process.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import axios from 'axios';
import { createActivities } from '../activities/index.js';
import { readDecisionKeys } from '../activities/identity.js';
import { readLinkKey } from '../src/notify/link-key.js';
import { KubeClusters } from '../src/providers/kube/clusters.js';
import { CachedGitOpsRepositories } from '../src/providers/git/index.js';
import { UserError } from '../src/errors.js';
import { explainConnectionFailure } from '../src/settings/diagnose.js';
import { installProcessMetrics } from '../src/observability/process-metrics.js';
import { rampSinks } from '../src/observability/sinks.js';
import { installVisibilityCollector, VisibilityCollector } from '../src/observability/visibility-collector.js';
import { closableRetry } from '../cli/closable-retry.js';
import { rampVersion } from '../cli/version.js';
import type { WorkerConfig } from './config.js';
import { ensureSearchAttributes } from './search-attributes.js';
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
  // A worker that cannot verify the decisions it is told to verify must not start.
  if (config.decisionKeysFile !== undefined) {
    await readDecisionKeys(config.decisionKeysFile).catch((error: unknown) => {
      throw new UserError((error as Error).message);
    });
  }
  // Nor one told to sign approval links with a key it cannot read.
  if (config.linkKeyFile !== undefined) {
    await readLinkKey(config.linkKeyFile).catch((error: unknown) => {
      throw new UserError((error as Error).message);
    });
  }
  const workflows = resolveWorkflowSource(options.workflowsPath);
  if (workflows.warning) Runtime.instance().logger.warn(workflows.warning);
  const source: WorkflowSource = workflows.source;
  const nativeConnection = await connectToTemporal(config);
  // The client's connection (activities, the visibility gauges): closed at shutdown only once no retry can fire after it.
  const retry = closableRetry();
  const connection = await Connection.connect({ ...config.connection, address: config.address, interceptors: [retry.interceptor] }).catch(
    async (error: unknown) => {
      await nativeConnection.close();
      throw new UserError(`connecting the worker to Temporal at ${config.address}: ${error instanceof Error ? error.message : String(error)}`);
    },
  );
  const client = new Client({ connection, namespace: config.namespace });
  // Workflows upsert these; unregistered, every promotion's workflow task would fail.
  await ensureSearchAttributes(connection, config.namespace).catch(async (error: unknown) => {
    await Promise.all([connection.close(), nativeConnection.close()]);
    throw error;
  });
  const repositories = new CachedGitOpsRepositories({ cacheDir: config.cacheDir, credentials: config.secrets });
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
        freezeGroups: config.freezeGroups,
        windowsFile: config.windowsFile,
        policyFiles: config.policyFiles,
        decisionKeysFile: config.decisionKeysFile,
        acceptUnverified: config.acceptUnverified ?? false,
        webhooks: config.webhooks,
        clusters: new KubeClusters(config.kubeconfig),
        ...(config.kustomize ? { kustomize: config.kustomize } : {}),
        secrets: config.secrets,
        guard: { intervalMs: config.guardIntervalMs },
        auditRepository: config.auditRepository,
        notifications: { uiUrl: config.uiUrl, linkKeyFile: config.linkKeyFile, slackApiUrl: config.slackApiUrl, smtp: config.smtp },
      }),
    },
    // The variable's schema checked the form (a duration such as 10s); @types/ms types it as a template literal.
    shutdownGraceTime: config.shutdownGraceTime,
    maxConcurrentActivityTaskExecutions: 10,
    // Workflows' observe(fact) → this process's metrics (docs/metrics.md).
    sinks: rampSinks(),
  });
  // The metrics every worker exports (docs/metrics.md); the visibility gauges ask Temporal at scrape time.
  installProcessMetrics('worker', rampVersion());
  const uninstallCollector = installVisibilityCollector(
    new VisibilityCollector(
      () => Promise.resolve(client),
      (message) => void Runtime.instance().logger.warn(message),
    ),
  );
  const done = worker.run().finally(async () => {
    uninstallCollector();
    await retry.quiesce();
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

/** The worker's connection; a failure says what is at the address and what to do (a UserError). */
async function connectToTemporal(config: WorkerConfig): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ ...config.connection, address: config.address });
  } catch (error) {
    throw new UserError(await explainConnectionFailure(config, error));
  }
}
