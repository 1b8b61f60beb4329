// `npm run build`, second step (after tsc): packs the compiled workflows into
// dist/workflow-bundle.js, which every compiled worker loads instead of bundling at start.
import path from 'node:path';
import { DIST_DIR, PACKAGE_ROOT, PREBUILT_BUNDLE, writeWorkflowBundle } from './workflow-bundle.js';

const started = performance.now();
const { bytes } = await writeWorkflowBundle(path.join(DIST_DIR, 'workflows/index.js'));
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`ramp build: wrote ${path.relative(PACKAGE_ROOT, PREBUILT_BUNDLE)} (${(bytes / 1024).toFixed(0)} KiB) in ${seconds} s`);
