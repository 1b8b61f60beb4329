/** `ramp reject <id> --stage S --as USER --reason R`: reject it; the stage rolls back. */
import { parseArgs } from 'node:util';
import { noBlankFlags, positionals, required } from '../args.js';
import type { Command } from '../command.js';
import { BACKEND_FLAGS_USAGE, backendFlags } from '../backend.js';
import { exitCodesUsage } from '../exit-codes.js';
import { sendToActiveStage } from '../stage-command.js';

export const rejectCommand: Command = {
  name: 'reject',
  summary: 'Reject the approval a stage waits for: the stage fails and rolls back',
  usage: `ramp reject <promotion-id> --stage S --as USER --reason TEXT

  Rejects the approval that stage S waits for. The stage stops, reverts its commits, and the
  promotion ends (Aborted).

  --stage S        the stage you reject; refused if the promotion is at another stage
  --as USER        who rejects (required)
  --reason TEXT    why (required; kept on the record)
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('rejection counted', 'refused (not an approver, not waiting, wrong stage), no such promotion, or no worker')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...backendFlags, stage: { type: 'string' }, as: { type: 'string' }, reason: { type: 'string' } },
    });
    const [promotionId] = positionals(given, ['promotion-id'] as const);
    noBlankFlags(values);
    const stage = required(values.stage, '--stage', 'name the stage you reject');
    const reason = required(values.reason, '--reason', 'say why');
    return sendToActiveStage(io, values, (backend) => ({ promotionId, stage, verb: 'reject', actor: backend.actor(values.as, 'say who rejects'), reason }));
  },
};
