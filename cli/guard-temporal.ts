/**
 * The history guards as the CLI (straight to Temporal) and `ramp server` read and decide them:
 * every running guard's status, and an acknowledgement sent to one repository's guard.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { UserError } from '../src/errors.js';
import { GUARD_WORKFLOW_TYPE, guardWorkflowId, publicUrl, type GuardedRepository } from '../src/domain/guard.js';
import { acknowledgeUpdate, guardStatusQuery, type AcknowledgeArgs, type GuardStatus } from '../workflows/guard-messages.js';
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
  const found: GuardStatus[] = [];
  for (const id of ids.sort()) {
    const status = await guardStatusOf(temporal, id);
    if (status) found.push(status);
  }
  return found;
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
