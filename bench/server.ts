/**
 * `npm run bench:server` (also part of `npm run bench`): one `ramp server` process in front of a
 * real Temporal dev server, a real `ramp worker` and a real GitOps remote (bench/server-stack.ts),
 * with a promotion parked at an indefinite canary pause, started through POST /api/v1/promotions:
 *
 * 1. status latency: GET /api/v1/promotions/{id}, sequential, next to the same read done straight
 *    against Temporal in this process (cli/temporal-backend.ts readSnapshot), A and B in turn in
 *    the same rounds (the machine is shared: the ratio is taken per round); then the same with
 *    `--concurrency` clients at once, in alternating batches;
 * 2. the web pages (release page, its fragment, the home page) with a browser session, next to
 *    the API's JSON of the same promotion, in rotated order, with their sizes;
 * 3. SSE fan-out: `--watchers` concurrent GET .../events streams; then `--rounds` rounds of a
 *    stage pause (with a reason) and a resume (which ends that pause step; the next one parks the
 *    stage again) through the server, each timed per watcher from
 *    the command's HTTP answer (and from its send) to the `status` event that shows it; and the
 *    server's resident memory before and with the watchers.
 *
 * The server reads each watched promotion once per poll interval (server/sse.ts, 1000 ms in
 * `ramp server`, not configurable there), which bounds the event latency: the figures are
 * mostly that interval's phase. Results are printed and saved as JSON in bench/results/.
 *
 *   npx tsx bench/server.ts [--requests 300] [--concurrency 20] [--watchers 200] [--rounds 5]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RampTemporal, cliSettings } from '../cli/connection.js';
import { readSnapshot } from '../cli/temporal-backend.js';
import { sleep } from '../scripts/lib/proc.js';
import { ensureBuild } from './build.js';
import { BENCH_RATE, TASK_QUEUE, rssMiB, startServerStack, type ServerStack } from './server-stack.js';
import { SseWatcher } from './sse-watcher.js';
import { median, quantile, round, latencySummary, positiveFlag, type LatencySummary } from './stats.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** ramp server's interval between reads of a watched promotion (server/app.ts DEFAULT_POLL_MS; `ramp server` does not set it). */
const SERVER_POLL_MS = 1_000;
const PIPELINE = 'bench-server';
const VERSION = '2.0.0';
const PROMOTION = `${PIPELINE}@${VERSION}`;
const DEADLINE_MS = 120_000;

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '20' },
    watchers: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
  },
});
const positive = (flag: keyof typeof values): number => positiveFlag(values, flag);
const REQUESTS = positive('requests');
const CONCURRENCY = positive('concurrency');
const WATCHERS = positive('watchers');
const ROUNDS = positive('rounds');

const summary = latencySummary;
type Summary = LatencySummary;

/** Polls `check` until it returns a value, or fails saying what did not happen. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, everyMs = 20): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() - started > DEADLINE_MS) throw new Error(`${what}: not after ${DEADLINE_MS / 1000} s`);
    await sleep(everyMs);
  }
}

async function api(stack: ServerStack, method: string, route: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stack.url}${route}`, {
    method,
    headers: { authorization: stack.authorization, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer: unknown = await response.json();
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

const statusRoute = `/api/v1/promotions/${encodeURIComponent(PROMOTION)}`;

/** ms of one status read through the server. */
async function serverRead(stack: ServerStack): Promise<number> {
  const t0 = performance.now();
  await api(stack, 'GET', statusRoute);
  return performance.now() - t0;
}

/** ms of the same read straight against Temporal. */
async function directRead(temporal: RampTemporal): Promise<number> {
  const t0 = performance.now();
  await readSnapshot(temporal, PROMOTION);
  return performance.now() - t0;
}

