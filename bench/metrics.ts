/**
 * `npm run bench:metrics`: what a scrape of the worker's /metrics costs (docs/metrics.md), on a
 * real Temporal dev server, a real `ramp worker` process (compiled: bin/ramp.js) started with
 * RAMP_METRICS_ADDRESS, and a real GitOps remote:
 *
 * 1. `--parked` promotions (50) are parked at a mid-canary approval gate (setWeight 10, then
 *    approval), each of its own pipeline and environment folder, so that each running stage has
 *    a weight to query; the bench waits until visibility shows them all AwaitingApproval;
 * 2. `--cold` rounds (6), 11 s apart so that the visibility gauges' 10 s cache has expired: the
 *    first scrape of a round refreshes the gauges (one visibility list, one `stageStatus` query
 *    per running stage, 8 at a time), then `--cached` scrapes (30, spread over the rounds) are
 *    served from the cache. Next to each, in the same rounds and in alternating order, the
 *    baseline: Temporal Core's own exposition alone, fetched straight from the loopback port
 *    the worker gave Core (found in /proc, bench/listening-ports.ts; the worker does not print
 *    it). The same visibility reads from this process (a fresh VisibilityCollector per round,
 *    the shipped class) show how much of a refresh is Temporal's answer.
 *
 * Also the exposition's size and series, and the worker's resident memory. Results are printed
 * and saved as JSON in bench/results/.
 *
 *   npx tsx bench/metrics.ts [--parked 50] [--cold 6] [--cached 30]
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { EXAMPLE_GITOPS_DIR, seedRepository } from '../dev/seed-repository.js';
import { startDevServer, type DevServer } from '../scripts/lib/dev-server.js';
import { freePort, sleep } from '../scripts/lib/proc.js';
import { ensureTemporalCli } from '../scripts/lib/tools.js';
import { loadPipelineSource } from '../src/schema/load.js';
import { VisibilityCollector } from '../src/observability/visibility-collector.js';
import { promotionWorkflowId } from '../workflows/messages.js';
import { ensureBuild } from './build.js';
import { processListeningPorts } from './listening-ports.js';
import { benchPipelineYaml } from './pipeline.js';
import { ready, rssMiB, spawnLogged, stopChild } from './server-stack.js';
import { median, round, latencySummary, positiveFlag, type LatencySummary } from './stats.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TASK_QUEUE = 'bench-metrics';
const VERSION = '2.0.0';
/** The visibility gauges' cache (src/observability/visibility-collector.ts ttlMs) and a margin. */
const CACHE_MS = 10_000;
const COLD_SPACING_MS = CACHE_MS + 1_000;
const PARK_DEADLINE_MS = 240_000;

const { values } = parseArgs({
  options: {
    parked: { type: 'string', default: '50' },
    cold: { type: 'string', default: '6' },
    cached: { type: 'string', default: '30' },
  },
});
const positive = (flag: keyof typeof values): number => positiveFlag(values, flag);
const PARKED = positive('parked');
const COLD = positive('cold');
const CACHED = positive('cached');

const summary = latencySummary;
type Summary = LatencySummary;

interface Scrape {
  ms: number;
  body: string;
}

async function timedFetch(url: string): Promise<Scrape> {
  const t0 = performance.now();
  const response = await fetch(url);
  const body = await response.text();
  const ms = performance.now() - t0;
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${body.slice(0, 300)}`);
  return { ms, body };
}

/** Series (sample lines) of an exposition, by family prefix. */
function series(body: string) {
  const samples = body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  const temporal = samples.filter((line) => line.startsWith('temporal_')).length;
  return { total: samples.length, ramp: samples.length - temporal, temporal };
}

/** The samples of one family, e.g. ramp_canary_weight{pipeline="x",stage="staging"} 10 → value. */
function family(body: string, name: string): number[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
}

/** The pipeline of parked promotion `i`: its own environment folder, a canary at 10 % waiting for approval. */
function pipelineYaml(i: number, url: string): string {
  const yaml = benchPipelineYaml(`bench-metrics-${i}`, url, ['setWeight: 10', 'approval: { approvers: [group:release-managers] }']);
  const own = yaml.replace('path: envs/staging', `path: envs/bench-${i}`);
  if (own === yaml) throw new Error("bench/pipeline.ts no longer writes 'path: envs/staging': update bench/metrics.ts pipelineYaml");
  return own;
}

/** A bare repository with one environment folder per parked promotion (copies of examples/gitops/envs/staging). */
async function seedEnvironments(dir: string): Promise<string> {
  const seed = path.join(dir, 'seed');
  for (let i = 1; i <= PARKED; i++) await cp(path.join(EXAMPLE_GITOPS_DIR, 'envs/staging'), path.join(seed, `envs/bench-${i}`), { recursive: true });
  const { url } = await seedRepository(path.join(dir, 'gitops.git'), { seedDir: seed, message: `Seed ${PARKED} bench environments` });
  await rm(seed, { recursive: true, force: true });
  return url;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, everyMs: number, deadlineMs: number): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() - started > deadlineMs) throw new Error(`${what}: not after ${deadlineMs / 1000} s (see the worker's log)`);
    await sleep(everyMs);
  }
}

