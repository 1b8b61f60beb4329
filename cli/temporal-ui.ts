/**
 * Where the CLI finds the Temporal UI for links (`ramp status`): RAMP_TEMPORAL_UI_URL, else the
 * UI of the running dev stack when the command talks to it; none otherwise.
 */
import { parseSettings } from '../src/settings/parse.js';
import type { TemporalUi } from '../src/settings/temporal-ui.js';
import { cliVariables } from '../src/settings/variables.js';
import type { BackendChoice } from './backend.js';
import { envOf, type CommandIo } from './command.js';
import { devStackInUse } from './dev-stack.js';

/**
 * The Temporal UI and the namespace of ramp's workflows, or null. Through a ramp server the CLI
 * has no Temporal settings of its own: the namespace is then TEMPORAL_NAMESPACE, else `default`.
 */
export function cliTemporalUi(io: CommandIo, choice: BackendChoice): TemporalUi | null {
  const env = envOf(io);
  const url = parseSettings(cliVariables, env).RAMP_TEMPORAL_UI_URL;
  const namespace = choice.kind === 'temporal' ? choice.settings.namespace : env.TEMPORAL_NAMESPACE?.trim() || 'default';
  if (url) return { url, namespace };
  if (choice.kind !== 'temporal') return null;
  const stack = devStackInUse(io);
  return stack?.temporal.uiUrl ? { url: stack.temporal.uiUrl, namespace: stack.temporal.namespace } : null;
}
