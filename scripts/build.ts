/**
 * `npm run build` (also `npm install`'s `prepare`, and the image build): what the shipped `ramp`
 * and worker run, in dist/:
 *
 * 1. tsc -p tsconfig.build.json: src/, workflows/, activities/, worker/ and cli/ as ESM JavaScript;
 * 2. dist/workflow-bundle.js: the compiled workflows packed once by the SDK's bundler, which every
 *    compiled worker loads instead of bundling at start (seconds);
 * 3. dist/cli/bundle/ramp.js: the compiled CLI and its dependencies in one file (esbuild), which
 *    loads in about half the CPU time of hundreds of separate modules. At the depth of
 *    dist/cli/commands/, so that its `new URL('../../worker/run.js', import.meta.url)` finds the
 *    compiled worker for `ramp worker`, which stays unbundled (native SDK core).
 * 4. dist/ui/ramp.js: the web UI's islands (ui/ramp.ts) for the browser, served as /assets/ramp.js
 *    (server/ui/assets.ts, which bundles the same way at run time when ramp runs from source).
 */
import { spawnSync } from 'node:child_process';
import { rename, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { CLIENT_BUILD_OPTIONS, CLIENT_BUNDLE_IN_DIST, CLIENT_ENTRY } from '../server/ui/assets.js';
import { DIST_DIR, PACKAGE_ROOT, PREBUILT_BUNDLE, writeWorkflowBundle } from '../worker/workflow-bundle.js';

/** Written last: bin/ramp.js takes its time as the build's. */
const CLI_BUNDLE = path.join(DIST_DIR, 'cli/bundle/ramp.js');
const CLIENT_BUNDLE = path.join(DIST_DIR, CLIENT_BUNDLE_IN_DIST);

const step = async (what: string, action: () => Promise<string> | string): Promise<void> => {
  const started = performance.now();
  const detail = await action();
  console.log(`ramp build: ${what}${detail ? ` (${detail})` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
};

await step('compiled to dist/', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(PACKAGE_ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${result.status ?? result.signal}); fix the type errors above`);
  return '';
});

await step(`wrote ${path.relative(PACKAGE_ROOT, PREBUILT_BUNDLE)}`, async () => {
  const { bytes } = await writeWorkflowBundle(path.join(DIST_DIR, 'workflows/index.js'), `${PREBUILT_BUNDLE}.tmp`);
  await rename(`${PREBUILT_BUNDLE}.tmp`, PREBUILT_BUNDLE);
  return `${Math.round(bytes / 1024)} KiB`;
});

await step(`wrote ${path.relative(PACKAGE_ROOT, CLIENT_BUNDLE)}`, async () => {
  await build({ ...CLIENT_BUILD_OPTIONS, entryPoints: [CLIENT_ENTRY], outfile: CLIENT_BUNDLE });
  return `${Math.round((await stat(CLIENT_BUNDLE)).size / 1024)} KiB`;
});

await step(`wrote ${path.relative(PACKAGE_ROOT, CLI_BUNDLE)}`, async () => {
  await build({
    entryPoints: [path.join(DIST_DIR, 'cli/main.js')],
    outfile: CLI_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Loaded only by ramp running from source (server/ui/assets.ts bundles the islands then).
    external: ['esbuild'],
    // CommonJS dependencies call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __rampCreateRequire } from 'node:module'; const require = __rampCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return `${Math.round((await stat(CLI_BUNDLE)).size / 1024)} KiB`;
});
