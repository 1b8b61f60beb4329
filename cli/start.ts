/** Starting a promotion (promote, rollback) and, with --wait, following it. */
import type { RampBackend, StartRequest } from './backend.js';
import { colorOf, type CommandIo } from './command.js';
import { ExitCode } from './exit-codes.js';
import { follow } from './follow.js';
import { json, palette } from './output.js';

export async function startPromotion(backend: RampBackend, io: CommandIo, request: StartRequest, options: { wait: boolean; json: boolean }): Promise<ExitCode> {
  const started = await backend.start(request);
  const { promotionId, stages } = started;
  if (options.json && !options.wait) {
    io.stdout(json(started));
    return ExitCode.Ok;
  }
  if (!options.json) {
    const c = palette(colorOf(io));
    const what = started.kind === 'rollback' ? `rollback of ${stages.join(', ')} to ${started.version}` : `promotion ${stages.join(' → ')}`;
    io.stdout(`started ${c.bold(promotionId)}: ${what}\n`);
    if (!options.wait) {
      io.stdout(`  watch it:  ramp status ${promotionId} --watch\n  stop it:   ramp abort ${promotionId} --reason "..."\n`);
    }
  }
  return options.wait ? follow(backend, promotionId, io, { json: options.json }) : ExitCode.Ok;
}
