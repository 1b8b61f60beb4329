/**
 * The organisation-wide freeze straight from Temporal: read its record, declare (starting the
 * `ramp-freeze` workflow on first use) and lift. Used by the CLI's Temporal backend and by
 * `ramp server` (which passes signed decisions and their ids as the Update ids).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { UserError } from '../src/errors.js';
import {
  declareFreezeUpdate,
  FREEZE_WORKFLOW_TYPE,
  freezeRecordQuery,
  liftFreezeUpdate,
  type DeclareFreezeArgs,
  type FreezeAck,
  type FreezeInput,
  type FreezeRecord,
  type LiftFreezeArgs,
} from '../workflows/freeze-messages.js';
import type { RampTemporal, Target } from './connection.js';
import { freezeWorkflowId } from '../src/domain/freeze-rules.js';

/** The freeze of the CLI's task queue (one per ramp deployment). */
function target(temporal: RampTemporal): Target {
  return { kind: 'promotion', id: freezeWorkflowId(temporal.settings.taskQueue) };
}

/** The freeze and its record; no freeze workflow (never declared, or ended) → nothing frozen, no events. */
export async function readFreezeRecord(temporal: RampTemporal): Promise<FreezeRecord> {
  const handle = temporal.client.workflow.getHandle(target(temporal).id);
  try {
    return await temporal.client.withDeadline(Date.now() + temporal.settings.updateTimeoutMs, async () => {
      const info = await handle.describe();
      if (info.status.name !== 'RUNNING') return { state: null, events: [] };
      return handle.query(freezeRecordQuery);
    });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { state: null, events: [] };
    throw await temporal.explain(error, target(temporal));
  }
}

/** Declares a freeze: starts the freeze workflow if none runs, then sends the declare Update. */
export async function declareFreeze(temporal: RampTemporal, args: DeclareFreezeArgs, updateId?: string): Promise<FreezeAck> {
  try {
    await temporal.client.withDeadline(Date.now() + temporal.settings.updateTimeoutMs, () =>
      temporal.client.workflow.start(FREEZE_WORKFLOW_TYPE, {
        workflowId: target(temporal).id,
        taskQueue: temporal.settings.taskQueue,
        args: [{} satisfies FreezeInput],
        // Running already: use it (a freeze declared and lifted before keeps its record).
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
  } catch (error) {
    throw await temporal.explain(error, target(temporal));
  }
  return temporal.update(target(temporal), declareFreezeUpdate, args, updateId);
}

/** Lifts the freeze in force; a UserError when nothing is frozen. */
export async function liftFreeze(temporal: RampTemporal, args: LiftFreezeArgs, updateId?: string): Promise<FreezeAck> {
  const record = await readFreezeRecord(temporal);
  if (record.state === null) throw new UserError('nothing is frozen; there is no freeze to lift (ramp freeze shows the record)');
  return temporal.update(target(temporal), liftFreezeUpdate, args, updateId);
}
