/** `ramp abort <id> --reason R`: stop the promotion; its active stage rolls back. */
import { parseArgs } from 'node:util';
import { abortSignal, abortUpdate } from '../../workflows/messages.js';
import { noBlankFlags, positionals, required } from '../args.js';
import type { Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, actorOf, cliSettings, temporalFlags, withTemporal } from '../connection.js';
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
${TEMPORAL_FLAGS_USAGE}

  ${exitCodesUsage('aborting (with --signal: signal delivered)', 'refused (already finished or aborting), no such promotion, or no worker')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...temporalFlags, reason: { type: 'string' }, signal: { type: 'boolean', default: false }, as: { type: 'string' } },
    });
    const [promotionId] = positionals(given, ['promotion-id'] as const);
    noBlankFlags(values);
    const reason = required(values.reason, '--reason', 'say why you abort');
    const actor = actorOf(io, values.as);
    return withTemporal(cliSettings(io, values), async (temporal) => {
      const target = { kind: 'promotion', id: promotionId } as const;
      if (values.signal) {
        try {
          await temporal.client.workflow.getHandle(promotionId).signal(abortSignal, { promotionId, actor, reason });
        } catch (error) {
          throw await temporal.explain(error, target);
        }
        io.stdout(`abort signal sent to ${promotionId}; see ramp status ${promotionId}\n`);
        return ExitCode.Ok;
      }
      const ack = await temporal.update(target, abortUpdate, { promotionId, actor, reason });
      io.stdout(`${ack.message}\n`);
      return ExitCode.Ok;
    });
  },
};
