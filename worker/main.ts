// The worker process: `npx tsx worker/main.ts` (or `ramp worker`). Stops gracefully on
// SIGINT/SIGTERM (the SDK's default shutdown signals), letting in-flight activities finish.
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { UsageError, UserError } from '../src/errors.js';
import { readWorkerConfig } from './config.js';
import { startWorker } from './start.js';

/** Invalid settings (exit 2) and an unreachable Temporal (exit 1) are messages, not stack traces. */
function exitOnUserError(error: unknown): never {
  if (!(error instanceof UsageError || error instanceof UserError)) throw error;
  process.stderr.write(`ramp worker: ${error.message}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
}

let config: ReturnType<typeof readWorkerConfig>;
try {
  config = readWorkerConfig();
} catch (error) {
  exitOnUserError(error);
}

// Must run before anything touches Runtime.instance() (NativeConnection, Worker).
Runtime.install({
  logger: new DefaultLogger(config.logLevel),
  ...(config.metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: config.metricsAddress } } } } : {}),
});

const running = await startWorker(config).catch(exitOnUserError);
Runtime.instance().logger.info('ramp worker started', {
  address: config.address,
  namespace: config.namespace,
  tls: config.tlsMode,
  taskQueue: config.taskQueue,
  metrics: config.metricsAddress ? `http://${config.metricsAddress}/metrics` : 'off',
});
await running.done; // resolves after a shutdown signal, once in-flight tasks are done
Runtime.instance().logger.info('ramp worker stopped');
