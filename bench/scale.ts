/**
 * `npm run bench:scale`: ramp at scale, on the real Temporal dev server and on a real Temporal
 * cluster on PostgreSQL with TLS (scripts/lib/temporal-server.ts), with real `ramp worker`
 * processes (compiled: bin/ramp.js) and real Git. Four parts (docs/performance.md, "Scale"):
 *
 *   parked    N promotions parked at an approval gate on ONE worker (started in waves): its RSS,
 *             the time to park them, the approval round trip for a sample while the rest stay parked
 *   canaries  100 canaries advancing at once in ONE GitOps repository: commits per second, push
 *             retries, engine overhead per step (from the stage workflows' histories)
 *   repo      a repository of 20,000 files and 10,000 commits: the first clone, then commit+push
 *             per step with ramp's cached clone vs a fresh clone per step
 *   history   events per stage and per canary step of a promotion; where continue-as-new triggers
 *
 *   npx tsx bench/scale.ts [--part parked,canaries,repo,history] [--backend dev|cluster|both]
 *     [--count 200] [--wave 50] [--sample 50] [--canaries 100] [--workers 2] [--files 20000] [--commits 10000]
 *     [--steps 5] [--json]
 *
 * Parts `parked` and `canaries` run on each backend asked for (both: side by side, with the
 * ratio cluster/dev); `history` runs on the first; `repo` needs no Temporal. Results are printed
 * and saved as JSON in bench/results/.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { ensureBuild } from './build.js';
import { round, positiveFlag } from './stats.js';
import { startBackend, type Backend, type BackendName } from './scale/backend.js';
import { benchParked, type ParkedResult } from './scale/parked.js';
import { benchCanaries, type CanariesResult } from './scale/canaries.js';
import { benchRepo, type RepoResult } from './scale/repo.js';
import { benchHistory, type HistoryResult } from './scale/history.js';
import { formatCanaries, formatHistory, formatParked, formatRepo } from './scale/report.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PARTS = ['parked', 'canaries', 'repo', 'history'] as const;
type Part = (typeof PARTS)[number];

const { values } = parseArgs({
  options: {
    part: { type: 'string', default: PARTS.join(',') },
    backend: { type: 'string', default: 'both' },
    count: { type: 'string', default: '200' },
    wave: { type: 'string', default: '50' },
    sample: { type: 'string', default: '50' },
    canaries: { type: 'string', default: '100' },
    workers: { type: 'string', default: '2' },
    files: { type: 'string', default: '20000' },
    commits: { type: 'string', default: '10000' },
    steps: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const parts = values.part.split(',').map((p) => p.trim()) as Part[];
for (const p of parts) if (!PARTS.includes(p)) throw new Error(`--part ${p}: expected one or more of ${PARTS.join(', ')}, comma-separated`);
const backends: BackendName[] = values.backend === 'both' ? ['dev', 'cluster'] : [values.backend as BackendName];
if (!['dev', 'cluster', 'both'].includes(values.backend)) throw new Error(`--backend ${values.backend}: expected dev, cluster or both`);
const n = (flag: string) => positiveFlag(values, flag);
const json = values.json;
const say = (text: string) => {
  if (!json) process.stdout.write(text);
};

interface ScaleRecord {
  date: string;
  node: string;
  cpus: number;
  loadAverage1m: number;
  parked?: ParkedResult[];
  canaries?: CanariesResult[];
  repo?: RepoResult;
  history?: HistoryResult;
}

Runtime.install({ logger: new DefaultLogger('WARN') });
if (parts.some((p) => p !== 'repo')) await ensureBuild();
const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-bench-scale-'));
const record: ScaleRecord = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadAverage1m: round(os.loadavg()[0]!) };
let current: Backend | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the workers and Temporal ...\n`);
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

/** Runs `task` on a fresh backend of its own (in its own directory), stopped afterwards. */
async function on<T>(name: BackendName, part: string, task: (backend: Backend, dir: string) => Promise<T>): Promise<T> {
  const partDir = path.join(dir, `${part}-${name}`);
  await mkdir(partDir, { recursive: true });
  say(`[${name}] ${part}: starting ${name === 'dev' ? 'the Temporal dev server' : 'Temporal on PostgreSQL (TLS)'} ...\n`);
  current = await startBackend(name, partDir);
  try {
    return await task(current, partDir);
  } finally {
    await current.stop();
    current = undefined;
  }
}

let failed = false;
try {
  if (parts.includes('repo')) record.repo = await benchRepo(path.join(dir, 'repo'), { files: n('files'), commits: n('commits'), steps: n('steps') }, say);
  if (parts.includes('parked')) {
    record.parked = [];
    for (const b of backends) record.parked.push(await on(b, 'parked', (backend, d) => benchParked(backend, d, n('count'), n('sample'), n('wave'), say)));
  }
  if (parts.includes('canaries')) {
    record.canaries = [];
    for (const b of backends) record.canaries.push(await on(b, 'canaries', (backend, d) => benchCanaries(backend, d, n('canaries'), n('workers'), say)));
  }
  if (parts.includes('history')) record.history = await on(backends[0]!, 'history', (backend, d) => benchHistory(backend, d, say));
} catch (error) {
  failed = true;
  process.stderr.write(`\nbench:scale failed: ${(error as Error).stack ?? String(error)}\nlogs kept in ${dir}\n`);
} finally {
  if (!failed) await rm(dir, { recursive: true, force: true });
}
await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
const file = path.join(ROOT, 'bench/results', `scale-${record.date.slice(0, 19).replaceAll(':', '-')}.json`);
await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
if (json) console.log(JSON.stringify(record, null, 2));
else {
  const out: string[] = [`\nscale on ${record.cpus} cores, load average ${record.loadAverage1m} at the start`];
  if (record.parked) out.push(formatParked(record.parked));
  if (record.canaries) out.push(formatCanaries(record.canaries));
  if (record.repo) out.push(formatRepo(record.repo));
  if (record.history) out.push(formatHistory(record.history));
  out.push(`saved ${path.relative(ROOT, file)}`);
  console.log(out.join('\n\n'));
}
process.exit(failed ? 1 : 0);
