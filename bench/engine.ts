/**
 * `npm run bench`: three figures of the promotion engine on the real dev server, real worker and
 * real Git, printed and saved as JSON in bench/results/:
 *
 * 1. engine overhead per canary step beyond its own I/O: for a canary of 24 setWeight steps, the
 *    gap between one step's Git activity finishing and the next one starting (median over 23);
 * 2. rollback reaction time: from `abort` sent to the revert commit pushed (median and p95 over
 *    20 runs), with the share spent in the revert's own Git I/O;
 * 3. the canary-vs-baseline judge's time on 2 × 1,000 samples (median over 30 runs).
 */
import { benchPipelineYaml } from './pipeline.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import axios from 'axios';
import { KubeClusters } from '../src/providers/kube/clusters.js';
import { createActivities } from '../activities/index.js';
import type { RampActivities } from '../activities/contract.js';
import { seedRepository } from '../dev/seed-repository.js';
import { startDevServer } from '../scripts/lib/dev-server.js';
import { ensureTemporalCli } from '../scripts/lib/tools.js';
import { CachedGitOpsRepositories } from '../src/providers/git/index.js';
import { loadPipelineSource } from '../src/schema/load.js';
import type { PipelineSpec } from '../src/schema/pipeline.js';
import { abortSignal, promotionWorkflowId, stageStatusQuery, stageWorkflowId } from '../workflows/messages.js';
import type { promotionWorkflow } from '../workflows/promotion.js';
import { benchJudge } from './judge.js';
import { median, quantile, round } from './stats.js';
import { promotionOutcome } from '../workflows/promotion-outcome.js';
import { rampSinks } from '../src/observability/sinks.js';

const STEPS = 24;
const ROLLBACK_RUNS = 20;
const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Call {
  name: keyof RampActivities;
  step: string;
  start: number;
  end: number;
}

/** The real activities, timed: each call's start and end on this process's clock. */
function timed(activities: RampActivities, calls: Call[]): RampActivities {
  const wrap = <K extends keyof RampActivities>(name: K): RampActivities[K] =>
    (async (...args: unknown[]) => {
      const start = performance.now();
      try {
        return await (activities[name] as (...a: unknown[]) => Promise<unknown>)(...args);
      } finally {
        const step =
          (args[0] as { trailers?: { step?: string }; step?: string } | undefined)?.trailers?.step ?? (args[0] as { step?: string } | undefined)?.step ?? '';
        calls.push({ name, step, start, end: performance.now() });
      }
    }) as RampActivities[K];
  return Object.fromEntries((Object.keys(activities) as (keyof RampActivities)[]).map((k) => [k, wrap(k)])) as unknown as RampActivities;
}

