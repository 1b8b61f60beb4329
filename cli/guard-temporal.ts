/**
 * The history guards as the CLI (straight to Temporal) and `ramp server` read and decide them:
 * every running guard's status, and an acknowledgement sent to one repository's guard.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { UserError } from '../src/errors.js';
import { GUARD_WORKFLOW_TYPE, guardWorkflowId, publicUrl, type GuardedRepository } from '../src/domain/guard.js';
import { GuardPhase, acknowledgeUpdate, guardStatusQuery, type AcknowledgeArgs, type GuardStatus } from '../workflows/guard-messages.js';
import type { Ack } from '../workflows/messages.js';
import type { RampTemporal } from './connection.js';

/** Every running guard's status, by repository URL and branch. */
export async function readGuards(temporal: RampTemporal): Promise<GuardStatus[]> {
  const ids: string[] = [];
  try {
    for await (const execution of temporal.client.workflow.list({ query: `WorkflowType = '${GUARD_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'` })) {
      ids.push(execution.workflowId);
    }
  } catch (error) {
    throw await temporal.explain(error, { kind: 'promotion', id: '(history guards)' });
  }
  // Side by side, and one guard no worker answers for (its task queue has none) does not hide the others.
  const answers = await Promise.allSettled(ids.sort().map((id) => guardStatusOf(temporal, id)));
  return answers.flatMap((answer, i) => {
    if (answer.status === 'fulfilled') return answer.value ? [answer.value] : [];
    return [unreachable(ids[i]!, answer.reason)];
  });
}

/** A guard that did not answer, as a status that says so (its id names the repository and branch). */
function unreachable(id: string, reason: unknown): GuardStatus {
  const [url = id, branch = ''] = id.replace(/^guard:/, '').split(/#(?=[^#]*$)/);
  const why = reason instanceof Error ? reason.message : String(reason);
  return {
    url,
    branch,
    intervalMs: 0,
    phase: GuardPhase.Unreachable,
    message: `no worker answered for this guard: ${why}. Is a ramp worker running on its task queue?`,
    rewritten: null,
    branches: [],
    pipelines: [],
    promotions: {},
    lastCheck: null,
    checks: 0,
    events: [],
  };
}

/** One guard's status; null when the repository has none (ramp never pushed to it). */
export async function guardStatusOf(temporal: RampTemporal, id: string): Promise<GuardStatus | null> {
  try {
    return await temporal.client.workflow.getHandle(id).query(guardStatusQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw await temporal.explain(error, { kind: 'promotion', id });
  }
}

/** Sends an acknowledgement to the repository's guard (`updateId`: the signed decision's id, through the server). */
export async function acknowledgeGuard(temporal: RampTemporal, repository: GuardedRepository, args: AcknowledgeArgs, updateId?: string): Promise<Ack> {
  const id = guardWorkflowId(repository);
  const status = await guardStatusOf(temporal, id);
  if (status === null) {
    throw new UserError(
      `nothing to acknowledge: ${publicUrl(repository.url)} (branch ${repository.branch}) has no history guard yet — it starts with ramp's first push there`,
    );
  }
  return temporal.update({ kind: 'promotion', id }, acknowledgeUpdate, args, updateId);
}
