/**
 * One environment of a promotion: approval gate → write the version → canary steps → full
 * promotion; on failure, revert its own commits. Its workflow id is derived from (pipeline,
 * stage), so at most one promotion is in an environment at a time.
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { StageInput, StageStatus } from './messages.js';
import { StageRollout } from './stage-rollout.js';

export async function stageWorkflow(input: StageInput): Promise<StageStatus> {
  const rollout = new StageRollout(input);
  rollout.registerHandlers();
  await rollout.run();
  await condition(allHandlersFinished);
  return rollout.status;
}