async function statusLatency(stack: ServerStack, temporal: RampTemporal) {
  const server: number[] = [];
  const direct: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    if (i % 50 === 0) process.stdout.write(`\rstatus reads, sequential: ${i}/${REQUESTS} `);
    // A then B, B then A: neither always goes first.
    let s: number;
    let d: number;
    if (i % 2 === 0) {
      s = await serverRead(stack);
      d = await directRead(temporal);
    } else {
      d = await directRead(temporal);
      s = await serverRead(stack);
    }
    server.push(s);
    direct.push(d);
    ratios.push(s / d);
  }
  process.stdout.write(`\rstatus reads, ${CONCURRENCY} concurrent clients ...      `);
  const serverConcurrent: number[] = [];
  const directConcurrent: number[] = [];
  const batches = Math.max(1, Math.ceil(REQUESTS / CONCURRENCY));
  const batch = async (read: () => Promise<number>, into: number[]) => into.push(...(await Promise.all(Array.from({ length: CONCURRENCY }, read))));
  for (let b = 0; b < batches; b++) {
    if (b % 2 === 0) {
      await batch(() => serverRead(stack), serverConcurrent);
      await batch(() => directRead(temporal), directConcurrent);
    } else {
      await batch(() => directRead(temporal), directConcurrent);
      await batch(() => serverRead(stack), serverConcurrent);
    }
  }
  process.stdout.write('\n');
  return {
    sequential: { server: summary(server), direct: summary(direct), ratioMedian: round(median(ratios)), ratioP95: round(quantile(ratios, 0.95)) },
    concurrent: { clients: CONCURRENCY, server: summary(serverConcurrent), direct: summary(directConcurrent) },
  };
}

const PAGE_ROUTES = {
  api: statusRoute,
  page: `/releases/${encodeURIComponent(PROMOTION)}`,
  fragment: `/releases/${encodeURIComponent(PROMOTION)}/main`,
  home: '/',
} as const;
type PageRoute = keyof typeof PAGE_ROUTES;

/** One GET: the web pages with alice's browser session, the API with the service token. Returns ms and bytes. */
async function timedGet(stack: ServerStack, which: PageRoute): Promise<{ ms: number; bytes: number }> {
  const route = PAGE_ROUTES[which];
  const t0 = performance.now();
  const response = await fetch(`${stack.url}${route}`, {
    headers: which === 'api' ? { authorization: stack.authorization } : { cookie: stack.cookie },
    redirect: 'manual',
  });
  const body = await response.text();
  const ms = performance.now() - t0;
  if (response.status !== 200) throw new Error(`GET ${route} answered ${response.status}: ${body.slice(0, 300)}`);
  return { ms, bytes: Buffer.byteLength(body) };
}

/**
 * The web pages next to the API's JSON of the same promotion: the release page, its fragment
 * (what the live island fetches on every change) and the home page, each round in a rotated
 * order so that none always goes first; ratios to the JSON read per round.
 */
async function pageLatency(stack: ServerStack) {
  const rounds = Math.max(20, Math.floor(REQUESTS / 3));
  const order: PageRoute[] = ['api', 'page', 'fragment', 'home'];
  const samples: Record<PageRoute, number[]> = { api: [], page: [], fragment: [], home: [] };
  const bytes: Record<PageRoute, number> = { api: 0, page: 0, fragment: 0, home: 0 };
  const pageRatio: number[] = [];
  const fragmentRatio: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 20 === 0) process.stdout.write(`\rweb pages next to the API: ${i}/${rounds} `);
    const taken: Partial<Record<PageRoute, number>> = {};
    for (let k = 0; k < order.length; k++) {
      const which = order[(i + k) % order.length]!;
      const { ms, bytes: size } = await timedGet(stack, which);
      taken[which] = ms;
      samples[which].push(ms);
      bytes[which] = size;
    }
    pageRatio.push(taken.page! / taken.api!);
    fragmentRatio.push(taken.fragment! / taken.api!);
  }
  process.stdout.write('\n');
  return {
    rounds,
    api: summary(samples.api),
    page: summary(samples.page),
    fragment: summary(samples.fragment),
    home: summary(samples.home),
    pageToApiMedian: round(median(pageRatio)),
    fragmentToApiMedian: round(median(fragmentRatio)),
    bytes,
  };
}

