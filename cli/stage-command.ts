/**
 * Commands for the stage a promotion is running (approve, reject, pause, resume, skip): find the
 * promotion's active stage, check it is the one the operator meant, and send the update to the
 * stage's workflow. The workflow's validator has the last word; its reason is printed on refusal.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { UserError } from '../src/errors.js';
import type { Ack, OperatorArgs } from '../workflows/messages.js';
import type { CommandIo } from './command.js';
import { withTemporal, type CliSettings } from './connection.js';
import { ExitCode } from './exit-codes.js';

export interface StageCommand<Arg extends OperatorArgs> {
  settings: CliSettings;
  promotionId: string;
  /** The stage the operator named (--stage); checked against the active one when given. */
  stage: string | undefined;
  /** `approve`, ... for messages. */
  verb: string;
  update: UpdateDefinition<Ack, [Arg]>;
  arg: Omit<Arg, 'promotionId'>;
}

export async function sendToActiveStage<Arg extends OperatorArgs>(io: CommandIo, command: StageCommand<Arg>): Promise<ExitCode> {
  const { promotionId, stage: wanted, verb } = command;
  return withTemporal(command.settings, async (temporal) => {
    const promotion = await temporal.promotionStatus(promotionId);
    const names = promotion.stages.map((s) => s.name);
    if (wanted !== undefined && !names.includes(wanted)) {
      throw new UserError(`promotion ${promotionId} has no stage ${wanted}; its stages: ${names.join(', ')}`);
    }
    const active = promotion.activeStage;
    if (!active) {
      throw new UserError(`promotion ${promotionId} has no active stage (phase ${promotion.phase}: ${promotion.message})${wanted ? `, not ${wanted}` : ''}; there is nothing to ${verb}`);
    }
    if (wanted !== undefined && active.name !== wanted) {
      throw new UserError(`promotion ${promotionId} is at stage ${active.name}, not ${wanted}`);
    }
    const arg = { ...command.arg, promotionId } as Arg;
    const ack = await temporal.update({ kind: 'stage', id: active.workflowId, stage: active.name, promotionId }, command.update, arg);
    io.stdout(`${ack.message}\n`);
    return ExitCode.Ok;
  });
}

/** The --stage flag and its usage line, shared by the stage commands. */
export const STAGE_FLAG_USAGE = '  --stage S   the stage you mean; refused if the promotion is elsewhere';