function pipeline(name: string, url: string, steps: string[]): PipelineSpec {
  const result = loadPipelineSource(benchPipelineYaml(name, url, steps), 'bench.yaml');
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.spec;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-bench-'));
Runtime.install({ logger: new DefaultLogger('WARN') });
const server = await startDevServer({ temporal: (await ensureTemporalCli()).path, logFile: path.join(dir, 'temporal.log') });
try {
  const repo = await seedRepository(path.join(dir, 'gitops.git'));
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const calls: Call[] = [];
  const activities = timed(
    createActivities({
      repositories: new CachedGitOpsRepositories({ cacheDir: path.join(dir, 'cache') }),
      client,
      http: axios.create(),
      groupsFile: undefined,
      webhooks: [],
      clusters: new KubeClusters(),
    }),
    calls,
  );
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'workflows/index.ts'), logger: new DefaultLogger('WARN') });
  const worker = await Worker.create({ connection: nativeConnection, taskQueue: 'bench', workflowBundle, activities, sinks: rampSinks() });
  const start = (spec: PipelineSpec, version: string) =>
    client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue: 'bench',
      workflowId: promotionWorkflowId(spec.name, version),
      args: [{ apiVersion: 'ramp/v1', pipeline: spec, version, requestedBy: 'bench', kind: 'promote' }],
    });

  const results = await worker.runUntil(async () => {
    // 1. Overhead per canary step.
    process.stdout.write(`canary of ${STEPS} setWeight steps ... `);
    const weights = Array.from({ length: STEPS }, (_, i) => Math.round(((i + 1) * 96) / STEPS));
    const stepSpec = pipeline(
      'bench-steps',
      repo.url,
      weights.map((w) => `setWeight: ${w}`),
    );
    const t0 = performance.now();
    await (await start(stepSpec, '2.0.0')).result();
    const wall = performance.now() - t0;
    const commits = calls.filter((c) => c.name === 'commitStageChange').sort((a, b) => a.start - b.start);
    const gaps = commits.slice(1).map((c, i) => c.start - commits[i]!.end);
    const io = commits.map((c) => c.end - c.start);
    process.stdout.write(`${(wall / 1000).toFixed(1)} s\n`);

    // 2. Rollback reaction time.
    const reactions: number[] = [];
    const revertIo: number[] = [];
    for (let run = 1; run <= ROLLBACK_RUNS; run++) {
      process.stdout.write(`\rrollback run ${run}/${ROLLBACK_RUNS} `);
      const spec = pipeline(`bench-rollback-${run}`, repo.url, ['setWeight: 10', 'pause: {}']);
      const handle = await start(spec, `3.0.${run}`);
      const stage = client.workflow.getHandle(stageWorkflowId(spec.name, 'staging'));
      for (;;) {
        const s = await stage.query(stageStatusQuery).catch(() => null);
        if (s?.phase === 'Paused') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const sent = performance.now();
      await handle.signal(abortSignal, { promotionId: handle.workflowId, actor: 'bench', reason: 'bench' });
      await promotionOutcome(handle.result());
      const revert = calls.find((c) => c.name === 'revertStageCommits' && c.start >= sent)!;
      reactions.push(revert.end - sent);
      revertIo.push(revert.end - revert.start);
    }
    process.stdout.write('\n');
    return {
      canaryStep: {
        steps: STEPS,
        overheadMsMedian: round(median(gaps)),
        overheadMsP95: round(quantile(gaps, 0.95)),
        gitIoMsMedian: round(median(io)),
        stageWallMs: round(wall),
      },
      rollbackReaction: {
        runs: ROLLBACK_RUNS,
        msMedian: round(median(reactions)),
        msP95: round(quantile(reactions, 0.95)),
        revertGitIoMsMedian: round(median(revertIo)),
      },
    };
  });
  await connection.close();
  await nativeConnection.close();

  process.stdout.write('judge on 2 × 1,000 samples ... ');
  const judge = benchJudge();
  process.stdout.write('done\n');
  const record = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, ...results, judge };
  await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
  const file = path.join(ROOT, 'bench/results', `engine-${record.date.slice(0, 19).replaceAll(':', '-')}.json`);
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  const { canaryStep: c, rollbackReaction: r } = results;
  console.log(`
engine overhead per canary step (beyond its Git I/O): median ${c.overheadMsMedian} ms, p95 ${c.overheadMsP95} ms over ${c.steps - 1} steps
  (the step's own Git commit+push: median ${c.gitIoMsMedian} ms; overhead/I-O ratio ${(c.overheadMsMedian / c.gitIoMsMedian).toFixed(2)})
rollback reaction (abort sent → revert commit pushed): median ${r.msMedian} ms, p95 ${r.msP95} ms over ${r.runs} runs
  (of which the revert's own Git I/O: median ${r.revertGitIoMsMedian} ms)
judge (Mann-Whitney + Hodges-Lehmann CI, outlier removal) on 2 × ${judge.samplesPerSide} samples: median ${judge.msMedian} ms over ${judge.runs} runs (min ${judge.msMin}, max ${judge.msMax})
saved ${path.relative(ROOT, file)}`);
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
