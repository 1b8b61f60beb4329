/** `ramp guard`: the history guards of the GitOps repositories (force-push detection); acknowledge a rewrite. */
import { parseArgs } from 'node:util';
import { UsageError } from '../../src/errors.js';
import { noBlankFlags } from '../args.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend } from '../backend.js';
import type { Command } from '../command.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';
import { renderGuards } from '../render/guard.js';

export const guardCommand: Command = {
  name: 'guard',
  summary: "Show whether any GitOps repository's history was rewritten (force-push); acknowledge it so that ramp writes again",
  usage: `ramp guard [status] [--json]
ramp guard ack <pipeline> --reason TEXT [--as USER]

  Every GitOps repository ramp pushed to has a history guard: every RAMP_GUARD_INTERVAL (worker,
  default 1m) it checks that the commits it watches — the branch's and ramp/audit's tips at the
  last check, and the commits ramp pushed — are still reachable. When one is not (a force-push,
  a deleted branch), ramp alerts (history-rewritten) and writes nothing to the repository: its
  stages pause (HistoryRewritten) until someone acknowledges.

  status      each watched repository: ok, or rewritten with the missing commits and since when
  ack         acknowledge the rewrite of the repository <pipeline> uses, with a reason; the
              current tips become the guard's baseline and writes resume (then ramp resume the
              paused promotions). Recorded with who and why. Through ramp server it needs
              administer on the pipeline (anyone, for a pipeline without an access block)
  --reason    why the rewrite is fine, or what was done about it (required)
  --json      print the guards' status (or the answer) as JSON
  --as USER   who acknowledges (default $RAMP_USER, else $USER)
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('every repository ok (or the acknowledgement was recorded)', 'a rewritten history, or the acknowledgement was refused (with the reason)')}`,

  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...backendFlags, reason: { type: 'string' }, json: { type: 'boolean', default: false }, as: { type: 'string' } },
    });
    noBlankFlags(values);
    const [verb = 'status', ...rest] = positionals;
    if (verb !== 'status' && verb !== 'ack')
      throw new UsageError(`ramp guard ${verb}: unknown; say ramp guard status, or ramp guard ack <pipeline> --reason "…"`);
    if (verb === 'status' && rest.length > 0) throw new UsageError(`ramp guard status takes no arguments, got ${rest.join(' ')}`);
    if (verb === 'ack') {
      if (rest.length !== 1)
        throw new UsageError('ramp guard ack needs one pipeline: the pipeline whose repository was rewritten, e.g. ramp guard ack web --reason "…"');
      if (!values.reason?.trim())
        throw new UsageError('ramp guard ack needs --reason "…": why the rewrite is fine, or what was done about it (it is recorded)');
    }
    return withBackend(io, chooseBackend(io, values), async (backend) => {
      if (verb === 'ack') {
        const pipeline = await backend.pipeline(rest[0]!);
        const ack = await backend.acknowledgeGuard(pipeline, { actor: backend.actor(values.as), reason: values.reason!.trim() });
        io.stdout(values.json ? json(ack) : `${pipeline.name}: ${ack.message}\n`);
        return ExitCode.Ok;
      }
      const guards = await backend.guards();
      io.stdout(values.json ? json(guards) : renderGuards(guards));
      return guards.some((g) => g.rewritten !== null) ? ExitCode.Failure : ExitCode.Ok;
    });
  },
};
