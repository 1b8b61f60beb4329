/**
 * `ramp list` straight from Temporal: the promotions in visibility (the search attributes the
 * workflows upsert), newest first, with their phase and whom they wait for; no worker needed.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { PromotionPhase } from '../src/domain/phases.js';
import { promotionStatusQuery, type PromotionStatus } from '../workflows/messages.js';
import { abortedStatusOf } from '../workflows/promotion-outcome.js';
import { RampPhase, RampPromotion, RampStage, RampWaitingFor } from '../workflows/search-attributes.js';
import type { ListRequest, ListResult } from './backend.js';
import { innermostMessage, type RampTemporal } from './connection.js';
import type { PromotionRow } from './render/list.js';

/** Phases only finished promotions have: asking for them lists finished ones too. */
export const FINISHED_PHASES: readonly string[] = [PromotionPhase.Succeeded, PromotionPhase.Aborted];
/** Phases a promotion's own RampPhase says as listed: the server can filter on them. */
const OWN_PHASES: readonly string[] = [...FINISHED_PHASES, PromotionPhase.WaitingForEnvironment, PromotionPhase.Failed];

/** A stage workflow's view of the promotion it runs, from visibility. */
export interface StageView {
  stage: string | null;
  phase: string | null;
  waitingFor: string[];
}

/**
 * The visibility query for promotions. A phase the promotion itself shows (Succeeded, Aborted,
 * WaitingForEnvironment, Failed) is filtered by the server; a stage's phase by `ramp list`.
 */
export function promotionsQuery(options: { all: boolean; pipeline?: string | undefined; phase?: string | undefined }): string {
  const own = OWN_PHASES.find((p) => p.toLowerCase() === options.phase?.toLowerCase());
  return [
    'WorkflowType = "promotionWorkflow"',
    ...(options.all ? [] : ['ExecutionStatus = "Running"']),
    ...(options.pipeline !== undefined ? [`RampPipeline = "${options.pipeline}"`] : []),
    ...(own !== undefined ? [`RampPhase = "${own}"`] : []),
  ].join(' AND ');
}

/**
 * One execution per workflow id, the latest run: continue-as-new and a promotion started again
 * under the same id leave several executions, and only the latest one is what `ramp status` opens.
 */
export function latestRuns<T extends { workflowId: string; startTime: Date; status: { name: string } }>(executions: readonly T[]): T[] {
  const latest = new Map<string, T>();
  for (const e of executions) {
    const seen = latest.get(e.workflowId);
    // A run that continued as new is one chapter of the promotion; its successor supersedes it.
    const newer = !seen || e.startTime > seen.startTime || (e.startTime.getTime() === seen.startTime.getTime() && seen.status.name === 'CONTINUED_AS_NEW');
    if (newer) latest.set(e.workflowId, e);
  }
  return [...latest.values()].filter((e) => e.status.name !== 'CONTINUED_AS_NEW').sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
}

/**
 * The row's phase and waiting-for from the promotion's own attributes and, while it runs in a
 * stage that waits (approval, pause, inconclusive analysis), that stage's. Null when the
 * promotion has no attributes (started before ramp set them).
 */
export function visiblePhase(
  promotion: { phase: string | undefined; stage: string | undefined; waitingFor: string[] | undefined },
  stage: StageView | undefined,
): { phase: string; stage: string | null; waitingFor: string[] } | null {
  if (promotion.phase === undefined) return null;
  const own = { phase: promotion.phase, stage: promotion.stage ?? null, waitingFor: promotion.waitingFor ?? [] };
  if (promotion.phase !== PromotionPhase.Running || !stage?.phase) return own;
  // A stage that merely progresses says no more than Running; one that waits says what for.
  const waits = stage.waitingFor.length > 0 || !['Progressing', 'Promoting', 'Promoted'].includes(stage.phase);
  return waits ? { phase: stage.phase, stage: stage.stage ?? own.stage, waitingFor: stage.waitingFor } : own;
}

/** The promotions `ramp list` shows (`all` already says whether finished ones are wanted). */
export async function listPromotions(temporal: RampTemporal, options: ListRequest): Promise<ListResult> {
  try {
    const stages = await runningStages(temporal, options.pipeline);
    // Enough executions for `limit` ids after dropping earlier runs. A phase filtered here scans
    // running promotions only (or the server filtered it): a bounded set.
    const executions: WorkflowExecutionInfo[] = [];
    const ids = new Set<string>();
    const want = options.phase === undefined || options.all ? options.limit + 1 : Number.POSITIVE_INFINITY;
    for await (const execution of temporal.client.workflow.list({ query: promotionsQuery(options), pageSize: Math.min(1000, options.limit * 2 + 1) })) {
      executions.push(execution);
      ids.add(execution.workflowId);
      if (ids.size > want) break;
    }
    const rows: RowDraft[] = [];
    let truncated = false;
    // Filtered by the server, an earlier run of an id may match while its latest run does not.
    const serverFiltered = OWN_PHASES.some((p) => p.toLowerCase() === options.phase?.toLowerCase());
    for (const execution of latestRuns(executions)) {
      const row = await phaseOf(temporal, execution, stages);
      if (options.phase !== undefined && row.phase.toLowerCase() !== options.phase.toLowerCase()) continue;
      if (serverFiltered && (await temporal.client.workflow.getHandle(row.id).describe()).runId !== row.runId) continue;
      if (rows.length === options.limit) {
        truncated = true;
        break;
      }
      rows.push(row);
    }
    // How each finished one ended, read from its history (no worker needed), all at once.
    return { rows: await Promise.all(rows.map((r) => withMessage(temporal, r))), truncated };
  } catch (error) {
    throw await temporal.explain(error, { kind: 'promotion', id: '(list)' });
  }
}

