/**
 * GET /assets/ramp.js: the web UI's islands (ui/ramp.ts and what it imports: live updates and the
 * action forms), one ES module for the browser. `npm run build` bundles it into dist/ui/ramp.js
 * (scripts/build.ts), which compiled ramp serves; ramp running from its TypeScript sources (`npm
 * start`, the tests, bin/ramp.js in a changed checkout) bundles ui/ramp.ts with esbuild at the
 * first request instead, once per process. Served with an ETag (its content's hash) and
 * `Cache-Control: no-cache`: browsers keep it and ask again cheaply (304), so an upgrade is seen
 * at once although the name stays the same.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import type { Hono } from 'hono';
import type { AppEnv } from '../context.js';
import { PAGE_HEADERS } from './routes.js';

export const CLIENT_SCRIPT_PATH = '/assets/ramp.js';

/** Whether this module runs compiled (dist/server/ui/assets.js, or inside dist/cli/bundle/ramp.js) or from source. */
const COMPILED = import.meta.url.endsWith('.js');
/** Two levels up: the package root from server/ui/, dist/ from dist/server/ui/ and from dist/cli/bundle/. */
const ROOT = new URL('../../', import.meta.url);
/** The islands' entry point (TypeScript source). */
export const CLIENT_ENTRY = fileURLToPath(new URL('ui/ramp.ts', ROOT));
/** Where `npm run build` writes the bundle, relative to dist/. */
export const CLIENT_BUNDLE_IN_DIST = 'ui/ramp.js';

/** How the islands are bundled, by `npm run build` and at run time alike. */
export const CLIENT_BUILD_OPTIONS = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // Browsers of the last few years: EventSource, fetch, <template>, optional chaining.
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptions;

interface Asset {
  body: string;
  etag: string;
}

let cached: Promise<Asset> | undefined;

/** The script and its ETag: the built file when compiled, else bundled from source now (once). */
export function clientScript(): Promise<Asset> {
  cached ??= (COMPILED ? readBuilt() : bundleFromSource()).then(
    (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` }),
    (error: unknown) => {
      cached = undefined; // the next request tries again
      throw error;
    },
  );
  return cached;
}

async function readBuilt(): Promise<string> {
  const file = fileURLToPath(new URL(CLIENT_BUNDLE_IN_DIST, ROOT));
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(
      `reading the web UI's script ${file} failed (${error instanceof Error ? error.message : String(error)}): this build of ramp is incomplete; run \`npm run build\` again`,
      { cause: error },
    );
  }
}

async function bundleFromSource(): Promise<string> {
  // A development dependency, loaded only when running from source (a compiled ramp never needs it).
  const esbuild = await import('esbuild');
  try {
    const result = await esbuild.build({ ...CLIENT_BUILD_OPTIONS, entryPoints: [CLIENT_ENTRY], write: false, outfile: 'ramp.js' });
    const file = result.outputFiles[0];
    if (!file) throw new Error('esbuild wrote no file');
    return file.text;
  } catch (error) {
    throw new Error(
      `bundling the web UI's script from ${CLIENT_ENTRY} failed: ${error instanceof Error ? error.message : String(error)}; fix ui/ (npx tsc -p ui)`,
      {
        cause: error,
      },
    );
  }
}

export function assetRoutes(app: Hono<AppEnv>): void {
  app.get(CLIENT_SCRIPT_PATH, async (c) => {
    const { body, etag } = await clientScript();
    for (const [name, value] of Object.entries(PAGE_HEADERS)) c.header(name, value);
    c.header('Cache-Control', 'no-cache');
    c.header('ETag', etag);
    const wanted = c.req.header('if-none-match');
    if (wanted && wanted.split(',').some((tag) => tag.trim() === etag)) return c.body(null, 304);
    return c.body(body, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
  });
}
