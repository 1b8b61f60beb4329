// The benchmark's "before" worker: the TypeScript sources through tsx, bundling the workflows at
// start, as every `ramp worker` did before the build (bench/startup.ts).
import { runWorker } from '../worker/run.js';
import { SOURCE_WORKFLOWS } from '../worker/workflow-bundle.js';

await runWorker(process.env, { workflowsPath: SOURCE_WORKFLOWS });
