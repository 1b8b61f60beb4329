/**
 * Commands for the stage a promotion is running (approve, reject, pause, resume, skip): find the
 * promotion's active stage, check it is the one the operator meant, and send the command to it
 * (cli/active-stage.ts, through the backend). The workflow has the last word; its reason is
 * printed on refusal.
 */
import { parseArgs } from 'node:util';
import { noBlankFlags, positionals } from './args.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend, type RampBackend, type StageCommandRequest, type StageVerb } from './backend.js';
import type { Command, CommandIo } from './command.js';
import { ExitCode, exitCodesUsage } from './exit-codes.js';

/**
 * Sends the command built by `request` (which may refuse, e.g. a missing --as) and prints the
 * workflow's answer.
 */
export async function sendToActiveStage(
  io: CommandIo,
  flags: Parameters<typeof chooseBackend>[1],
  request: (backend: RampBackend) => StageCommandRequest,
): Promise<ExitCode> {
  const choice = chooseBackend(io, flags);
  return withBackend(io, choice, async (backend) => {
    const ack = await backend.stageCommand(request(backend));
    io.stdout(`${ack.message}\n`);
    return ExitCode.Ok;
  });
}

/** The --stage flag and its usage line, shared by the stage commands. */
export const STAGE_FLAG_USAGE = '  --stage S   the stage you mean; refused if the promotion is elsewhere';

/**
 * A command that sends one argument-less stage command (`resume`, `skip`): the promotion id,
 * optional `--stage` and `--as`, and the Temporal flags.
 */
export function simpleStageCommand(spec: {
  name: StageVerb;
  summary: string;
  /** What the command does, for its usage text (indented, wrapped). */
  description: string;
  exitOk: string;
  exitFailure: string;
  /** Takes `--reason TEXT` (kept on the record). */
  reason?: boolean;
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: `ramp ${spec.name} <promotion-id> [--stage S]${spec.reason ? ' [--reason TEXT]' : ''} [--as USER]

${spec.description}

${STAGE_FLAG_USAGE}${spec.reason ? '\n  --reason T  why (kept on the record)' : ''}
  --as USER   who (default $RAMP_USER, else $USER)
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage(spec.exitOk, spec.exitFailure)}`,

    async run(args, io) {
      const { values, positionals: given } = parseArgs({
        args,
        allowPositionals: true,
        options: { ...backendFlags, stage: { type: 'string' }, as: { type: 'string' }, ...(spec.reason ? { reason: { type: 'string' } } : {}) },
      });
      const [promotionId] = positionals(given, ['promotion-id'] as const);
      noBlankFlags(values);
      const reason = (values as { reason?: string }).reason;
      return sendToActiveStage(io, values, (backend) => ({
        promotionId,
        stage: values.stage,
        verb: spec.name,
        actor: backend.actor(values.as),
        ...(reason ? { reason } : {}),
      }));
    },
  };
}
