/** Starting a promotion workflow (promote, rollback) and, with --wait, following it. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { UserError } from '../src/errors.js';
import type { PromotionInput } from '../workflows/messages.js';
import type { promotionWorkflow } from '../workflows/promotion.js';
import { colorOf, type CommandIo } from './command.js';
import type { RampTemporal } from './connection.js';
import { ExitCode } from './exit-codes.js';
import { follow } from './follow.js';
import { json, palette } from './output.js';
import { formatTime } from './render/format.js';

export async function startPromotion(
  temporal: RampTemporal,
  io: CommandIo,
  input: PromotionInput,
  promotionId: string,
  options: { wait: boolean; json: boolean },
): Promise<ExitCode> {
  let runId: string;
  try {
    const handle = await temporal.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue: temporal.settings.taskQueue,
      workflowId: promotionId,
      args: [input],
      workflowIdConflictPolicy: 'FAIL',
    });
    runId = handle.firstExecutionRunId;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) throw await alreadyRunning(temporal, promotionId);
    throw await temporal.explain(error, { kind: 'promotion', id: promotionId });
  }

  const stages = input.pipeline.stages.filter((s) => !input.stages || input.stages.includes(s.name)).map((s) => s.name);
  if (options.json && !options.wait) {
    io.stdout(json({ promotionId, runId, pipeline: input.pipeline.name, version: input.version, kind: input.kind, stages, requestedBy: input.requestedBy }));
    return ExitCode.Ok;
  }
  if (!options.json) {
    const c = palette(colorOf(io));
    const what = input.kind === 'rollback' ? `rollback of ${stages.join(', ')} to ${input.version}` : `promotion ${stages.join(' → ')}`;
    io.stdout(`started ${c.bold(promotionId)}: ${what}\n`);
    if (!options.wait) {
      io.stdout(`  watch it:  ramp status ${promotionId} --watch\n  stop it:   ramp abort ${promotionId} --reason "..."\n`);
    }
  }
  return options.wait ? follow(temporal, promotionId, io, { json: options.json }) : ExitCode.Ok;
}

async function alreadyRunning(temporal: RampTemporal, promotionId: string): Promise<UserError> {
  let since = '';
  try {
    since = ` (since ${formatTime((await temporal.describe({ kind: 'promotion', id: promotionId })).startTime.toISOString(), {})})`;
  } catch {
    // the message stands without it
  }
  return new UserError(
    `promotion ${promotionId} is already running${since}: see ramp status ${promotionId}, or end it with ramp abort ${promotionId} --reason "..."`,
  );
}
