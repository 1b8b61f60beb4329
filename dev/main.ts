/**
 * `ramp dev`: the embedded local stack and a demo of ramp's main job. Starts the Temporal dev
 * server (with its UI), a worker, a GitOps repository made from examples/gitops, the demo app
 * and a Prometheus scraping it; promotes a good release through every stage (the demo gives the
 * approval and resumes the pause) and a bad one whose canary analysis fails in staging and is
 * reverted; then prints what happened and where to look.
 *
 *   ramp dev           run the demo, then keep the stack up until Ctrl-C (on a terminal)
 *   ramp dev --exit    run the demo and stop (the default when stdout is not a terminal)
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
import { readWorkerConfig } from '../worker/config.js';
import { startWorker, type RunningWorker } from '../worker/start.js';
import { runDemo } from './demo.js';
import { seedRepository } from './seed-repository.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DEMO_PIPELINE = path.join(ROOT, 'examples/demo.yaml');

const { values } = parseArgs({
  options: { exit: { type: 'boolean', default: false }, dir: { type: 'string', default: path.join(ROOT, '.ramp/dev') } },
});
const keepRunning = !values.exit && Boolean(process.stdout.isTTY);
const dir = path.resolve(values.dir);
const say = (line = ''): void => void process.stdout.write(`${line}\n`);

let server: DevServer | undefined;
let app: DemoApp | undefined;
let prometheus: TestPrometheus | undefined;
let worker: RunningWorker | undefined;
let connection: Connection | undefined;

async function stop(): Promise<void> {
  await worker?.shutdown().catch(() => {});
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
  const temporal = await ensureTemporalCli();
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'pipelines'), { recursive: true });

  server = await startDevServer({ temporal: temporal.path, logFile: path.join(dir, 'temporal.log'), port: 7233, uiPort: 8233, dbFile: path.join(dir, 'temporal.db') });
  say(`  Temporal dev server  ${server.address}   UI ${server.uiUrl ?? '(none)'}`);

  const bareDir = path.join(dir, 'gitops.git');
  const repository = await seedRepository(bareDir);
  say(`  GitOps repository    ${bareDir} (from examples/gitops)`);

  app = await startDemoApp();
  app.set('1.0.0', { errorRate: 0.001, latencySeconds: 0.02 });
  prometheus = await startPrometheus({ targets: [app.address] });
  say(`  demo app             ${app.address}/metrics (web 1.0.0 serving; each release gets traffic when promoted)`);
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
  say(`  pipeline             ${path.relative(ROOT, pipelineFile)} (examples/demo.yaml on the local repository)`);

  const groupsFile = path.join(dir, 'groups.yaml');
  await writeFile(groupsFile, 'groups:\n  release-managers: [alice, demo]\n');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = { ...readWorkerConfig({}), address: server.address, cacheDir: path.join(dir, 'cache'), groupsFile };
  worker = await startWorker(config);
  say(`  worker               task queue ${config.taskQueue}, approver groups in ${path.relative(ROOT, groupsFile)}`);

  connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const outcome = await runDemo({ client, taskQueue: config.taskQueue, pipeline, say, app });

  say('\nWhat is in Git now (git log of the GitOps repository, ramp trailers):');
  const log = await simpleGit(bareDir).raw([
    'log',
    '--format=%h %<(48,trunc)%s %(trailers:key=Ramp-Promotion,valueonly,separator=)',
    'main',
  ]);
  say(log.trimEnd().replace(/^/gm, '  '));

  const env = server.address === '127.0.0.1:7233' ? '' : `TEMPORAL_ADDRESS=${server.address} `;
  say(`
Where to look:
  Temporal UI          ${server.uiUrl ?? '(headless)'}/namespaces/default/workflows
  the GitOps repo      git --git-dir ${path.relative(ROOT, bareDir)} log --stat
  a promotion          ${env}npx ramp status ${outcome.good}
  the history          ${env}RAMP_PIPELINES_DIR=${path.relative(ROOT, path.dirname(pipelineFile))} npx ramp history web`);

  if (!outcome.ok) {
    process.exitCode = 1;
    say('\nramp dev: the demo did not end as expected (see above)');
  }
  if (keepRunning) {
    say('\nThe stack keeps running for you to explore. Ctrl-C stops it.');
    await new Promise(() => {});
  }
} catch (error) {
  process.stderr.write(`ramp dev: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  if (!keepRunning) await stop();
}
