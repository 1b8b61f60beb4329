/** `ramp skip <id>`: skip the active stage's remaining canary steps and promote it fully. */
import { simpleStageCommand } from '../stage-command.js';

export const skipCommand = simpleStageCommand({
  name: 'skip',
  summary: "Skip the active stage's remaining canary steps and promote it fully",
  description: `  Skips the remaining canary steps of the active stage and promotes it fully (stable = the
  new version, canary weight 0), like Argo Rollouts' \`promote --full\`. Refused while an
  approval lies ahead.`,
  exitOk: 'skipping',
  reason: true,
  exitFailure: 'refused (direct stage, approval ahead, finished), no such promotion, or no worker',
});
