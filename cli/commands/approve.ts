/** `ramp approve <id> --stage S --as USER`: approve the approval the stage waits for. */
import { parseArgs } from 'node:util';
import { noBlankFlags, positionals, required } from '../args.js';
import type { Command } from '../command.js';
import { BACKEND_FLAGS_USAGE, backendFlags } from '../backend.js';
import { exitCodesUsage } from '../exit-codes.js';
import { sendToActiveStage } from '../stage-command.js';

export const approveCommand: Command = {
  name: 'approve',
  summary: 'Approve the approval gate or step a stage waits for',
  usage: `ramp approve <promotion-id> --stage S --as USER [--comment TEXT]

  Approves the approval that stage S of the promotion waits for (its gate, or an approval
  step). Only the pipeline's approvers count; a refused attempt is recorded, with its reason.

  --stage S        the stage you approve; refused if the promotion is at another stage
  --as USER        who approves (required: approvals are on the record)
  --comment TEXT   kept with the approval
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('approval counted', 'refused (not an approver, not waiting, wrong stage), no such promotion, or no worker')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...backendFlags, stage: { type: 'string' }, as: { type: 'string' }, comment: { type: 'string' } },
    });
    const [promotionId] = positionals(given, ['promotion-id'] as const);
    noBlankFlags(values);
    const stage = required(values.stage, '--stage', 'name the stage you approve');
    return sendToActiveStage(io, values, (backend) => ({
      promotionId,
      stage,
      verb: 'approve',
      actor: backend.actor(values.as, 'say who approves'),
      ...(values.comment ? { comment: values.comment } : {}),
    }));
  },
};
