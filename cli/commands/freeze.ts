/** `ramp freeze`: show, declare or lift the organisation-wide freeze (docs/governance.md#freeze). */
import { parseArgs } from 'node:util';
import { freezeUntil } from '../../src/domain/freeze-rules.js';
import { UsageError } from '../../src/errors.js';
import { actorLabel } from '../../src/identity/actor.js';
import type { FreezeRecord } from '../../workflows/freeze-messages.js';
import { noBlankFlags, required } from '../args.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend } from '../backend.js';
import type { Command } from '../command.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';

const VERBS = ['declare', 'lift'] as const;
type Verb = (typeof VERBS)[number];

export const freezeCommand: Command = {
  name: 'freeze',
  summary: 'Show, declare or lift the organisation-wide freeze that stops every promotion',
  usage: `ramp freeze [--json]
ramp freeze declare --reason TEXT [--until TIME | --for DURATION] [--as USER] [--json]
ramp freeze lift --reason TEXT [--as USER] [--json]

  Without a verb: whether a freeze is in force — who declared it, from where, when, why and
  until when — and the freeze's recent record (declared, lifted, expired, refused).

  declare     stop the line: every stage waits (docs/governance.md#freeze) until the freeze
              is lifted or its --until passes
  lift        end the freeze in force
  --reason    why; required, recorded and shown to everyone the freeze stops
  --until     when it ends by itself: an ISO-8601 time with a zone (2026-12-24T18:00:00Z)
  --for       or a duration from now (4h, 1d, 1h30m)
  --json      print the freeze's record (or the answer) as JSON
  --as USER   who decides (default $RAMP_USER, else $USER); not through ramp server

  Who may declare and lift: members of the worker's RAMP_FREEZE_GROUPS (anyone when unset).
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('shown, declared or lifted', 'refused (with the reason), or ramp could not be reached')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...backendFlags,
        reason: { type: 'string' },
        until: { type: 'string' },
        for: { type: 'string' },
        json: { type: 'boolean', default: false },
        as: { type: 'string' },
      },
    });
    noBlankFlags(values);
    if (given.length > 1) throw new UsageError(`unexpected argument ${given.slice(1).join(' ')}: ramp freeze [declare|lift]`);
    const verb = given[0] as Verb | undefined;
    if (verb !== undefined && !VERBS.includes(verb))
      throw new UsageError(`unknown verb ${JSON.stringify(verb)}: ramp freeze, ramp freeze declare or ramp freeze lift`);
    if (verb !== 'declare' && (values.until !== undefined || values.for !== undefined)) {
      throw new UsageError(`--until and --for belong to ramp freeze declare`);
    }
    if (verb === undefined && (values.reason !== undefined || values.as !== undefined)) {
      throw new UsageError('--reason and --as belong to ramp freeze declare or lift; ramp freeze alone only shows');
    }
    const until = verb === 'declare' ? freezeUntil({ until: values.until, for: values.for }, Date.now()) : null;
    if (until && !until.ok) throw new UsageError(until.error);
    const reason =
      verb === undefined ? '' : required(values.reason, '--reason', `say why you ${verb} the freeze; it is recorded and shown to everyone it stops`);
    return withBackend(io, chooseBackend(io, values), async (backend) => {
      if (verb === undefined) {
        const record = await backend.freezeRecord();
        io.stdout(values.json ? json(record) : renderFreeze(record));
        return ExitCode.Ok;
      }
      const actor = backend.actor(values.as);
      const ack =
        verb === 'declare'
          ? await backend.declareFreeze({ actor, reason, until: until?.ok ? until.until : null })
          : await backend.liftFreeze({ actor, reason });
      io.stdout(values.json ? json(ack) : `${ack.message}\n`);
      return ExitCode.Ok;
    });
  },
};

/** How many of the record's events the plain output shows. */
const RECENT_EVENTS = 5;

/** The freeze for people: in force or not, then the latest events. */
export function renderFreeze(record: FreezeRecord): string {
  const { state } = record;
  const lines: string[] = [];
  if (state === null) lines.push('Not frozen: promotions run as their windows allow.');
  else {
    lines.push(`FROZEN: every promotion waits until the freeze is lifted${state.until === null ? '' : ` or until ${state.until}`}.`);
    lines.push(`  declared by ${actorLabel(state.declaredBy)} (${state.channel}) at ${state.declaredAt}`);
    lines.push(`  until       ${state.until ?? 'lifted (ramp freeze lift --reason …)'}`);
    lines.push(`  reason      ${state.reason}`);
  }
  const recent = record.events.slice(-RECENT_EVENTS);
  if (recent.length > 0) {
    lines.push('', 'Recent:');
    for (const event of recent) lines.push(`  ${event.at}  ${event.kind.padEnd(8)}  ${event.message}`);
  }
  return `${lines.join('\n')}\n`;
}
