/** `ramp status <id>`: a promotion, its stages, steps, commits, approvals and recent events. */
import { parseArgs } from 'node:util';
import { UserError } from '../../src/errors.js';
import { noBlankFlags, positionals } from '../args.js';
import { colorOf, sizeOf, type Command, type CommandIo } from '../command.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend, type RampBackend } from '../backend.js';
import { promotionLink } from '../../src/settings/temporal-ui.js';
import { cliTemporalUi } from '../temporal-ui.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { HttpBackend } from '../http-backend.js';
import type { Snapshot } from '../follow.js';
import { json } from '../output.js';
import { renderStatus, renderStatusScreen } from '../render/status.js';
import { redrawScreen } from '../screen.js';

/** @default 1000 ms between reads of --watch */
const WATCH_POLL_MS = 1_000;

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show a promotion: stages, canary steps, commits, approvals, events (--watch to follow)',
  usage: `ramp status <promotion-id> [--watch] [--json]

  Shows the promotion (e.g. web@1.4.2) and, when it waits for a person, the commands that
  answer it; each stage's phase and attempt, the canary steps (✔ succeeded, ◌ running,
  ‖ paused, ✖ failed, ↷ skipped, ⚠ overridden, · pending), the canary weight, analysis runs
  with the measured values, commits and reverts, approvals (with refused attempts and why),
  overrides, and the last events. With RAMP_TEMPORAL_UI_URL set (or next to a ramp dev stack),
  a last line links the promotion's workflow in the Temporal UI.

  --watch   follow it until it ends. On a terminal: one screen, redrawn in place when something
            changes (the stage that matters in detail, the others on a line each, the latest
            events); otherwise (a pipe, a file) the full status again whenever something changed
  --json    print { promotion, activeStage } as JSON (with --watch: one document per change)
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('shown', 'no such promotion, or Temporal or a worker did not answer')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...backendFlags, watch: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    });
    const [id] = positionals(given, ['promotion-id'] as const);
    noBlankFlags(values);
    const choice = chooseBackend(io, values);
    const ui = cliTemporalUi(io, choice);
    const link = ui ? promotionLink(ui, id) : null;
    return withBackend(io, choice, async (backend) => {
      if (!values.watch) {
        io.stdout(show(await backend.snapshot(id), io, values.json, backend instanceof HttpBackend, link));
        return ExitCode.Ok;
      }
      return watch(backend, id, io, values.json, link);
    });
  },
};

/** `temporalUi`: the promotion workflow in the Temporal UI, the human output's last line (never in the JSON). */
function show(snapshot: Snapshot, io: CommandIo, asJson: boolean, throughServer: boolean, temporalUi: string | null): string {
  return asJson ? json(snapshot) : renderStatus(snapshot.promotion, snapshot.activeStage, { color: colorOf(io), throughServer, temporalUi });
}

/**
 * On a terminal, one screen redrawn in place (never scrolled, so the scrollback keeps no
 * copies), only when it changed or the terminal was resized; elsewhere the full status (or
 * JSON) again whenever it changed.
 */
async function watch(backend: RampBackend, id: string, io: CommandIo, asJson: boolean, temporalUi: string | null): Promise<ExitCode> {
  const onScreen = io.isTty && !asJson;
  const throughServer = backend instanceof HttpBackend;
  let last = '';
  for await (const snapshot of backend.snapshots(id, backend.pollMs ?? WATCH_POLL_MS)) {
    if (onScreen) {
      const frame = renderStatusScreen(snapshot.promotion, snapshot.activeStage, { color: colorOf(io), throughServer, ...sizeOf(io) });
      const text = frame.join('\n');
      if (text !== last) io.stdout(redrawScreen(frame, last === ''));
      last = text;
    } else {
      const text = show(snapshot, io, asJson, throughServer, temporalUi);
      if (text !== last) io.stdout(last === '' || asJson ? text : `\n${text}`);
      last = text;
    }
    if (snapshot.promotion.finishedAt !== null) return ExitCode.Ok;
  }
  throw new UserError(`the status of ${id} stopped coming before the promotion ended; run ramp status ${id} --watch again`);
}
