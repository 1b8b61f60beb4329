/** `ramp window-override <id> --reason TEXT`: let the active stage through a closed deploy window or a freeze. */
import { simpleStageCommand } from '../stage-command.js';

export const windowOverrideCommand = simpleStageCommand({
  name: 'window-override',
  summary: 'Let the active stage run outside its deploy window or through a freeze (needs --reason)',
  description: `  Lets the active stage through the closed period of its deploy window, or through the
  organisation's freeze, once: when the window closes again later, onClose applies again.
  Needs the override permission (open without an access block; administer implies it) and a
  reason; recorded with who overrode (docs/governance.md#deploy-windows).`,
  exitOk: 'the stage goes on',
  reason: true,
  exitFailure: 'refused (no reason, the window is open, no override permission, finished), no such promotion, or no worker',
});