/** Latencies of one change, per watcher: from the command's answer and from its send to the status that shows it. */
async function timeChange(stack: ServerStack, watchers: SseWatcher[], route: string, body: unknown, shows: (data: string) => boolean, what: string) {
  // A random wait first: the command lands anywhere in the server's poll interval.
  await sleep(Math.random() * SERVER_POLL_MS);
  const sent = performance.now();
  await api(stack, 'POST', route, body);
  const answered = performance.now();
  const seen = await until(`every watcher to see ${what}`, () => {
    const found = watchers.map((w) => {
      if (w.failure) throw new Error(`a watcher's stream failed: ${w.failure}`);
      return w.find(sent, shows);
    });
    const at = found.flatMap((f) => (f ? [f.at] : []));
    return at.length === watchers.length ? at : undefined;
  });
  return {
    fromAnswer: seen.map((at) => at - answered),
    fromSend: seen.map((at) => at - sent),
    commandMs: answered - sent,
    spreadMs: Math.max(...seen) - Math.min(...seen),
  };
}

async function fanOut(stack: ServerStack) {
  const rssBefore = await rssMiB(stack.serverPid);
  process.stdout.write(`SSE: opening ${WATCHERS} watchers ... `);
  const eventsUrl = `${stack.url}${statusRoute}/events`;
  const watchers = Array.from({ length: WATCHERS }, () => new SseWatcher(eventsUrl, stack.authorization));
  try {
    await until(`${WATCHERS} watchers to get their first status`, () => {
      const failed = watchers.find((w) => w.failure);
      if (failed) throw new Error(`a watcher's stream failed: ${failed.failure}`);
      return watchers.every((w) => w.firstStatusAt !== null) ? true : undefined;
    });
    const connect = watchers.map((w) => w.firstStatusAt! - w.openedAt);
    process.stdout.write(`all got their first status (slowest after ${Math.round(Math.max(...connect))} ms)\n`);
    // A few poll intervals with every watcher connected before memory is read.
    await sleep(3 * SERVER_POLL_MS);
    const rssWith = await rssMiB(stack.serverPid);

    const stage = `${statusRoute}/stages/staging`;
    const fromAnswer: number[] = [];
    const fromSend: number[] = [];
    const commandMs: number[] = [];
    const spreadMs: number[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      process.stdout.write(`\rSSE: round ${r}/${ROUNDS} (pause, resume) `);
      const reason = `bench round ${r} of ${ROUNDS}`;
      const paused = await timeChange(stack, watchers, `${stage}/pause`, { reason }, (data) => data.includes(reason), `the pause of round ${r}`);
      // The r-th resume: as many `resumed` events in the stage's record as rounds so far.
      const resumed = await timeChange(
        stack,
        watchers,
        `${stage}/resume`,
        {},
        (data) => data.split('"kind":"resumed"').length - 1 >= r,
        `the resume of round ${r}`,
      );
      for (const change of [paused, resumed]) {
        fromAnswer.push(...change.fromAnswer);
        fromSend.push(...change.fromSend);
        commandMs.push(change.commandMs);
        spreadMs.push(change.spreadMs);
      }
    }
    process.stdout.write('\n');
    const rssAfter = await rssMiB(stack.serverPid);
    return {
      watchers: WATCHERS,
      rounds: ROUNDS,
      changes: ROUNDS * 2,
      pollMs: SERVER_POLL_MS,
      connectToFirstStatus: summary(connect),
      eventFromAnswer: summary(fromAnswer),
      eventFromSend: summary(fromSend),
      commandRoundTrip: summary(commandMs),
      fanOutSpread: summary(spreadMs),
      rssMiB: { before: rssBefore, withWatchers: rssWith, afterRounds: rssAfter },
    };
  } finally {
    await Promise.all(watchers.map((w) => w.close()));
  }
}

