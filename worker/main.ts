// The worker as a script: `node dist/worker/main.js` (the image's command), or
// `npx tsx worker/main.ts` from the sources. `ramp worker` runs the same worker in-process.
import { runWorker } from './run.js';

try {
  await runWorker(process.env);
} catch (error) {
  process.stderr.write(`ramp worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
