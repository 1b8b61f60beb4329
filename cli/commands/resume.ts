/** `ramp resume <id>`: continue a paused stage: a pause step (timed or not) or an operator's pause. */
import { simpleStageCommand } from '../stage-command.js';

export const resumeCommand = simpleStageCommand({
  name: 'resume',
  summary: "Continue a paused stage: a pause step (timed or not) or an operator's pause",
  description: `  Continues the active stage past a pause step (indefinite or timed) or an operator's
  pause. It cannot stand in for an approval: use \`ramp approve\`.`,
  exitOk: 'resumed',
  exitFailure: 'refused (not paused, waiting for approval), no such promotion, or no worker',
});