/** Starts the parked promotions and waits until visibility shows every stage AwaitingApproval. */
async function park(client: Client, url: string): Promise<number> {
  const t0 = performance.now();
  for (let i = 1; i <= PARKED; i++) {
    const loaded = loadPipelineSource(pipelineYaml(i, url), `bench-metrics-${i}.yaml`);
    if (!loaded.ok) throw new Error(`the bench pipeline does not load: ${loaded.errors.map((e) => e.message).join('; ')}`);
    const spec = loaded.spec;
    await client.workflow.start('promotionWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: promotionWorkflowId(spec.name, VERSION),
      args: [{ apiVersion: 'ramp/v1', pipeline: spec, version: VERSION, requestedBy: 'bench', kind: 'promote' }],
    });
  }
  const query = 'ExecutionStatus = "Running" AND RampKind = "stage" AND RampPhase = "AwaitingApproval"';
  let last = -1;
  await until(
    `${PARKED} stages to await approval`,
    async () => {
      const { count } = await client.workflow.count(query);
      if (count !== last) process.stdout.write(`\rparking ${PARKED} promotions at their approval gate: ${count}/${PARKED} `);
      last = count;
      return count >= PARKED || undefined;
    },
    500,
    PARK_DEADLINE_MS,
  );
  process.stdout.write('\n');
  return performance.now() - t0;
}

/** Core's loopback exporter: the worker's listening port that is neither its health nor its /metrics and serves temporal_*. */
async function coreMetricsUrl(workerPid: number, known: number[]): Promise<string> {
  const ports = (await processListeningPorts(workerPid)).filter((p) => !known.includes(p));
  for (const port of ports) {
    const url = `http://127.0.0.1:${port}/metrics`;
    const body = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => (r.ok ? r.text() : ''),
      () => '',
    );
    if (/^temporal_/m.test(body)) return url;
  }
  throw new Error(
    `no listening port of the worker (pid ${workerPid}) serves Temporal Core's metrics; ports besides health and /metrics: ${ports.join(', ') || 'none'}`,
  );
}

interface Rounds {
  cold: number[];
  coldCore: number[];
  cached: number[];
  cachedCore: number[];
  coldRatio: number[];
  cachedRatio: number[];
  visibilityReads: number[];
  bytes: { cold: number[]; cached: number[]; core: number[] };
  series: ReturnType<typeof series>;
}

/** The scrape and Core's alone, in turn (`coreFirst`): returns both. */
async function pair(metricsUrl: string, coreUrl: string, coreFirst: boolean): Promise<[Scrape, Scrape]> {
  if (coreFirst) {
    const core = await timedFetch(coreUrl);
    return [await timedFetch(metricsUrl), core];
  }
  const scrape = await timedFetch(metricsUrl);
  return [scrape, await timedFetch(coreUrl)];
}

function checkGauges(body: string, when: string): void {
  const weights = family(body, 'ramp_canary_weight');
  if (weights.length !== PARKED || weights.some((w) => w !== 10)) {
    throw new Error(
      `${when}: ramp_canary_weight has ${weights.length} series (${[...new Set(weights)].join(', ')}), not ${PARKED} at 10: the refresh did not query every stage`,
    );
  }
}

