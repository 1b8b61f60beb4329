// The worker process: config → runtime → connection → activities → Worker.
// `npx tsx worker/main.ts`; stops gracefully on SIGINT/SIGTERM (the SDK's default shutdown signals).
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { createSmokeActivities } from '../activities/index.js';
import { readWorkerConfig } from './config.js';

const config = readWorkerConfig();

// Must run before anything touches Runtime.instance() (NativeConnection, Worker).
Runtime.install({
  logger: new DefaultLogger(config.logLevel),
  ...(config.metricsAddress
    ? { telemetryOptions: { metrics: { prometheus: { bindAddress: config.metricsAddress } } } }
    : {}),
});

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

const connection = await NativeConnection.connect({ address: config.address });
try {
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    workflowsPath,
    activities: { ...createSmokeActivities() },
    shutdownGraceTime: config.shutdownGraceTime,
  });
  Runtime.instance().logger.info('ramp worker started', {
    address: config.address,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    metrics: config.metricsAddress ? `http://${config.metricsAddress}/metrics` : 'off',
  });
  await worker.run(); // resolves after a shutdown signal, once in-flight tasks are done
  Runtime.instance().logger.info('ramp worker stopped');
} finally {
  await connection.close();
}