/** The running stage workflows, by the promotion they belong to. */
async function runningStages(temporal: RampTemporal, pipeline: string | undefined): Promise<Map<string, StageView>> {
  const query = ['WorkflowType = "stageWorkflow"', 'ExecutionStatus = "Running"', ...(pipeline !== undefined ? [`RampPipeline = "${pipeline}"`] : [])].join(
    ' AND ',
  );
  const byPromotion = new Map<string, StageView>();
  for await (const e of temporal.client.workflow.list({ query })) {
    const attributes = e.typedSearchAttributes;
    const promotion = attributes.get(RampPromotion);
    if (promotion === undefined) continue;
    byPromotion.set(promotion, {
      stage: attributes.get(RampStage) ?? null,
      phase: attributes.get(RampPhase) ?? null,
      waitingFor: attributes.get(RampWaitingFor) ?? [],
    });
  }
  return byPromotion;
}

/** A listed run, with what its row needs to be completed. */
type RowDraft = PromotionRow & { runId: string; ended: boolean };

/** One promotion's line from visibility; a run from before the attributes is asked (running) or read (ended). */
async function phaseOf(temporal: RampTemporal, execution: WorkflowExecutionInfo, stages: Map<string, StageView>): Promise<RowDraft> {
  const attributes = execution.typedSearchAttributes;
  const running = execution.status.name === 'RUNNING';
  const base = {
    id: execution.workflowId,
    runId: execution.runId,
    ended: !running,
    startedAt: execution.startTime.toISOString(),
    closedAt: execution.closeTime?.toISOString() ?? null,
    message: null,
  };
  const visible = visiblePhase(
    { phase: attributes.get(RampPhase), stage: attributes.get(RampStage), waitingFor: attributes.get(RampWaitingFor) },
    running ? stages.get(execution.workflowId) : undefined,
  );
  const handle = temporal.client.workflow.getHandle(execution.workflowId, execution.runId);
  if (!running) {
    // Its RampPhase is how it ended when it ended by itself: Succeeded (completed) or Aborted
    // (PromotionAborted). Else (failed unexpectedly, terminated, timed out) the run says how.
    const own =
      (execution.status.name === 'COMPLETED' && visible?.phase === PromotionPhase.Succeeded) ||
      (execution.status.name === 'FAILED' && visible?.phase === PromotionPhase.Aborted);
    if (visible && own) return { ...base, ...visible, waitingFor: [] };
    const ended = await finalStatus(handle.result() as Promise<PromotionStatus>);
    return {
      ...base,
      phase: ended.status?.phase ?? execution.status.name.toLowerCase(),
      stage: visible?.stage ?? null,
      waitingFor: [],
      message: ended.status?.message ?? ended.failure,
    };
  }
  if (visible) return { ...base, ...visible };
  // Started before ramp set search attributes: ask the workflow, briefly.
  try {
    const status = await temporal.client.withDeadline(Date.now() + Math.min(temporal.settings.updateTimeoutMs, 3_000), () =>
      handle.query(promotionStatusQuery),
    );
    return { ...base, phase: status.phase, stage: status.activeStage?.name ?? null, waitingFor: [], message: status.message };
  } catch {
    return { ...base, phase: 'Running (no worker answered)', stage: null, waitingFor: [] };
  }
}

/** The row, with a finished promotion's closing message read from its end. */
async function withMessage(temporal: RampTemporal, { runId, ended, ...row }: RowDraft): Promise<PromotionRow> {
  if (!ended || row.message !== null) return row;
  const end = await finalStatus(temporal.client.workflow.getHandle(row.id, runId).result() as Promise<PromotionStatus>);
  return { ...row, message: end.status?.message ?? end.failure };
}

/** How a closed run ended: its final status, or the failure's message. */
async function finalStatus(result: Promise<PromotionStatus>): Promise<{ status: PromotionStatus | null; failure: string | null }> {
  try {
    return { status: await result, failure: null };
  } catch (error) {
    const status = abortedStatusOf(error);
    return status ? { status, failure: null } : { status: null, failure: innermostMessage(error) };
  }
}
