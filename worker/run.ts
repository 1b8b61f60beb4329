/**
 * One worker in this process, from start to stop: `ramp worker` runs it in-process (so the pid a
 * supervisor starts is the worker: a `kill -9` leaves nothing behind), worker/main.ts runs it as
 * a script. Stops gracefully on SIGINT/SIGTERM (the SDK's shutdown signals), letting in-flight
 * activities finish.
 */
import { Runtime } from '@temporalio/worker';
import { workerLogger } from '../src/observability/json-logger.js';
import { readWorkerConfig } from './config.js';
import { serveHealth, type HealthServer } from './health.js';
import { startWorker, type RunningWorker, type StartWorkerOptions } from './start.js';

/** Runs the worker until a shutdown signal; throws (with what failed) if it cannot start or fails. */
export async function runWorker(env: NodeJS.ProcessEnv = process.env, options: StartWorkerOptions = {}): Promise<void> {
  const config = readWorkerConfig(env);
  const healthAddress = config.healthAddress;

  // Must run before anything touches Runtime.instance() (NativeConnection, Worker).
  Runtime.install({
    logger: workerLogger(config),
    ...(config.metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: config.metricsAddress } } } } : {}),
  });
  const logger = Runtime.instance().logger;

  let running: RunningWorker | undefined;
  let stopped = false;
  let health: HealthServer | undefined;
  if (healthAddress) {
    health = await serveHealth(healthAddress, () => (stopped ? 'stopped' : running ? running.worker.getStatus() : 'starting'));
    logger.info('ramp worker health endpoint', { healthz: `http://${health.address}/healthz`, readyz: `http://${health.address}/readyz` });
  }
  try {
    running = await startWorker(config, options);
    logger.info('ramp worker started', {
      address: config.address,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      pid: process.pid,
      workflows: running.workflows,
      metrics: config.metricsAddress ? `http://${config.metricsAddress}/metrics` : 'off',
      health: health ? `http://${health.address}/readyz` : 'off',
    });
    await running.done; // resolves after a shutdown signal, once in-flight tasks are done
  } finally {
    stopped = true;
    await health?.close();
  }
  logger.info('ramp worker stopped');
}
