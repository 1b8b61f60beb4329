// A test worker process: ramp's worker (worker/run.ts, the same code as `ramp worker`) plus the
// test-only smoke workflow and activity, which the production worker does not register.
//   node --import tsx test/support/test-worker.ts   (settings from the environment, as ramp's)
import { fileURLToPath } from 'node:url';
import { runWorker } from '../../worker/run.js';
import { createSmokeActivities } from './smoke/activities.js';

try {
  await runWorker(process.env, {
    workflowsPath: fileURLToPath(new URL('./smoke/workflows.ts', import.meta.url)),
    extraActivities: createSmokeActivities(),
  });
} catch (error) {
  process.stderr.write(`test worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