async function measure(client: Client, metricsUrl: string, coreUrl: string): Promise<Rounds> {
  const out: Rounds = {
    cold: [],
    coldCore: [],
    cached: [],
    cachedCore: [],
    coldRatio: [],
    cachedRatio: [],
    visibilityReads: [],
    bytes: { cold: [], cached: [], core: [] },
    series: { total: 0, ramp: 0, temporal: 0 },
  };
  // The first scrape connects the worker's client and fills the cache: not measured.
  // (A refresh longer than the scrape's 5 s wait serves the last values: ask again until it is in.)
  await until(
    `the worker's /metrics to show ${PARKED} canary weights`,
    async () => (family((await timedFetch(metricsUrl)).body, 'ramp_canary_weight').length === PARKED ? true : undefined),
    1_000,
    60_000,
  );
  let refreshed = performance.now();
  const perRound = Math.ceil(CACHED / COLD);
  for (let r = 0; r < COLD; r++) {
    process.stdout.write(`\rscrapes: round ${r + 1}/${COLD} (waiting for the gauges' cache to expire) `);
    await sleep(Math.max(0, refreshed + COLD_SPACING_MS - performance.now()));
    // Core's exposition alone does not touch the gauges' cache: the ramp scrape is the round's first either way.
    const [cold, coldCore] = await pair(metricsUrl, coreUrl, r % 2 === 1);
    refreshed = performance.now();
    checkGauges(cold.body, `the refreshing scrape of round ${r + 1}`);
    out.cold.push(cold.ms);
    out.coldCore.push(coldCore.ms);
    out.coldRatio.push(cold.ms / coldCore.ms);
    out.bytes.cold.push(Buffer.byteLength(cold.body));
    out.bytes.core.push(Buffer.byteLength(coldCore.body));
    out.series = series(cold.body);
    for (let k = 0; k < perRound && out.cached.length < CACHED; k++) {
      const [cached, core] = await pair(metricsUrl, coreUrl, k % 2 === 0);
      out.cached.push(cached.ms);
      out.cachedCore.push(core.ms);
      out.cachedRatio.push(cached.ms / core.ms);
      out.bytes.cached.push(Buffer.byteLength(cached.body));
      out.bytes.core.push(Buffer.byteLength(core.body));
    }
    if (performance.now() - refreshed >= CACHE_MS)
      throw new Error(`round ${r + 1}: the cached scrapes outlasted the gauges' ${CACHE_MS / 1000} s cache; lower --cached`);
    // The same Temporal reads from this process: a fresh collector (the shipped class) refreshes at once.
    const t0 = performance.now();
    const values = await new VisibilityCollector(
      () => Promise.resolve(client),
      (message) => process.stdout.write(`\n${message}\n`),
      { scrapeWaitMs: 60_000 },
    ).values();
    out.visibilityReads.push(performance.now() - t0);
    if (values.ramp_canary_weight.length !== PARKED)
      throw new Error(`round ${r + 1}: the bench's own visibility read found ${values.ramp_canary_weight.length} weights, not ${PARKED}`);
  }
  process.stdout.write('\n');
  return out;
}

