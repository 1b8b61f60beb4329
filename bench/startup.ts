/**
 * `npm run bench:startup` (also the second half of `npm run bench`): how fast ramp's processes
 * start, the shipped way (compiled JavaScript, prebuilt workflow bundle) next to the way they
 * started before (TypeScript through tsx, workflows bundled at every worker start), in one run:
 *
 * 1. worker ready time: from spawning the worker to its /readyz answering 200 (it polls), median
 *    of several starts per variant, started in turn (A B C A B C ...) on a real dev server;
 * 2. CLI latency: `ramp status --help` wall time, as a ratio against the Temporal CLI's
 *    `temporal workflow list --help` in the same rounds (the machine is shared: ratios per round).
 *
 *   npx tsx bench/startup.ts [--runs N] [--cli-runs N]
 * Builds first (`npm run build`) when dist/ is missing or older than the sources.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDevServer } from '../scripts/lib/dev-server.js';
import { freePort, run, sleep } from '../scripts/lib/proc.js';
import { ensureTemporalCli } from '../scripts/lib/tools.js';
import { ensureBuild } from './build.js';
import { median, round } from './stats.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const node = process.execPath;
const tsx = ['--import', 'tsx'];
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'cli-runs': { type: 'string', default: '10' } } });
const WORKER_RUNS = Number(values.runs);
const CLI_RUNS = Number(values['cli-runs']);

interface Variant {
  name: string;
  argv: string[];
}

/** The three ways a worker starts; the last is how `ramp worker` started before (tsx + bundling). */
const WORKER_VARIANTS: Variant[] = [
  { name: 'ramp worker (compiled, prebuilt bundle)', argv: [path.join(ROOT, 'bin/ramp.js'), 'worker'] },
  { name: 'node dist/worker/main.js (the image)', argv: [path.join(ROOT, 'dist/worker/main.js')] },
  { name: 'before: tsx, bundled at start', argv: [...tsx, path.join(ROOT, 'bench/worker-bundling-at-start.ts')] },
];

const CLI_VARIANTS: Variant[] = [
  { name: 'ramp status --help (compiled, one file)', argv: [path.join(ROOT, 'bin/ramp.js'), 'status', '--help'] },
  { name: 'compiled, unbundled modules', argv: [path.join(ROOT, 'bench/ramp-unbundled.js'), 'status', '--help'] },
  { name: 'before: ramp status --help (tsx)', argv: [path.join(ROOT, 'bench/ramp-through-tsx.js'), 'status', '--help'] },
];

/** The worker being measured, for an interrupted run's cleanup. */
let current: ReturnType<typeof spawn> | undefined;

/** ms from spawn to /readyz 200; then SIGTERM and wait for the exit. */
async function workerReadyMs(variant: Variant, address: string, taskQueue: string): Promise<number> {
  const health = `127.0.0.1:${await freePort()}`;
  const started = performance.now();
  const child = spawn(node, variant.argv, {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: address, RAMP_TASK_QUEUE: taskQueue, RAMP_WORKER_HEALTH_ADDR: health, RAMP_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  current = child;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    for (;;) {
      if (gone) throw new Error(`${variant.name} exited before it was ready:\n${stderr}`);
      if (performance.now() - started > 300_000) throw new Error(`${variant.name} not ready after 300 s:\n${stderr}`);
      const ready = await fetch(`http://${health}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) return performance.now() - started;
      await sleep(20);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Wall ms of one whole command. */
async function wallMs(argv0: string, argv: string[]): Promise<number> {
  const started = performance.now();
  const result = await run(argv0, argv, { cwd: ROOT });
  if (result.code !== 0) throw new Error(`${argv0} ${argv.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return performance.now() - started;
}

const summary = (samples: number[]) => ({
  msMedian: round(median(samples)),
  msMin: round(Math.min(...samples)),
  msMax: round(Math.max(...samples)),
  runs: samples.length,
});

await ensureBuild();
const temporal = (await ensureTemporalCli()).path;
const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-bench-startup-'));
const server = await startDevServer({ temporal, logFile: path.join(dir, 'temporal.log') });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    current?.kill('SIGKILL');
    void server.stop().finally(() => process.exit(130));
  });
}
try {
  // 1. Worker ready time, variants in turn so that the machine's drift hits each alike.
  const ready = new Map<string, number[]>(WORKER_VARIANTS.map((v) => [v.name, []]));
  for (let i = 1; i <= WORKER_RUNS; i++) {
    for (const variant of WORKER_VARIANTS) {
      process.stdout.write(`\rworker start ${i}/${WORKER_RUNS}: ${variant.name.padEnd(42)}`);
      ready.get(variant.name)!.push(await workerReadyMs(variant, server.address, `bench-startup-${i}`));
    }
  }
  process.stdout.write('\n');

  // 2. CLI latency against the Temporal CLI, round by round.
  const cli = new Map<string, number[]>([...CLI_VARIANTS.map((v) => [v.name, []] as [string, number[]]), ['temporal workflow list --help', []]]);
  const ratios = new Map<string, number[]>(CLI_VARIANTS.map((v) => [v.name, []]));
  for (let i = 1; i <= CLI_RUNS; i++) {
    process.stdout.write(`\rCLI round ${i}/${CLI_RUNS} `);
    const yardstick = await wallMs(temporal, ['workflow', 'list', '--help']);
    cli.get('temporal workflow list --help')!.push(yardstick);
    for (const variant of CLI_VARIANTS) {
      const ms = await wallMs(node, variant.argv);
      cli.get(variant.name)!.push(ms);
      ratios.get(variant.name)!.push(ms / yardstick);
    }
  }
  process.stdout.write('\n');

  const record = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage1m: round(os.loadavg()[0]!),
    workerReady: Object.fromEntries([...ready].map(([name, samples]) => [name, summary(samples)])),
    cli: Object.fromEntries([...cli].map(([name, samples]) => [name, summary(samples)])),
    cliRatioToTemporal: Object.fromEntries([...ratios].map(([name, samples]) => [name, Math.round(median(samples) * 10) / 10])),
  };
  await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
  const file = path.join(ROOT, 'bench/results', `startup-${record.date.slice(0, 19).replaceAll(':', '-')}.json`);
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  const line = (name: string, s: ReturnType<typeof summary>) =>
    `  ${name.padEnd(44)} median ${(s.msMedian / 1000).toFixed(2)} s  (min ${(s.msMin / 1000).toFixed(2)}, max ${(s.msMax / 1000).toFixed(2)}, ${s.runs} runs)`;
  console.log(`
worker ready (spawn → /readyz 200), load average ${record.loadAverage1m} on ${record.cpus} cores:
${Object.entries(record.workerReady)
  .map(([name, s]) => line(name, s))
  .join('\n')}
CLI wall time, and its ratio to the Temporal CLI in the same rounds (median of per-round ratios):
${Object.entries(record.cli)
  .map(([name, s]) => `${line(name, s)}${record.cliRatioToTemporal[name] !== undefined ? `  ${record.cliRatioToTemporal[name]}× temporal` : ''}`)
  .join('\n')}
saved ${path.relative(ROOT, file)}`);
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
