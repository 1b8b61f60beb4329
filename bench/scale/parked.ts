/**
 * Part `parked`: N promotions parked at an approval gate (before the version is written), all
 * served by ONE `ramp worker` process, started in waves of `wave`. Measures the worker's resident memory idle and with all
 * of them parked, the time to start them all (until visibility shows every stage
 * AwaitingApproval), then the approval round trip for a sample while all the rest stay parked:
 * `ramp approve`'s own path (cli/temporal-backend.ts: the promotion's status query, then the
 * stage's approve update) until it acknowledges, and until the stage's status shows the gate
 * passed.
 */
import { performance } from 'node:perf_hooks';
import { TemporalBackend } from '../../cli/temporal-backend.js';
import { cliSettings } from '../../cli/connection.js';
import { StagePhase } from '../../src/domain/phases.js';
import { stageStatusQuery, stageWorkflowId } from '../../workflows/messages.js';
import { rssMiB } from '../server-stack.js';
import { latencySummary, round, type LatencySummary } from '../stats.js';
import type { Backend } from './backend.js';
import { startWorker } from './backend.js';
import { APPROVER, pool, scalePipeline, seedFolders, stagesIn, startPromotion, until } from './promotions.js';

const TASK_QUEUE = 'bench-scale-parked';
const VERSION = '2.0.0';

export interface ParkedResult {
  backend: string;
  parked: number;
  sample: number;
  workerRssMiB: { idle: number; parked: number; afterApprovals: number };
  /** Started this many at a time, each wave once the previous one was parked. */
  wave: number;
  /** From the first start to visibility showing every stage AwaitingApproval. */
  parkSeconds: number;
  /** The start calls alone (8 at a time). */
  startCallsSeconds: number;
  approveAck: LatencySummary;
  gatePassed: LatencySummary;
  /** Stages still AwaitingApproval after the sample was approved (should be parked − sample). */
  stillParked: number;
}

export async function benchParked(
  backend: Backend,
  dir: string,
  count: number,
  sample: number,
  wave: number,
  say: (line: string) => void,
): Promise<ParkedResult> {
  const url = await seedFolders(dir, ['parked']);
  const worker = await startWorker(backend, dir, `worker-parked-${backend.name}`, TASK_QUEUE);
  try {
    const idle = await rssMiB(worker.pid);
    const specs = Array.from({ length: count }, (_, i) => scalePipeline(`scale-parked-${i + 1}`, url, 'parked', { gate: true }));
    // In waves: 1,000 started at once left their activities (readHistory, appendAudit,
    // loadPolicies, deployWindow) scheduled but unstarted for minutes behind one worker's
    // backlog (after 5 minutes, 26 stages had started and none was at its gate; docs/performance.md).
    const t0 = performance.now();
    const ids: string[] = [];
    let startCalls = 0;
    for (let from = 0; from < count; from += wave) {
      const s0 = performance.now();
      ids.push(...(await pool(specs.slice(from, from + wave), 8, (spec) => startPromotion(backend.client, TASK_QUEUE, spec, VERSION))));
      startCalls += performance.now() - s0;
      const target = Math.min(count, from + wave);
      let last = -1;
      await until(
        `${target} promotions parked at their approval gate on ${backend.name}`,
        async () => {
          const n = await stagesIn(backend.client, StagePhase.AwaitingApproval);
          if (n !== last) say(`\r[${backend.name}] parked ${n}/${count} `);
          last = n;
          return n >= target || undefined;
        },
        1_000,
        30 * 60_000,
      );
    }
    const parkMs = performance.now() - t0;
    say('\n');
    const parked = await rssMiB(worker.pid);

    const io = { stdout: () => {}, stderr: () => {}, isTty: false, cwd: dir, env: { ...backend.env, RAMP_TASK_QUEUE: TASK_QUEUE } };
    const cli = new TemporalBackend(io, cliSettings(io, {}));
    const acks: number[] = [];
    const passed: number[] = [];
    const every = Math.max(1, Math.floor(count / sample));
    const chosen = specs.filter((_, i) => i % every === 0).slice(0, sample);
    try {
      for (const [k, spec] of chosen.entries()) {
        say(`\r[${backend.name}] approving ${k + 1}/${chosen.length} `);
        const stage = backend.client.workflow.getHandle(stageWorkflowId(spec.name, 'staging'));
        const sent = performance.now();
        await cli.stageCommand({ promotionId: ids[specs.indexOf(spec)]!, stage: undefined, verb: 'approve', actor: APPROVER });
        acks.push(performance.now() - sent);
        await until(
          `the gate of ${spec.name} to pass after its approval`,
          async () => ((await stage.query(stageStatusQuery)).phase !== StagePhase.AwaitingApproval ? true : undefined),
          5,
          60_000,
        );
        passed.push(performance.now() - sent);
      }
    } finally {
      await cli.close();
    }
    say('\n');
    // Visibility catches up with the last approvals in a moment: the rest must all still be parked.
    const stillParked = await until(
      `visibility to show ${count - chosen.length} stages still parked`,
      async () => {
        const n = await stagesIn(backend.client, StagePhase.AwaitingApproval);
        return n === count - chosen.length ? n : undefined;
      },
      500,
      60_000,
    );
    return {
      backend: backend.name,
      parked: count,
      sample: chosen.length,
      wave,
      workerRssMiB: { idle, parked, afterApprovals: await rssMiB(worker.pid) },
      parkSeconds: round(parkMs / 1000),
      startCallsSeconds: round(startCalls / 1000),
      approveAck: latencySummary(acks),
      gatePassed: latencySummary(passed),
      stillParked,
    };
  } finally {
    await worker.stop();
  }
}
