/** `ramp resume <id>`: continue a paused stage: a pause step (timed or not) or an operator's pause. */
import { parseArgs } from 'node:util';
import { resumeUpdate } from '../../workflows/messages.js';
import { positionals } from '../args.js';
import type { Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, actorOf, cliSettings, temporalFlags } from '../connection.js';
import { exitCodesUsage } from '../exit-codes.js';
import { STAGE_FLAG_USAGE, sendToActiveStage } from '../stage-command.js';

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'Continue a paused stage: a pause step (timed or not) or an operator\'s pause',
  usage: `ramp resume <promotion-id> [--stage S] [--as USER]

  Continues the active stage past a pause step (indefinite or timed) or an operator's
  pause. It cannot stand in for an approval: use \`ramp approve\`.

${STAGE_FLAG_USAGE}
  --as USER   who (default $RAMP_USER, else $USER)
${TEMPORAL_FLAGS_USAGE}

  ${exitCodesUsage('resumed', 'refused (not paused, waiting for approval), no such promotion, or no worker')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...temporalFlags, stage: { type: 'string' }, as: { type: 'string' } },
    });
    const [promotionId] = positionals(given, ['promotion-id'] as const);
    return sendToActiveStage(io, {
      settings: cliSettings(io, values),
      promotionId,
      stage: values.stage,
      verb: 'resume',
      update: resumeUpdate,
      arg: { actor: actorOf(io, values.as) },
    });
  },
};
