/**
 * `ramp dev`: the embedded local stack and a demo of ramp's main job. Starts the Temporal dev
 * server (with its UI), a worker, a GitOps repository made from examples/gitops, the demo app
 * and a Prometheus scraping it; promotes a good release through every stage (the demo gives the
 * approval and resumes the pause) and a bad one whose canary analysis fails in staging and is
 * reverted; then prints what happened and where to look.
 *
 *   ramp dev             run the demo, then keep the stack up until Ctrl-C (on a terminal)
 *   ramp dev --exit      run the demo and stop (the default when stdout is not a terminal)
 *   ramp dev --keep      keep the stack up after the demo, terminal or not (`npm start | tee log`)
 *   ramp dev --no-demo   no demo: the stack is ready at once
 *
 * While it runs, `<dir>/stack.json` (dev/stack-file.ts) tells the CLI where: `npx ramp promote
 * web 1.4.2` next to it uses its Temporal server and its `web` pipeline. The demo app serves
 * every version the GitOps repository holds (dev/gitops-traffic.ts).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { simpleGit } from 'simple-git';
import { startDevServer, type DevServer } from '../scripts/lib/dev-server.js';
import { startPrometheus, type TestPrometheus } from '../scripts/lib/prometheus.js';
import { startDemoApp, type DemoApp } from './demo-app.js';
import { ensureTemporalCli } from '../scripts/lib/tools.js';
import { loadPipelineSource } from '../src/schema/load.js';
import type { PipelineSpec } from '../src/schema/pipeline.js';
import { rampExposition } from '../src/observability/exposition.js';
import { readWorkerConfig } from '../worker/config.js';
import { freeLoopbackPort, serveMetrics, type MetricsServer } from '../worker/metrics.js';
import { startWorker, type RunningWorker } from '../worker/start.js';
import { randomUUID } from 'node:crypto';
import { createAppSource } from './app-source.js';
import { doraSummaryLine } from '../cli/render/dora.js';
import type { DoraReport } from '../src/dora/report.js';
import type { doraWorkflow } from '../workflows/dora.js';
import { runDemo } from './demo.js';
import { startDemoServer, type DemoServer } from './demo-server.js';
import { followGitOps, type GitOpsTraffic } from './gitops-traffic.js';
import { seedRepository } from './seed-repository.js';
import { DEFAULT_DEV_DIR, readStackFile, removeStackFile, writeStackFile } from './stack-file.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DEMO_PIPELINE = path.join(ROOT, 'examples/demo.yaml');
/**
 * Where the dev stack serves /metrics (ramp_*, temporal_*), which its Prometheus scrapes: the
 * worker's endpoint, as RAMP_METRICS_ADDRESS would (worker/metrics.ts); a free port when another
 * stack has it, as the dev server's ports do.
 */
const DEV_WORKER_METRICS = '127.0.0.1:9464';

const { values } = parseArgs({
  options: {
    exit: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'no-demo': { type: 'boolean', default: false },
    dir: { type: 'string', default: DEFAULT_DEV_DIR },
  },
});
if (values.exit && values.keep) {
  process.stderr.write('ramp dev: --exit and --keep contradict each other; give one\n');
  process.exit(2);
}
const keepRunning = values.keep || (!values.exit && Boolean(process.stdout.isTTY));
const dir = path.resolve(values.dir);
/** What the CLI needs to find this stack: nothing for the default directory. */
const cliEnv = dir === DEFAULT_DEV_DIR ? '' : `RAMP_DEV_DIR=${display(dir)} `;
const say = (line = ''): void => void process.stdout.write(`${line}\n`);

let server: DevServer | undefined;
let app: DemoApp | undefined;
let prometheus: TestPrometheus | undefined;
let worker: RunningWorker | undefined;
let connection: Connection | undefined;
let traffic: GitOpsTraffic | undefined;
let rampServer: DemoServer | undefined;
let metrics: MetricsServer | undefined;

/** Set once this process wrote the state file (never remove another stack's). */
let stackFileWritten = false;

