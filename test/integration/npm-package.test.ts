// The npm package: `npm pack` of this checkout, installed with `npm install -g --prefix` into a
// temporary prefix from a directory outside the repository, gives a `ramp` that runs compiled
// JavaScript only (no tsx, no TypeScript sources): --version, validate, and a worker that reaches
// /readyz against the run's Temporal dev server. scripts/test.ts builds dist/ before integration
// tests, so the pack here skips `prepare` (--ignore-scripts) rather than rebuild dist/ under the
// other tests' feet; `npm pack` alone runs the build itself (scripts/prepare.mjs).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import axios from 'axios';
import { freePort, runChecked, run } from '../../scripts/lib/proc.js';
import { PROJECT_ROOT } from '../../scripts/lib/tools.js';
import { killOnExit } from '../harness/reaper.js';
import { getTestEnv, uniqueTaskQueue } from '../harness/temporal.js';
import { waitFor } from '../support/wait.js';

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

/** The child's environment: no tsx loader, no repository binaries on PATH. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  env.PATH = (env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.startsWith(PROJECT_ROOT))
    .join(path.delimiter);
  return env;
}

/** Every file under `dir` (relative paths), without following symbolic links. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('npm package (npm pack, npm install -g)', () => {
  let work: string;
  let prefix: string;
  let ramp: string;
  let installed: string;
  let pack: PackResult;

  before(async () => {
    await stat(path.join(PROJECT_ROOT, 'dist/cli/bundle/ramp.js')).catch(() =>
      assert.fail('dist/ is not built: run the test through scripts/test.ts (it builds) or run `npm run build` first'),
    );
    work = await mkdtemp(path.join(tmpdir(), 'ramp-npm-package-'));
    prefix = path.join(work, 'prefix');
    const packStarted = performance.now();
    const packed = await runChecked('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      cwd: PROJECT_ROOT,
      env: cleanEnv(),
      timeoutMs: 300_000,
    });
    const [result] = JSON.parse(packed.stdout) as PackResult[];
    assert.ok(result, `npm pack --json printed no package:\n${packed.stdout}`);
    pack = result;
    const packSeconds = (performance.now() - packStarted) / 1000;
    const installStarted = performance.now();
    // From outside the repository, as a user would; from npm's cache when it has everything.
    await runChecked('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(work, pack.filename)], {
      cwd: work,
      env: cleanEnv(),
      timeoutMs: 600_000,
    });
    const installSeconds = (performance.now() - installStarted) / 1000;
    process.stderr.write(
      `npm package: ${pack.filename} ${(pack.size / 1024).toFixed(0)} KiB packed, ${(pack.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${pack.entryCount} files; pack ${packSeconds.toFixed(1)} s, install ${installSeconds.toFixed(1)} s\n`,
    );
    ramp = path.join(prefix, 'bin', 'ramp');
    installed = path.join(prefix, 'lib', 'node_modules', 'ramp');
  });

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('the tarball holds the bin, the compiled code and the prebuilt workflow bundle, and no sources', () => {
    const files = pack.files.map((f) => f.path);
    for (const needed of [
      'package.json',
      'scripts/prepare.mjs',
      'README.md',
      'bin/ramp.js',
      'dist/cli/bundle/ramp.js',
      'dist/workflow-bundle.js',
      'dist/worker/run.js',
      'dist/worker/main.js',
      'dist/server/run.js',
      'dist/ui/ramp.js',
    ]) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    const sources = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    assert.deepEqual(sources, [], 'no TypeScript sources');
    const outside = files.filter((f) => !/^(bin\/ramp\.js|dist\/|docs\/schemas\/|scripts\/prepare\.mjs$|package\.json$|README\.md$)/.test(f));
    assert.deepEqual(outside, [], 'nothing but bin/, dist/, docs/schemas/, scripts/prepare.mjs, package.json and README.md');
    assert.ok(!files.some((f) => f.endsWith('.map') || f.endsWith('.tsbuildinfo')), 'no source maps or build info');
  });

  test('installs with runtime dependencies only: no tsx, no TypeScript', async () => {
    const deps = await readdir(path.join(installed, 'node_modules'));
    for (const dev of ['tsx', 'typescript', 'esbuild', 'eslint', '@temporalio']) {
      if (dev === '@temporalio') {
        assert.ok(deps.includes(dev), 'the Temporal SDK is installed');
        assert.ok(!(await readdir(path.join(installed, 'node_modules', dev))).includes('testing'), '@temporalio/testing (dev) is not');
      } else {
        assert.ok(!deps.includes(dev), `${dev} (a development dependency) is not installed`);
      }
    }
    const own = (await listFiles(installed)).filter((f) => !f.startsWith('node_modules'));
    assert.ok(!own.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), 'the installed package has no TypeScript sources');
  });

  test('ramp --version runs the compiled CLI', async () => {
    const r = await runChecked(ramp, ['--version'], { cwd: work, env: cleanEnv(), timeoutMs: 60_000 });
    assert.match(r.stdout, /0\.1\.0/);
    assert.doesNotMatch(r.stderr, /tsx|TypeScript sources/, 'no tsx fallback');
  });

  test('ramp validate checks a pipeline file outside the repository', async () => {
    const file = path.join(work, 'web.yaml');
    await copyFile(path.join(PROJECT_ROOT, 'pipelines/web.yaml'), file);
    const ok = await run(ramp, ['validate', file], { cwd: work, env: cleanEnv(), timeoutMs: 60_000 });
    assert.equal(ok.code, 0, `ramp validate exit 0:\n${ok.stdout}${ok.stderr}`);
    assert.doesNotMatch(ok.stderr, /tsx/);
    const broken = path.join(work, 'broken.yaml');
    await copyFile(path.join(PROJECT_ROOT, 'package.json'), broken);
    const bad = await run(ramp, ['validate', broken], { cwd: work, env: cleanEnv(), timeoutMs: 60_000 });
    assert.equal(bad.code, 1, `an invalid file exits 1:\n${bad.stdout}${bad.stderr}`);
  });

  test('ramp worker loads the prebuilt workflow bundle and reaches /readyz', async () => {
    const env: TestWorkflowEnvironment = await getTestEnv();
    const health = `127.0.0.1:${await freePort()}`;
    const child = spawn(ramp, ['worker'], {
      cwd: work,
      env: cleanEnv({
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: 'default',
        RAMP_TASK_QUEUE: uniqueTaskQueue('npm-package'),
        RAMP_WORKER_HEALTH_ADDR: health,
        RAMP_CACHE_DIR: path.join(work, 'cache'),
        RAMP_LOG_LEVEL: 'INFO',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(child);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    try {
      await waitFor(
        () => axios.get(`http://${health}/readyz`, { validateStatus: () => true, timeout: 5_000 }),
        (res) => res.status === 200,
        `the installed worker's /readyz (output so far:\n${output.slice(-2000)})`,
        120_000,
      );
      assert.match(output, /ramp worker started/);
      assert.match(output, /prebuilt dist\/workflow-bundle\.js/, 'the worker loads the prebuilt bundle, no bundling at start');
      assert.doesNotMatch(output, /tsx|bundling the workflows from source/);
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0, `worker exits 0 on SIGTERM:\n${output.slice(-2000)}`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await env.teardown();
    }
  });
});
