// The worker as a script: `node dist/worker/main.js` (the image's command), or
// `npx tsx worker/main.ts` from the sources. `ramp worker` runs the same worker in-process.
import { UsageError, UserError } from '../src/errors.js';
import { runWorker } from './run.js';

try {
  await runWorker(process.env);
} catch (error) {
  // Invalid settings (exit 2) and an unreachable Temporal (exit 1) are messages, not stack traces.
  if (!(error instanceof UsageError || error instanceof UserError)) throw error;
  process.stderr.write(`ramp worker: ${error.message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
