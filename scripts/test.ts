// `npm test`: type-check and lint, provision the tools, start ONE Temporal dev server, and run the
// test files with node's test runner against it. Nothing is left running afterwards.
//
//   tsx scripts/test.ts                      everything under test/
//   tsx scripts/test.ts --unit               only test/unit/, no tools, no server
//   tsx scripts/test.ts test/integration/git.test.ts test/integration   only these files / folders
//   tsx scripts/test.ts test/kube            the Kubernetes tests (npm run test:kube)
//   tsx scripts/test.ts test/cluster         the cluster suite (npm run test:cluster): each file starts its
//                                            own Temporal cluster on PostgreSQL (part of every full run)
//   --no-check                               skip tsc and eslint (quick iteration)
//
// When any selected file is under test/kube/, one Kubernetes control plane is started for the
// run too (built from Go modules on first use: scripts/kube/build.sh, ~9 min cold, cached).
// When any is under test/cluster/, the Temporal server and PostgreSQL are provisioned before the
// tests start (the server built from Go modules on first use: scripts/temporal/build.sh, ~18 min
// cold, cached), so that no build runs beside a test.
//   --test-*                                 passed to node (e.g. --test-name-pattern=prometheus)
//
// When any selected file imports test/harness/browser.ts, chromium is provisioned first (once,
// apt-get as root on first use) and handed to the tests as RAMP_CHROMIUM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, type DevServer } from './lib/dev-server.js';
import { ensureKubeBinaries, type KubeControlPlane } from './lib/kube.js';
import { ensurePostgres } from './lib/postgres.js';
import { ensureTemporalServer } from './lib/temporal-server.js';
import { startTestCluster, testClusterEnv } from './lib/kube-test-cluster.js';
import { run } from './lib/proc.js';
import { describe, ensureChromium, ensureTools, PROJECT_ROOT, toolsEnv } from './lib/tools.js';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const skipChecks = args.includes('--no-check');
const nodeTestFlags = args.filter((a) => a.startsWith('--test-'));
const positional = args.filter((a) => !a.startsWith('--'));
const unknown = args.filter((a) => a.startsWith('--') && !a.startsWith('--test-') && !['--unit', '--no-check'].includes(a));
if (unknown.length > 0) {
  console.error(`unknown option(s): ${unknown.join(' ')}`);
  process.exit(2);
}

const rel = (p: string): string => path.relative(PROJECT_ROOT, p);
const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const log = (line: string): void => console.log(`[test] ${line}`);

// --- cleanup that also runs on SIGINT/SIGTERM

let server: DevServer | undefined;
let kube: KubeControlPlane | undefined;
let runner: ChildProcess | undefined;
let runDir: string | undefined;
let keepRunDir = false;
let interrupted = false;