async function stop(): Promise<void> {
  if (stackFileWritten) await removeStackFile(dir).catch(() => {});
  traffic?.stop();
  await rampServer?.stop().catch(() => {});
  await worker?.shutdown().catch(() => {});
  await metrics?.close();
  await connection?.close().catch(() => {});
  await server?.stop();
  await prometheus?.stop();
  await app?.close();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\nramp dev: ${signal}, stopping the worker and the Temporal server`);
    void stop().finally(() => process.exit(0));
  });
}

try {
  say('ramp dev: the embedded local stack');
  if (!keepRunning && !values.exit)
    say(
      `ramp dev: not a terminal: the stack stops ${values['no-demo'] ? 'at once' : 'after the demo'}; run in a terminal or with --keep (npm start -- --keep) to explore`,
    );
  const running = readStackFile(dir);
  if (running)
    throw new Error(
      `a dev stack already runs from ${display(dir)} (pid ${running.pid}, Temporal at ${running.temporal.address}); use it, stop it (Ctrl-C where it runs), or start another with --dir`,
    );
  const temporal = await ensureTemporalCli();
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'pipelines'), { recursive: true });

  server = await startDevServer({
    temporal: temporal.path,
    logFile: path.join(dir, 'temporal.log'),
    port: 7233,
    uiPort: 8233,
    dbFile: path.join(dir, 'temporal.db'),
  });
  say(`  Temporal dev server  ${server.address}   UI ${server.uiUrl ?? '(none)'}`);

  const bareDir = path.join(dir, 'gitops.git');
  const repository = await seedRepository(bareDir);
  say(`  GitOps repository    ${bareDir} (from examples/gitops)`);

  app = await startDemoApp();
  traffic = followGitOps({ bareDir, image: 'web', app });
  await traffic.ready;
  prometheus = await startPrometheus({ targets: [app.address] });
  say(
    `  demo app             ${app.address}/metrics (serves every version of web in the GitOps repository; 1.2.0 and tags ending in -bad fail with 30 % errors)`,
  );
  say(`  Prometheus           ${prometheus.url} (waiting for its first scrape)`);
  await prometheus.waitForUp();

  const pipelineFile = path.join(dir, 'pipelines/web.yaml');
  const source = (await readFile(DEMO_PIPELINE, 'utf8'))
    .replace('file:///set-by-ramp-dev/gitops.git', repository.url)
    .replaceAll('http://prometheus.set-by-ramp-dev:9090', prometheus.url);
  await writeFile(pipelineFile, source);
  const loaded = loadPipelineSource(source, pipelineFile);
  if (!loaded.ok) throw new Error(`examples/demo.yaml does not validate: ${loaded.errors.map((e) => e.message).join('; ')}`);
  const pipeline: PipelineSpec = loaded.spec;
  say(`  pipeline             ${display(pipelineFile)} (examples/demo.yaml on the local repository)`);

  rampServer = await startDemoServer(dir, server.address, path.dirname(pipelineFile), server.uiUrl);
  say(`  OpenID Provider      ${rampServer.issuer} (demo people: alice release-managers, bob and carol sre, dave product, mallory; any password)`);
  say(`  ramp server          ${rampServer.url} (release pages and /api/v1; sign in with the demo provider; log in ${display(path.join(dir, 'server.log'))})`);

  const groupsFile = path.join(dir, 'groups.yaml');
  await writeFile(groupsFile, 'groups:\n  release-managers: [alice, demo]\n');
  // A failed promotion is the demo's to report (its outcome and why), not a worker warning with a stack.
  const quiet = new DefaultLogger('WARN');
  // Temporal Core's metrics on a loopback port, served with ramp's at DEV_WORKER_METRICS.
  const corePort = await freeLoopbackPort();
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => {
      if (entry.message !== 'Workflow failed') quiet.log(entry.level, entry.message, entry.meta);
    }),
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${corePort}` } } },
  });
  const exposition = rampExposition({ url: `http://127.0.0.1:${corePort}/metrics`, log: (message) => quiet.warn(message) });
  const served = await serveMetrics(DEV_WORKER_METRICS, exposition).catch((error: unknown) => {
    if (/EADDRINUSE/.test(String(error))) return serveMetrics('127.0.0.1:0', exposition);
    throw error;
  });
  metrics = served;
  // ramp's own metrics, next to the demo app's. The server runs in this process, with the worker's
  // registry: the worker's endpoint has the server's metrics too (scraping both would count twice).
  await prometheus.setTargets([app.address, served.address]);
  say(`  ramp's metrics       http://${served.address}/metrics (worker and server, one process; scraped by the Prometheus above)`);
  const config = {
    ...readWorkerConfig({}),
    address: server.address,
    cacheDir: path.join(dir, 'cache'),
    groupsFile,
    // Decisions through ramp server are verified; the README's direct commands are recorded as unverified (the dev stack only).
    decisionKeysFile: rampServer.decisionKeysFile,
    acceptUnverified: true,
    // Notifications a pipeline routes link to the release pages, with approval links for e-mailed approvers.
    uiUrl: rampServer.url,
    linkKeyFile: rampServer.linkKeyFile,
  };
  worker = await startWorker(config);
  say(
    `  worker               task queue ${config.taskQueue}, approver groups in ${display(groupsFile)}, decisions verified with ${display(rampServer.decisionKeysFile)}`,
  );
  const stackFile = await writeStackFile(dir, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    temporal: { address: server.address, namespace: 'default', uiUrl: server.uiUrl },
    taskQueue: config.taskQueue,
    pipelinesDir: path.dirname(pipelineFile),
    pipelines: [pipeline.name],
    pipelineSource: path.relative(ROOT, DEMO_PIPELINE),
    repository: { url: repository.url, dir: bareDir },
    prometheusUrl: prometheus.url,
  });
  stackFileWritten = true;
  say(`  state for the CLI    ${display(stackFile)} (${cliEnv ? `with ${cliEnv.trim()}, ` : ''}npx ramp talks to this stack)`);

  connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  if (values['no-demo']) {
    say('\nramp dev: no demo (--no-demo)');
  } else {
    await showDemo(client, config.taskQueue, pipeline, bareDir, server.uiUrl, app, rampServer);
  }
  if (keepRunning) {
    say(`
ramp dev: ready. The stack keeps running for you to explore; the README's commands use it:
  ${cliEnv}npx ramp promote web 1.4.2 --wait      # any version gets traffic; tags ending in -bad fail
  ${cliEnv}npx ramp status web@1.4.2 --watch
${
  values['no-demo']
    ? ''
    : `web@1.3.0 waits at production for an approval: open its release page (above), sign in as alice, approve it there (then resume its pause)
(a later release reaches production after it).
`
}Ctrl-C stops it.`);
    await new Promise(() => {});
  }
  say(`\nramp dev: stopping the stack (${values.exit ? '--exit' : 'stdout is not a terminal; --keep, or npm start -- --keep, keeps it up'})`);
  await stop();
} catch (error) {
  process.stderr.write(`ramp dev: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
  await stop();
}

/** Paths in the checkout relative to it, others absolute. */
function display(file: string): string {
  const rel = path.relative(ROOT, file);
  return rel.startsWith('..') ? file : rel;
}

/** The demo, what Git holds after it, and where to look. */
async function showDemo(
  client: Client,
  taskQueue: string,
  pipeline: PipelineSpec,
  bareDir: string,
  uiUrl: string | null,
  demoApp: DemoApp,
  web: DemoServer,
): Promise<void> {
  const demoStarted = new Date(Date.now() - 60_000).toISOString();
  const source = await createAppSource(path.join(dir, 'app-source'));
  const outcome = await runDemo({
    source,
    client,
    taskQueue,
    pipeline,
    say,
    app: demoApp,
    approver: 'alice (group release-managers)',
    approve: (promotionId, stage, comment) => approveThroughServer(web, promotionId, stage, comment),
    releasePage: (id) => web.releasePage(id),
    ...(keepRunning ? { park: '1.3.0' } : {}),
  });

  say('\nWhat is in Git now (git log of the GitOps repository, ramp trailers):');
  const log = await simpleGit(bareDir).raw(['log', '--format=%h %<(48,trunc)%s %(trailers:key=Ramp-Promotion,valueonly,separator=)', 'main']);
  say(log.trimEnd().replace(/^/gm, '  '));

  say(
    "\nDORA of what just happened (ramp dora web --env <stage>: from the trailers of the commits above; lead time from each release's commit in the demo's app-source repository):",
  );
  const until = new Date(Date.now() + 60_000).toISOString();
  for (const stage of ['staging', 'production']) {
    const report = await client.workflow.execute<typeof doraWorkflow>('doraWorkflow', {
      taskQueue,
      workflowId: `dora-${pipeline.name}-${randomUUID().slice(0, 8)}`,
      args: [{ repository: pipeline.repository, pipeline: pipeline.name, stage, since: demoStarted, until }],
      workflowExecutionTimeout: '60s',
    });
    say(`  ${stage.padEnd(11)} ${doraSummaryLine(report satisfies DoraReport)}`);
  }

  say(`
Where to look:
  a release page       ${web.releasePage(outcome.parked ?? outcome.good)}${outcome.parked ? '   ← sign in as alice (any password), approve production there, then resume its pause' : ''}
  Temporal UI          ${uiUrl ?? '(headless)'}/namespaces/default/workflows
  the GitOps repo      git --git-dir ${display(bareDir)} log --stat
  a promotion          ${cliEnv}npx ramp status ${outcome.good}
  the history          ${cliEnv}npx ramp history web --stage production
  DORA                 ${cliEnv}npx ramp dora web --since 1d        (the same on ${web.url}/pipelines/web/dora)
  ramp's metrics       ${prometheus?.url ?? '(no Prometheus)'}/graph?g0.expr=ramp_promotions_finished_total (docs/metrics.md)
  dashboards           deploy/grafana/dashboards/ (Grafana JSON: delivery and DORA, canaries, worker health; docs/dashboards.md)`);

  if (!outcome.ok) {
    process.exitCode = 1;
    say('\nramp dev: the demo did not end as expected (see above)');
  }
}

/** The demo's approval: alice signs in through the demo provider (code + PKCE) and approves through ramp server's API. */
async function approveThroughServer(web: DemoServer, promotionId: string, stage: string, comment: string): Promise<void> {
  const token = await web.tokenFor('alice');
  const res = await fetch(`${web.url}/api/v1/promotions/${encodeURIComponent(promotionId)}/stages/${encodeURIComponent(stage)}/approve`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ comment }),
  });
  if (!res.ok) throw new Error(`ramp server refused alice's approval of ${promotionId} ${stage} (${res.status}): ${await res.text()}`);
}
