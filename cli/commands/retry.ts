/** `ramp retry <id>`: re-run the stage that failed. */
import { parseArgs } from 'node:util';
import { noBlankFlags, positionals } from '../args.js';
import type { Command } from '../command.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend } from '../backend.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';

export const retryCommand: Command = {
  name: 'retry',
  summary: 'Re-run the stage that failed (the promotion is in phase Failed)',
  usage: `ramp retry <promotion-id> [--as USER]

  Re-runs the stage whose failure stopped the promotion (it was rolled back), as its next
  attempt. A failed promotion waits a day for retry, then gives up.

  --as USER   who (default $RAMP_USER, else $USER)
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('retrying', 'refused (nothing failed), no such promotion, or no worker')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({ args, allowPositionals: true, options: { ...backendFlags, as: { type: 'string' } } });
    const [promotionId] = positionals(given, ['promotion-id'] as const);
    noBlankFlags(values);
    const choice = chooseBackend(io, values);
    return withBackend(io, choice, async (backend) => {
      const ack = await backend.retry(promotionId, backend.actor(values.as));
      io.stdout(`${ack.message}\n`);
      return ExitCode.Ok;
    });
  },
};