async function cleanup(): Promise<void> {
  if (runner && runner.exitCode === null && runner.signalCode === null) runner.kill('SIGTERM');
  if (server) {
    await server.stop();
    server = undefined;
  }
  if (kube) {
    await kube.stop();
    kube = undefined;
  }
  if (runDir && !keepRunDir) await rm(runDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping the tests and the dev server`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

// --- steps

async function checks(): Promise<void> {
  const started = performance.now();
  const bin = (name: string): string => path.join(PROJECT_ROOT, 'node_modules', '.bin', name);
  const [tsc, tscUi, eslint, prettier] = await Promise.all([
    run(bin('tsc'), ['--noEmit', '-p', '.'], { cwd: PROJECT_ROOT }),
    // The browser's code (ui/) has its own tsconfig: the DOM, not Node.
    run(bin('tsc'), ['--noEmit', '-p', 'ui'], { cwd: PROJECT_ROOT }),
    run(bin('eslint'), ['.'], { cwd: PROJECT_ROOT }),
    run(bin('prettier'), ['--check', '--log-level=warn', '**/*.{ts,mjs,js}'], { cwd: PROJECT_ROOT }),
  ]);
  let failed = false;
  for (const [name, r] of [
    ['tsc --noEmit -p .', tsc],
    ['tsc --noEmit -p ui', tscUi],
    ['eslint .', eslint],
    ['prettier --check (npm run format fixes it)', prettier],
  ] as const) {
    if (r.code !== 0) {
      failed = true;
      console.error(`[test] ${name} failed:\n${r.stdout}${r.stderr}`);
    }
  }
  if (failed) process.exit(1);
  log(`tsc (server and ui), eslint and prettier passed (${seconds(started)})`);
}

async function testFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !f.split(path.sep).includes('node_modules'));
}

async function selectFiles(): Promise<string[]> {
  if (positional.length === 0) return testFilesUnder(path.join(PROJECT_ROOT, unitOnly ? 'test/unit' : 'test'));
  const files: string[] = [];
  for (const arg of positional) {
    const abs = path.resolve(arg);
    const st = await stat(abs).catch(() => undefined);
    if (!st) {
      console.error(`[test] no such test file or folder: ${arg}`);
      process.exit(2);
    }
    files.push(...(st.isDirectory() ? await testFilesUnder(abs) : [abs]));
  }
  const unitDir = path.join(PROJECT_ROOT, 'test', 'unit') + path.sep;
  return unitOnly ? files.filter((f) => f.startsWith(unitDir)) : files;
}

const BROWSER_HARNESS = path.join(PROJECT_ROOT, 'test', 'harness', 'browser.ts');

/** Does `file` import test/harness/browser.ts directly? (An indirect import still works: the harness provisions chromium itself, only later.) */
async function usesBrowser(file: string): Promise<boolean> {
  const source = await readFile(file, 'utf8');
  return [...source.matchAll(/from\s+['"](\.{1,2}\/[^'"]*)['"]/g)].some(
    (m) => path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')) === BROWSER_HARNESS,
  );
}

function runTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const nodeArgs = ['--import', 'tsx', '--test', '--test-concurrency=2', ...nodeTestFlags, ...files];
  return new Promise((resolve, reject) => {
    runner = spawn(process.execPath, nodeArgs, { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
    runner.once('error', reject);
    runner.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const started = performance.now();
  if (!skipChecks) await checks();

  const files = [...new Set(await selectFiles())].sort();
  if (files.length === 0) {
    log(positional.length > 0 ? 'no test files matched' : `no test files under ${unitOnly ? 'test/unit' : 'test'}`);
    return positional.length > 0 ? 1 : 0;
  }
  const unitDir = path.join(PROJECT_ROOT, 'test', 'unit') + path.sep;
  const clusterDir = path.join(PROJECT_ROOT, 'test', 'cluster') + path.sep;
  // Cluster tests start a Temporal cluster of their own (scripts/lib/temporal-server.ts), not the dev server.
  const needsStack = !unitOnly && files.some((f) => !f.startsWith(unitDir) && !f.startsWith(clusterDir));
  // Tests that run `bin/ramp.js` or a worker process (test/cli, e2e, integration) run what ships:
  // dist/, built from these sources. Workflow, replay and kube tests bundle from source.
  const needsBuild =
    !unitOnly && files.some((f) => ['cli', 'e2e', 'integration', 'cluster'].some((d) => f.startsWith(path.join(PROJECT_ROOT, 'test', d) + path.sep)));
  if (needsBuild) {
    const t = performance.now();
    const build = await run(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'build.ts')], { cwd: PROJECT_ROOT });
    if (build.code !== 0) {
      console.error(build.stdout + build.stderr);
      log('npm run build failed (above): the tests run what ships, so nothing was run');
      return 1;
    }
    log(`built dist/ in ${seconds(t)}`);
  }

  const env: NodeJS.ProcessEnv = { ...process.env };
  if (needsStack) {
    const t = performance.now();
    const tools = await ensureTools({ print: (line) => log(line) });
    Object.assign(env, toolsEnv(tools));
    runDir = await mkdtemp(path.join(os.tmpdir(), 'ramp-test-'));
    const s = performance.now();
    server = await startDevServer({ temporal: tools.temporal, logFile: path.join(runDir, 'temporal.log') });
    env.RAMP_TEST_TEMPORAL_ADDRESS = server.address;
    log(`tools ready; Temporal dev server at ${server.address} (pid ${server.pid}, healthy after ${seconds(s)}; setup ${seconds(t)})`);
  }

  if (!unitOnly && (await Promise.all(files.map(usesBrowser))).some(Boolean)) {
    const chromium = await ensureChromium({ log: (line) => log(line) });
    log(describe(chromium, 'chromium'));
    env.RAMP_CHROMIUM = chromium.path;
  }

  const kubeDir = path.join(PROJECT_ROOT, 'test', 'kube') + path.sep;
  if (!unitOnly && files.some((f) => f.startsWith(kubeDir))) {
    const t = performance.now();
    const binaries = await ensureKubeBinaries({ log: (line) => log(line) });
    const started = await startTestCluster({ binaries, dir: path.join(runDir ?? os.tmpdir(), 'kube') });
    kube = started.plane;
    Object.assign(env, testClusterEnv(started.cluster));
    log(`Kubernetes control plane at ${kube.server} (ready after ${seconds(t)}; CRDs installed, worker bound to deploy/rbac/clusterrole.yaml)`);
  }

  if (!unitOnly && files.some((f) => f.startsWith(clusterDir))) {
    const t = performance.now();
    const server = await ensureTemporalServer({ log: (line) => log(line) });
    const postgres = await ensurePostgres({ log: (line) => log(line) });
    log(`Temporal server (${server.dir}) and ${postgres.version} for test/cluster (ready after ${seconds(t)})`);
  }

  log(`running ${files.length} test file(s): ${files.map(rel).join(' ')}`);
  const code = await runTests(files, env);
  if (interrupted) return new Promise<number>(() => {}); // the signal handler exits
  if (code !== 0 && server) {
    keepRunDir = true;
    log(`tests failed (exit ${code}); dev server log kept at ${server.logFile}`);
  }
  log(`done in ${seconds(started)}, exit ${code}`);
  return code;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  console.error('[test]', err);
} finally {
  await cleanup();
}
process.exit(exitCode);
