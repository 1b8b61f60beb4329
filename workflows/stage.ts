/**
 * One environment of a promotion: approval gate → write the version → canary steps → full
 * promotion; on failure, revert its own commits. Its workflow id is derived from (pipeline,
 * stage), so at most one promotion is in an environment at a time.
 *
 * Its messages, all in messages.ts: the status Query; the Updates approve, reject, resume,
 * pause, skip, abort and windowOverride, each with a validator that refuses at once (stage-commands.ts); and
 * the abort Signal for alerts. The flow is in stage-rollout.ts.
 */
import { CancellationScope, allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import {
  abortSignal,
  abortUpdate,
  approveUpdate,
  pauseUpdate,
  rejectUpdate,
  resumeUpdate,
  skipUpdate,
  stageStatusQuery,
  type OperatorArgs,
  type StageInput,
  type StageStatus,
  windowOverrideUpdate,
} from './messages.js';
import { StageRollout } from './stage-rollout.js';

export async function stageWorkflow(input: StageInput): Promise<StageStatus> {
  const rollout = new StageRollout(input);
  const commands = rollout.commands;
  setHandler(stageStatusQuery, () => rollout.status);
  // Validators are typed by hand: the SDK's validator parameter is not inferred.
  setHandler(approveUpdate, (args) => commands.decideApproval('approve', args, args.comment ?? ''), {
    validator: (args: OperatorArgs) => commands.validateCommand(args),
  });
  setHandler(rejectUpdate, (args) => commands.decideApproval('reject', args, args.reason), {
    validator: (args: OperatorArgs) => commands.validateCommand(args),
  });
  setHandler(resumeUpdate, (args) => commands.resume(args), { validator: (args: OperatorArgs) => commands.validateResume(args) });
  setHandler(pauseUpdate, (args) => commands.pause(args), { validator: (args: OperatorArgs) => commands.validatePause(args) });
  setHandler(skipUpdate, (args) => commands.skip(args), { validator: (args: OperatorArgs) => commands.validateSkip(args) });
  setHandler(abortUpdate, (args) => commands.abort(args), { validator: (args: OperatorArgs & { reason: string }) => commands.validateAbort(args) });
  setHandler(windowOverrideUpdate, (args) => commands.windowOverride(args), {
    validator: (args: OperatorArgs & { reason: string }) => commands.validateWindowOverride(args),
  });
  setHandler(abortSignal, (args) => {
    if (commands.abortRefusal(args) === null) commands.abortRequested(args.actor, args.reason);
  });
  await rollout.run();
  await condition(allHandlersFinished);
  await CancellationScope.nonCancellable(() => rollout.auditDrained());
  return rollout.status;
}