await ensureBuild();
const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-bench-metrics-'));
let temporal: DevServer | undefined;
let worker: ChildProcess | undefined;
let connection: Connection | undefined;
let stopping: Promise<void> | undefined;
process.on('exit', () => {
  if (temporal === undefined) return;
  try {
    process.kill(temporal.pid, 'SIGKILL');
  } catch {
    // already gone
  }
});
/** Stops the worker and Temporal and removes the scratch directory, once (a signal or the end of the run). */
const shutdown = (): Promise<void> =>
  (stopping ??= (async () => {
    await connection?.close().catch(() => {});
    if (worker) await stopChild(worker);
    await temporal?.stop();
    temporal = undefined;
    await rm(dir, { recursive: true, force: true });
  })());
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stdout.write(`\n${signal}: stopping ramp worker and Temporal ...\n`);
    void shutdown().finally(() => process.exit(130));
  });
}
try {
  process.stdout.write('starting Temporal and ramp worker (RAMP_METRICS_ADDRESS) ... ');
  temporal = await startDevServer({ temporal: (await ensureTemporalCli()).path, logFile: path.join(dir, 'temporal.log') });
  const repoUrl = await seedEnvironments(dir);
  const healthPort = await freePort();
  const metricsPort = await freePort();
  worker = spawnLogged(
    'worker',
    ['worker'],
    {
      TEMPORAL_ADDRESS: temporal.address,
      RAMP_TASK_QUEUE: TASK_QUEUE,
      RAMP_LOG_LEVEL: 'WARN',
      RAMP_WORKER_HEALTH_ADDR: `127.0.0.1:${healthPort}`,
      RAMP_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      RAMP_CACHE_DIR: path.join(dir, 'cache'),
    },
    dir,
  );
  await ready('worker', worker, `http://127.0.0.1:${healthPort}/readyz`, dir);
  const workerPid = worker.pid!;
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const coreUrl = await coreMetricsUrl(workerPid, [healthPort, metricsPort]);
  process.stdout.write(`ready (Core's exporter at ${coreUrl})\n`);
  const rssIdle = await rssMiB(workerPid);

  connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const parkMs = await park(client, repoUrl);
  const rssParked = await rssMiB(workerPid);
  const rounds = await measure(client, metricsUrl, coreUrl);
  const rssAfter = await rssMiB(workerPid);

  const bytes = (samples: number[]) => Math.round(median(samples));
  const record = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage1m: round(os.loadavg()[0]!),
    setup: {
      parked: PARKED,
      coldRounds: COLD,
      cachedScrapes: CACHED,
      coldSpacingMs: COLD_SPACING_MS,
      baseline: "Temporal Core's exposition alone, from the worker's loopback exporter (port found in /proc)",
      parkSeconds: round(parkMs / 1000),
    },
    refreshing: { scrape: summary(rounds.cold), core: summary(rounds.coldCore), ratioMedian: round(median(rounds.coldRatio)) },
    cached: { scrape: summary(rounds.cached), core: summary(rounds.cachedCore), ratioMedian: round(median(rounds.cachedRatio)) },
    visibilityReadsFromBench: summary(rounds.visibilityReads),
    exposition: {
      bytesRefreshing: bytes(rounds.bytes.cold),
      bytesCached: bytes(rounds.bytes.cached),
      bytesCore: bytes(rounds.bytes.core),
      series: rounds.series,
    },
    workerRssMiB: { idle: rssIdle, parked: rssParked, afterScrapes: rssAfter },
  };
  await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
  const file = path.join(ROOT, 'bench/results', `metrics-${record.date.slice(0, 19).replaceAll(':', '-')}.json`);
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  const row = (name: string, s: Summary) =>
    `  ${name.padEnd(62)} ${String(s.msP50).padStart(8)} ${String(s.msP95).padStart(8)} ${String(s.msMax).padStart(8)} ${String(s.n).padStart(6)}`;
  const { exposition: e } = record;
  console.log(`
the worker's /metrics with ${PARKED} promotions parked at a canary approval gate (weight 10); load average ${record.loadAverage1m} on ${record.cpus} cores
  ${'ms'.padEnd(62)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)} ${'n'.padStart(6)}
${row('scrape that refreshes the visibility gauges', record.refreshing.scrape)}
${row("  Temporal Core's exposition alone, same rounds", record.refreshing.core)}
${row("scrape from the gauges' 10 s cache", record.cached.scrape)}
${row("  Temporal Core's exposition alone, same rounds", record.cached.core)}
${row(`  its visibility reads, from the bench (list + ${PARKED} queries)`, record.visibilityReadsFromBench)}
  scrape/Core alone per round: refreshing median ${record.refreshing.ratioMedian}×, cached median ${record.cached.ratioMedian}×
  exposition: ${e.bytesCached} B, ${e.series.total} series (${e.series.ramp} ramp and Node, ${e.series.temporal} temporal_*); Core's alone ${e.bytesCore} B
  worker RSS: ${record.workerRssMiB.idle} MiB idle, ${record.workerRssMiB.parked} MiB with ${PARKED} parked, ${record.workerRssMiB.afterScrapes} MiB after the scrapes
  (parking took ${record.setup.parkSeconds} s)
saved ${path.relative(ROOT, file)}`);
} catch (error) {
  // Interrupted: what failed was cut off by the shutdown under way.
  if (!interrupted) throw error;
  await shutdown();
  process.exit(130);
} finally {
  await shutdown();
}
