// Temporal for tests: one test environment per test file, connected to the run's shared dev
// server (RAMP_TEST_TEMPORAL_ADDRESS, set by scripts/test.ts) or, for a file run on its own,
// to a dev server of its own started from the project's Temporal CLI.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { dynamicConfigArgs } from '../../scripts/lib/dev-server.js';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes.js';
import { ensureTemporalCli, ensureTemporalTestServer, ToolUnavailableError } from '../../scripts/lib/tools.js';
import { cleanupOnSignal } from './reaper.js';

/** ramp's workflows plus the test-only smoke workflow. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../support/smoke/workflows.ts', import.meta.url));

let runtimeInstalled = false;

/**
 * Installs the SDK runtime with a WARN-level logger. Must run before anything calls
 * Runtime.instance() (test environments, workers, connections); later calls do nothing.
 */
export function installTestRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  runtimeInstalled = true;
}

/**
 * A test environment on the shared dev server, or on a dev server of this file's own when the
 * file runs alone. Call `teardown()` in `after()`: it closes the connections and, if this file
 * started a server, stops it.
 */
export async function getTestEnv(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  const address = process.env.RAMP_TEST_TEMPORAL_ADDRESS;
  if (address) {
    return TestWorkflowEnvironment.createFromExistingServer({ address, namespace: 'default' });
  }
  let path: string | undefined;
  try {
    path = (await ensureTemporalCli()).path;
  } catch (err) {
    if (!(err instanceof ToolUnavailableError)) throw err;
    process.stderr.write(`${err.message}\nFalling back to the Temporal SDK's own download of the CLI.\n`);
  }
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ...(path ? { executable: { type: 'existing-path' as const, path } } : {}),
      // createLocal passes the frontend.* values itself; repeating them keeps one source of truth.
      extraArgs: dynamicConfigArgs(),
      // What ramp's workflows upsert; the shared server has them from scripts/lib/dev-server.ts.
      searchAttributes: [...SEARCH_ATTRIBUTE_KEYS],
    },
  });
  // This file's own dev server must not outlive an interrupted test process.
  cleanupOnSignal(() => env.teardown());
  return env;
}

/**
 * A time-skipping environment on the Java SDK's test server (`temporal-test-server`, from .tools/
 * or TEMPORAL_TEST_SERVER). One per test file; its clock is global, so run its tests serially.
 * Prefer short durations on the dev server: Temporal is deprecating this server.
 */
export async function getTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installTestRuntime();
  let path: string | undefined;
  try {
    path = (await ensureTemporalTestServer()).path;
  } catch (err) {
    if (!(err instanceof ToolUnavailableError)) throw err;
    process.stderr.write(`${err.message}\nFalling back to the Temporal SDK's own download of the test server.\n`);
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping(path ? { server: { executable: { type: 'existing-path', path } } } : {});
  cleanupOnSignal(() => env.teardown());
  return env;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle (workflows/index.ts and the smoke workflow), built once per process: webpack takes seconds. */
export function getWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  installTestRuntime();
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  return bundle;
}

export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

export type TestWorkerOptions = Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'workflowsPath'> & {
  taskQueue?: string;
};

/**
 * A worker on the environment's server, on a task queue of its own (so that tests running in
 * parallel never steal each other's tasks), with the shared workflow bundle. Run it with
 * `worker.runUntil(...)`.
 */
export async function createTestWorker(env: TestWorkflowEnvironment, options: TestWorkerOptions = {}): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = options.taskQueue ?? uniqueTaskQueue();
  const worker = await Worker.create({
    workflowBundle: await getWorkflowBundle(),
    ...options,
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
  });
  return { worker, taskQueue };
}
