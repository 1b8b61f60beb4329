/**
 * The workflow bundle: the workflows and everything they import, packed by webpack for the
 * worker's sandbox. `npm run build` writes it once (dist/workflow-bundle.js); a worker loads it
 * in milliseconds instead of bundling at every start (seconds). Only a worker started from the
 * TypeScript sources (development: `npm start`, the tests) bundles from source, and only when the
 * prebuilt bundle is missing or older than the workflow sources.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleOption } from '@temporalio/worker';

/** Whether this module runs compiled (dist/worker/*.js) or from its TypeScript source (tsx). */
const COMPILED = import.meta.url.endsWith('.js');
/** The package root: two levels above dist/worker/, one above worker/. */
export const PACKAGE_ROOT = fileURLToPath(new URL(COMPILED ? '../../' : '../', import.meta.url));
export const DIST_DIR = path.join(PACKAGE_ROOT, 'dist');
export const PREBUILT_BUNDLE = path.join(DIST_DIR, 'workflow-bundle.js');
/** The workflows' entry point as TypeScript source (development only). */
export const SOURCE_WORKFLOWS = path.join(PACKAGE_ROOT, 'workflows/index.ts');
/** What the bundle packs: the workflows and the pure domain code they import. */
const WORKFLOW_SOURCE_DIRS = ['workflows', 'src'];

/** Where the worker's workflows come from: a prebuilt bundle, or workflow sources to bundle now. */
export type WorkflowSource = { workflowBundle: WorkflowBundleOption } | { workflowsPath: string };

export interface ResolvedWorkflowSource {
  source: WorkflowSource;
  /** For the worker's start log: which bundle, or why it bundles from source. */
  description: string;
  /** A warning for the log when a worker bundles at start (slow) although it should not need to. */
  warning?: string;
}

/**
 * With `bundleFrom` (test workers' own entry point, the benchmark's "before"), those sources
 * bundled now. Otherwise the prebuilt bundle when there is one that matches the code this
 * process runs, else the workflow sources (development). Compiled code trusts its build's bundle.
 */
export function resolveWorkflowSource(bundleFrom?: string): ResolvedWorkflowSource {
  const workflowsPath = bundleFrom ?? SOURCE_WORKFLOWS;
  const prebuilt = existsSync(PREBUILT_BUNDLE) ? statSync(PREBUILT_BUNDLE).mtimeMs : undefined;
  const custom = bundleFrom !== undefined;
  if (!custom && prebuilt !== undefined && (COMPILED || newestSourceChange(WORKFLOW_SOURCE_DIRS) < prebuilt)) {
    return { source: { workflowBundle: { codePath: PREBUILT_BUNDLE } }, description: `prebuilt ${path.relative(PACKAGE_ROOT, PREBUILT_BUNDLE)}` };
  }
  if (!existsSync(workflowsPath)) {
    throw new Error(
      `Starting the worker: no workflow bundle at ${PREBUILT_BUNDLE} and no workflow sources at ${workflowsPath} to bundle. Run \`npm run build\` in ${PACKAGE_ROOT} (or reinstall ramp).`,
    );
  }
  const description = `bundled from source at start (${path.relative(PACKAGE_ROOT, workflowsPath)})`;
  if (custom) return { source: { workflowsPath }, description };
  const why =
    prebuilt === undefined
      ? `there is no prebuilt bundle at ${path.relative(PACKAGE_ROOT, PREBUILT_BUNDLE)}`
      : 'the prebuilt bundle is older than the workflow sources';
  return {
    source: { workflowsPath },
    description,
    warning: `bundling the workflows from source because ${why}: development only, it adds seconds to every start; \`npm run build\` writes the bundle`,
  };
}

/** The newest modification time (ms) of any file under these directories of the package. */
function newestSourceChange(dirs: readonly string[]): number {
  let newest = 0;
  for (const dir of dirs) {
    const root = path.join(PACKAGE_ROOT, dir);
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** Bundles the workflows (compiled or source entry point) into `outFile`; for `npm run build`. */
export async function writeWorkflowBundle(workflowsPath: string, outFile: string = PREBUILT_BUNDLE): Promise<{ bytes: number }> {
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, code);
  return { bytes: Buffer.byteLength(code) };
}
