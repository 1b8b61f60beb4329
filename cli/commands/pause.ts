/** `ramp pause <id>`: pause the active stage after its current step, until resume. */
import { parseArgs } from 'node:util';
import { noBlankFlags, positionals } from '../args.js';
import type { Command } from '../command.js';
import { BACKEND_FLAGS_USAGE, backendFlags } from '../backend.js';
import { exitCodesUsage } from '../exit-codes.js';
import { STAGE_FLAG_USAGE, sendToActiveStage } from '../stage-command.js';

export const pauseCommand: Command = {
  name: 'pause',
  summary: 'Pause the active stage after its current step, until resume',
  usage: `ramp pause <promotion-id> [--stage S] [--reason TEXT] [--as USER]

  Stops the canary of the promotion's active stage after the step in progress, until
  \`ramp resume\`. Only canary stages pause.

${STAGE_FLAG_USAGE}
  --reason T  why (kept on the record)
  --as USER   who (default $RAMP_USER, else $USER)
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('paused', 'refused (direct stage, already paused, finished), no such promotion, or no worker')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...backendFlags, stage: { type: 'string' }, reason: { type: 'string' }, as: { type: 'string' } },
    });
    const [promotionId] = positionals(given, ['promotion-id'] as const);
    noBlankFlags(values);
    return sendToActiveStage(io, values, (backend) => ({
      promotionId,
      stage: values.stage,
      verb: 'pause',
      actor: backend.actor(values.as),
      ...(values.reason ? { reason: values.reason } : {}),
    }));
  },
};
