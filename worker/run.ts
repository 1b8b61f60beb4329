/**
 * One worker in this process, from start to stop: `ramp worker` runs it in-process (so the pid a
 * supervisor starts is the worker: a `kill -9` leaves nothing behind), worker/main.ts runs it as
 * a script. Stops gracefully on SIGINT/SIGTERM (the SDK's shutdown signals), letting in-flight
 * activities finish.
 */
import { Runtime } from '@temporalio/worker';
import { rampExposition } from '../src/observability/exposition.js';
import { workerLogger } from '../src/observability/json-logger.js';
import { readWorkerConfig } from './config.js';
import { serveHealth, type HealthServer } from './health.js';
import { freeLoopbackPort, serveMetrics, type MetricsServer } from './metrics.js';
import { startWorker, type RunningWorker, type StartWorkerOptions } from './start.js';

/** Runs the worker until a shutdown signal; throws (with what failed) if it cannot start or fails. */
export async function runWorker(env: NodeJS.ProcessEnv = process.env, options: StartWorkerOptions = {}): Promise<void> {
  const config = readWorkerConfig(env);
  const healthAddress = config.healthAddress;

  // Temporal Core's exporter listens on loopback only; RAMP_METRICS_ADDRESS serves it with ramp's own metrics.
  const corePort = config.metricsAddress ? await freeLoopbackPort() : undefined;
  // Must run before anything touches Runtime.instance() (NativeConnection, Worker).
  Runtime.install({
    logger: workerLogger(config),
    ...(corePort !== undefined ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${corePort}` } } } } : {}),
  });
  const logger = Runtime.instance().logger;

  let running: RunningWorker | undefined;
  let stopped = false;
  let health: HealthServer | undefined;
  let metrics: MetricsServer | undefined;
  if (config.metricsAddress) {
    const core = { url: `http://127.0.0.1:${corePort}/metrics`, log: (message: string) => void logger.warn(message) };
    metrics = await serveMetrics(config.metricsAddress, rampExposition(core));
  }
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
      metrics: metrics ? `http://${metrics.address}/metrics` : 'off',
      health: health ? `http://${health.address}/readyz` : 'off',
    });
    await running.done; // resolves after a shutdown signal, once in-flight tasks are done
  } finally {
    stopped = true;
    await Promise.all([health?.close(), metrics?.close()]);
  }
  logger.info('ramp worker stopped');
}
