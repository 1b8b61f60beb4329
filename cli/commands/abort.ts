/** `ramp abort <id> --reason R`: stop the promotion; its active stage rolls back. */
import { parseArgs } from 'node:util';
import { noBlankFlags, positionals, required } from '../args.js';
import type { Command } from '../command.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend } from '../backend.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';

export const abortCommand: Command = {
  name: 'abort',
  summary: 'Stop a promotion: its active stage reverts its commits, the promotion ends',
  usage: `ramp abort <promotion-id> --reason TEXT [--signal] [--as USER]

  Aborts the promotion. The stage it is running stops, reverts its own commits newest first
  (Git ends byte-identical to before), and the promotion ends as Aborted. Stages already
  promoted stay promoted.

  --reason TEXT   why (required; kept on the record and in the revert commits)
  --signal        send the abort as a signal: no answer, no worker needed right now, for
                  alert hooks. Without it, the workflow answers at once (or says why not)
  --as USER       who (default $RAMP_USER, else $USER)
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('aborting (with --signal: signal delivered)', 'refused (already finished or aborting), no such promotion, or no worker')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...backendFlags, reason: { type: 'string' }, signal: { type: 'boolean', default: false }, as: { type: 'string' } },
    });
    const [promotionId] = positionals(given, ['promotion-id'] as const);
    noBlankFlags(values);
    const reason = required(values.reason, '--reason', 'say why you abort');
    const choice = chooseBackend(io, values);
    return withBackend(io, choice, async (backend) => {
      const ack = await backend.abort(promotionId, { actor: backend.actor(values.as), reason, signal: values.signal });
      io.stdout(`${ack.message}\n`);
      return ExitCode.Ok;
    });
  },
};