await ensureBuild();
const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-bench-server-'));
let stack: ServerStack | undefined;
let stopping: Promise<void> | undefined;
/** Stops every process and removes the scratch directory, once (a signal or the end of the run). */
const shutdown = (): Promise<void> =>
  (stopping ??= (async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  })());
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stdout.write(`\n${signal}: stopping ramp server, ramp worker and Temporal ...\n`);
    void shutdown().finally(() => process.exit(130));
  });
}
try {
  process.stdout.write('starting Temporal, ramp worker and ramp server ... ');
  stack = await startServerStack(dir, PIPELINE, ROUNDS + 1);
  process.stdout.write('ready\n');
  const started = (await api(stack, 'POST', '/api/v1/promotions', { pipeline: PIPELINE, version: VERSION })) as { promotionId: string };
  if (started.promotionId !== PROMOTION) throw new Error(`POST /api/v1/promotions started ${started.promotionId}, not ${PROMOTION}`);
  const live = stack;
  await until(
    `${PROMOTION} to park at its canary pause`,
    async () => ((await api(live, 'GET', statusRoute)) as { activeStage: { phase?: string } | null }).activeStage?.phase === 'Paused' || undefined,
    200,
  );
  const temporal = await RampTemporal.connect(
    cliSettings(
      { stdout: () => {}, stderr: () => {}, isTty: false, cwd: dir, env: { TEMPORAL_ADDRESS: stack.temporal.address, RAMP_TASK_QUEUE: TASK_QUEUE } },
      {},
    ),
  );
  let status: Awaited<ReturnType<typeof statusLatency>>;
  try {
    status = await statusLatency(stack, temporal);
  } finally {
    await temporal.close();
  }
  const pages = await pageLatency(stack);
  const events = await fanOut(stack);

  const record = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage1m: round(os.loadavg()[0]!),
    setup: { serverProcesses: 1, auth: 'service token (API), browser session (pages)', serverRate: BENCH_RATE, pollMs: SERVER_POLL_MS },
    status,
    pages,
    events,
  };
  await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
  const file = path.join(ROOT, 'bench/results', `server-${record.date.slice(0, 19).replaceAll(':', '-')}.json`);
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  const row = (name: string, s: Summary) =>
    `  ${name.padEnd(46)} ${String(s.msP50).padStart(8)} ${String(s.msP95).padStart(8)} ${String(s.msMax).padStart(8)} ${String(s.n).padStart(6)}`;
  const { sequential: seq, concurrent: con } = status;
  console.log(`
ramp server, one process, service-token auth; load average ${record.loadAverage1m} on ${record.cpus} cores
  ${'ms'.padEnd(46)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)} ${'n'.padStart(6)}
${row('GET /api/v1/promotions/{id}, sequential', seq.server)}
${row('  same read straight against Temporal', seq.direct)}
${row(`GET /api/v1/promotions/{id}, ${con.clients} concurrent`, con.server)}
${row(`  same read straight, ${con.clients} concurrent`, con.direct)}
  server/direct per round (sequential): median ${seq.ratioMedian}×, p95 ${seq.ratioP95}×
Web pages (alice's browser session) next to the API's JSON (service token), ${pages.rounds} rounds in rotated order
${row(`GET /api/v1/promotions/{id} (${pages.bytes.api} B)`, pages.api)}
${row(`GET /releases/{id}, the page (${pages.bytes.page} B)`, pages.page)}
${row(`GET /releases/{id}/main, the fragment (${pages.bytes.fragment} B)`, pages.fragment)}
${row(`GET /, the home page (${pages.bytes.home} B)`, pages.home)}
  page/API per round: median ${pages.pageToApiMedian}×; fragment/API: median ${pages.fragmentToApiMedian}×
SSE: ${events.watchers} watchers of one promotion, ${events.changes} changes (pause/resume × ${events.rounds}); server poll ${events.pollMs} ms
${row('connect → first status event', events.connectToFirstStatus)}
${row('command answered → status event (per watcher)', events.eventFromAnswer)}
${row('command sent → status event (per watcher)', events.eventFromSend)}
${row('command round trip (pause/resume POST)', events.commandRoundTrip)}
${row('first → last watcher, per change', events.fanOutSpread)}
  server RSS: ${events.rssMiB.before} MiB before, ${events.rssMiB.withWatchers} MiB with ${events.watchers} watchers, ${events.rssMiB.afterRounds} MiB after the rounds
saved ${path.relative(ROOT, file)}`);
} catch (error) {
  // Interrupted: what failed was cut off by the shutdown under way.
  if (!interrupted) throw error;
  await shutdown();
  process.exit(130);
} finally {
  await shutdown();
}
