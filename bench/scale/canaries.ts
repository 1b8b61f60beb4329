/**
 * Part `canaries`: N canaries (setWeight 20 → 50 → 80, then the full promotion) advancing at
 * once, each its own pipeline and environment folder of ONE GitOps repository, served by
 * `--workers` `ramp worker` processes (each with its own cached clone, so their pushes race:
 * the retries are counted by the workers' ramp_git_push_retries_total). Commits per second from
 * the branch's own count; engine overhead per step from the stage workflows' histories
 * (bench/scale/step-times.ts).
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runChecked } from '../../scripts/lib/proc.js';
import { PromotionPhase } from '../../src/domain/phases.js';
import type { PromotionStatus } from '../../workflows/messages.js';
import { stageWorkflowId } from '../../workflows/messages.js';
import { latencySummary, round, type LatencySummary } from '../stats.js';
import { counterSum, startWorker, type Backend } from './backend.js';
import { pool, scalePipeline, seedFolders, startPromotion } from './promotions.js';
import { stepTimes } from './step-times.js';

const TASK_QUEUE = 'bench-scale-canaries';
const STEPS = ['setWeight: 20', 'setWeight: 50', 'setWeight: 80'];

export interface CanariesResult {
  backend: string;
  canaries: number;
  workers: number;
  commits: number;
  wallSeconds: number;
  commitsPerSecond: number;
  pushes: number;
  pushRetries: number;
  pushConflicts: number;
  /** A step's commit completed → the workflow task reacting to it completed (waiting for a workflow slot included). */
  engineOverheadPerStep: LatencySummary;
  /** A step's commit completed → the next step's commit scheduled (the step's other activities included). */
  betweenSteps: LatencySummary;
  /** Each commit activity, scheduled → completed (queueing behind the clone included). */
  commitActivity: LatencySummary;
  failed: number;
}

async function commitCount(bare: string): Promise<number> {
  return Number((await runChecked('git', ['rev-list', '--count', 'main'], { cwd: bare })).stdout.trim());
}

export async function benchCanaries(backend: Backend, dir: string, count: number, workers: number, say: (line: string) => void): Promise<CanariesResult> {
  const folders = Array.from({ length: count }, (_, i) => `canary-${i + 1}`);
  const url = await seedFolders(dir, folders);
  const bare = fileURLToPath(url);
  const started: Awaited<ReturnType<typeof startWorker>>[] = [];
  for (let w = 1; w <= workers; w++) started.push(await startWorker(backend, dir, `worker-canaries-${backend.name}-${w}`, TASK_QUEUE));
  try {
    const specs = folders.map((folder) => scalePipeline(`scale-${folder}`, url, folder, { steps: STEPS }));
    const before = await commitCount(bare);
    say(`[${backend.name}] ${count} canaries of ${STEPS.length} steps on ${workers} worker(s) ...`);
    const t0 = performance.now();
    const ids = await pool(specs, 16, (spec) => startPromotion(backend.client, TASK_QUEUE, spec, '2.0.0'));
    let done = 0;
    const outcomes = await Promise.all(
      ids.map(async (id) => {
        const status = (await backend.client.workflow.getHandle(id).result()) as PromotionStatus;
        say(`\r[${backend.name}] ${count} canaries of ${STEPS.length} steps on ${workers} worker(s): ${++done} done `);
        return status.phase;
      }),
    );
    const wall = performance.now() - t0;
    say('\n');
    const commits = (await commitCount(bare)) - before;
    const sum = async (name: string) => (await Promise.all(started.map((w) => counterSum(w.metricsUrl, name)))).reduce((a, b) => a + b, 0);
    const times = await pool(specs, 8, async (spec) =>
      stepTimes((await backend.client.workflow.getHandle(stageWorkflowId(spec.name, 'staging')).fetchHistory()).events ?? []),
    );
    const gaps = times.flatMap((t) => t.gaps);
    const engine = times.flatMap((t) => t.engine);
    const io = times.flatMap((t) => t.io);
    return {
      backend: backend.name,
      canaries: count,
      workers,
      commits,
      wallSeconds: round(wall / 1000),
      commitsPerSecond: round(commits / (wall / 1000)),
      pushes: await sum('ramp_git_pushes_total'),
      pushRetries: await sum('ramp_git_push_retries_total'),
      pushConflicts: await sum('ramp_git_push_conflicts_total'),
      engineOverheadPerStep: latencySummary(engine),
      betweenSteps: latencySummary(gaps),
      commitActivity: latencySummary(io),
      failed: outcomes.filter((p) => p !== PromotionPhase.Succeeded).length,
    };
  } finally {
    for (const w of started) await w.stop();
  }
}
