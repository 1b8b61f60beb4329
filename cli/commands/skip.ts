/** `ramp skip <id>`: skip the active stage's remaining canary steps and promote it fully. */
import { parseArgs } from 'node:util';
import { skipUpdate } from '../../workflows/messages.js';
import { positionals } from '../args.js';
import type { Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, actorOf, cliSettings, temporalFlags } from '../connection.js';
import { exitCodesUsage } from '../exit-codes.js';
import { STAGE_FLAG_USAGE, sendToActiveStage } from '../stage-command.js';

export const skipCommand: Command = {
  name: 'skip',
  summary: 'Skip the active stage\'s remaining canary steps and promote it fully',
  usage: `ramp skip <promotion-id> [--stage S] [--as USER]

  Skips the remaining canary steps of the active stage and promotes it fully (stable = the
  new version, canary weight 0), like Argo Rollouts' \`promote --full\`. Refused while an
  approval lies ahead.

${STAGE_FLAG_USAGE}
  --as USER   who (default $RAMP_USER, else $USER)
${TEMPORAL_FLAGS_USAGE}

  ${exitCodesUsage('skipping', 'refused (direct stage, approval ahead, finished), no such promotion, or no worker')}`,

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
      verb: 'skip',
      update: skipUpdate,
      arg: { actor: actorOf(io, values.as) },
    });
  },
};
