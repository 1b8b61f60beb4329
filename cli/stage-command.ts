/**
 * Commands for the stage a promotion is running (approve, reject, pause, resume, skip): find the
 * promotion's active stage, check it is the one the operator meant, and send the update to the
 * stage's workflow. The workflow's validator has the last word; its reason is printed on refusal.
 */
import { parseArgs } from 'node:util';
import type { UpdateDefinition } from '@temporalio/common';
import { UserError } from '../src/errors.js';
import type { Ack, OperatorArgs } from '../workflows/messages.js';
import { noBlankFlags, positionals } from './args.js';
import type { Command, CommandIo } from './command.js';
import { TEMPORAL_FLAGS_USAGE, actorOf, cliSettings, temporalFlags, withTemporal, type CliSettings } from './connection.js';
import { ExitCode, exitCodesUsage } from './exit-codes.js';

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
      throw new UserError(
        `promotion ${promotionId} has no active stage (phase ${promotion.phase}: ${promotion.message})${wanted ? `, not ${wanted}` : ''}; there is nothing to ${verb}`,
      );
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

/**
 * A command that sends one argument-less stage update (`resume`, `skip`): the promotion id,
 * optional `--stage` and `--as`, and the Temporal flags.
 */
export function simpleStageCommand(spec: {
  name: string;
  summary: string;
  /** What the command does, for its usage text (indented, wrapped). */
  description: string;
  update: UpdateDefinition<Ack, [OperatorArgs]>;
  exitOk: string;
  exitFailure: string;
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: `ramp ${spec.name} <promotion-id> [--stage S] [--as USER]

${spec.description}

${STAGE_FLAG_USAGE}
  --as USER   who (default $RAMP_USER, else $USER)
${TEMPORAL_FLAGS_USAGE}

  ${exitCodesUsage(spec.exitOk, spec.exitFailure)}`,

    async run(args, io) {
      const { values, positionals: given } = parseArgs({
        args,
        allowPositionals: true,
        options: { ...temporalFlags, stage: { type: 'string' }, as: { type: 'string' } },
      });
      const [promotionId] = positionals(given, ['promotion-id'] as const);
      noBlankFlags(values);
      return sendToActiveStage(io, {
        settings: cliSettings(io, values),
        promotionId,
        stage: values.stage,
        verb: spec.name,
        update: spec.update,
        arg: { actor: actorOf(io, values.as) },
      });
    },
  };
}
