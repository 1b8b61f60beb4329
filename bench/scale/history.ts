/**
 * Part `history`: how many history events a promotion costs, read back from Temporal. Two
 * promotions of a three-stage pipeline (preview direct; staging a canary of `steps` setWeight
 * steps; production behind an approval gate, approved the CLI's way) with 2 and 10 canary steps:
 * every workflow's history length, per stage, and per canary step (the difference / 8). Then
 * where ramp's workflows continue as new (read from workflows/*.ts, so the figures stay true).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TemporalBackend } from '../../cli/temporal-backend.js';
import { cliSettings } from '../../cli/connection.js';
import { seedRepository } from '../../dev/seed-repository.js';
import { StagePhase } from '../../src/domain/phases.js';
import { benchPipeline } from '../pipeline.js';
import { stageStatusQuery, stageWorkflowId, type PromotionStatus } from '../../workflows/messages.js';
import { round } from '../stats.js';
import { startWorker, type Backend } from './backend.js';
import { APPROVER, startPromotion, until } from './promotions.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TASK_QUEUE = 'bench-scale-history';
const STEPS = [2, 10] as const;
const STAGES = ['preview', 'staging', 'production'] as const;
/** Temporal's default limit.historyCount.suggestContinueAsNew (server dynamic config, 4 × 1024; 4 MiB by size). */
export const SUGGEST_CONTINUE_AS_NEW = 4096;
/** Temporal's default limit.historyCount.error: a longer history is terminated. */
export const HISTORY_LIMIT_EVENTS = 51_200;

export interface HistoryResult {
  /** Per canary length: events of the promotion workflow and of each stage workflow; other workflows by type. */
  runs: { canarySteps: number; promotion: number; stages: Record<string, number> }[];
  /** Every workflow the two promotions ran (the Temporal server is the part's own), by type: how many and their events. */
  workflowsByType: Record<string, { count: number; events: number }>;
  /** (staging events with 10 steps − with 2) / 8. */
  eventsPerCanaryStep: number;
  /** production − preview: both direct stages, production behind an approval gate. */
  approvalGateEvents: number;
  /** A canary stage's events besides its steps (staging − steps × per step). */
  canaryStageBase: number;
  /** Canary steps one stage workflow takes before Temporal suggests continue-as-new (SUGGEST_CONTINUE_AS_NEW events). */
  stepsUntilSuggested: number;
  /** Canary steps before the hard limit (HISTORY_LIMIT_EVENTS): the workflow would be terminated. */
  stepsUntilLimit: number;
  continueAsNew: { file: string; trigger: string }[];
}

function pipeline(name: string, url: string, steps: number) {
  return benchPipeline(name, url, [
    { name: 'preview', file: 'deployment.yaml' },
    { name: 'staging', steps: Array.from({ length: steps }, (_, i) => `setWeight: ${Math.round(((i + 1) * 90) / steps)}`) },
    { name: 'production', approvers: [APPROVER] },
  ]);
}

/** Every continue-as-new trigger in workflows/: the constants and conditions next to continueAsNew calls. */
export async function continueAsNewTriggers(): Promise<{ file: string; trigger: string }[]> {
  const dir = path.join(ROOT, 'workflows');
  const out: { file: string; trigger: string }[] = [];
  for (const name of (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort()) {
    const text = await readFile(path.join(dir, name), 'utf8');
    if (!/continueAsNew[<(]/.test(text)) continue;
    const limits = [...text.matchAll(/const ([A-Z_]+(?:PER_RUN|LIMIT)) = ([\d_]+);/g)].map((m) => `${m[1]} = ${m[2]}`);
    const suggested = text.includes('continueAsNewSuggested') ? "Temporal's continueAsNewSuggested" : '';
    out.push({ file: `workflows/${name}`, trigger: [...limits, suggested].filter(Boolean).join(' or ') || 'see the file' });
  }
  return out;
}

export async function benchHistory(backend: Backend, dir: string, say: (line: string) => void): Promise<HistoryResult> {
  const { url } = await seedRepository(path.join(dir, 'gitops.git'));
  const worker = await startWorker(backend, dir, `worker-history-${backend.name}`, TASK_QUEUE);
  const io = { stdout: () => {}, stderr: () => {}, isTty: false, cwd: dir, env: { ...backend.env, RAMP_TASK_QUEUE: TASK_QUEUE } };
  const cli = new TemporalBackend(io, cliSettings(io, {}));
  const runs: HistoryResult['runs'] = [];
  const workflowsByType: HistoryResult['workflowsByType'] = {};
  try {
    for (const [k, steps] of STEPS.entries()) {
      say(`[${backend.name}] history: a promotion with a canary of ${steps} steps ... `);
      const spec = pipeline(`scale-history-${steps}`, url, steps);
      const id = await startPromotion(backend.client, TASK_QUEUE, spec, `2.${k}.0`);
      const production = backend.client.workflow.getHandle(stageWorkflowId(spec.name, 'production'));
      await until(
        `${spec.name}'s production gate`,
        async () => ((await production.query(stageStatusQuery).catch(() => null))?.phase === StagePhase.AwaitingApproval ? true : undefined),
        200,
        300_000,
      );
      await cli.stageCommand({ promotionId: id, stage: undefined, verb: 'approve', actor: APPROVER });
      const status = (await backend.client.workflow.getHandle(id).result()) as PromotionStatus;
      say(`${status.phase}\n`);
      const stages: Record<string, number> = {};
      for (const stage of STAGES) stages[stage] = (await backend.client.workflow.getHandle(stageWorkflowId(spec.name, stage)).describe()).historyLength;
      const promotion = (await backend.client.workflow.getHandle(id).describe()).historyLength;
      runs.push({ canarySteps: steps, promotion, stages });
    }
    // Visibility's historyLength is 0 while a workflow runs: describe each.
    for await (const w of backend.client.workflow.list()) {
      const entry = (workflowsByType[w.type] ??= { count: 0, events: 0 });
      entry.count++;
      entry.events += (await backend.client.workflow.getHandle(w.workflowId, w.runId).describe()).historyLength;
    }
  } finally {
    await cli.close();
    await worker.stop();
  }
  const [short, long] = runs;
  const perStep = (long!.stages.staging! - short!.stages.staging!) / (STEPS[1] - STEPS[0]);
  const base = long!.stages.staging! - STEPS[1] * perStep;
  return {
    runs,
    workflowsByType,
    eventsPerCanaryStep: round(perStep),
    approvalGateEvents: long!.stages.production! - long!.stages.preview!,
    canaryStageBase: round(base),
    stepsUntilSuggested: Math.floor((SUGGEST_CONTINUE_AS_NEW - base) / perStep),
    stepsUntilLimit: Math.floor((HISTORY_LIMIT_EVENTS - base) / perStep),
    continueAsNew: await continueAsNewTriggers(),
  };
}
