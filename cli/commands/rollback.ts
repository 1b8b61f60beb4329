/** `ramp rollback <pipeline> --stage S --to VERSION`: put an earlier release back in one stage. */
import { parseArgs } from 'node:util';
import { UserError } from '../../src/errors.js';
import { versionProblem } from '../../src/domain/version.js';
import { noBlankFlags, positionals, required } from '../args.js';
import type { Command } from '../command.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend } from '../backend.js';
import { exitCodesUsage } from '../exit-codes.js';
import { startPromotion } from '../start.js';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Put an earlier version back in one stage: straight to stable, no canary, no gate',
  usage: `ramp rollback <pipeline> --stage S --to VERSION [--reason TEXT] [--wait] [--json] [--as USER]

  Starts a rollback promotion (id <pipeline>@<VERSION>:rollback:<S>) that writes VERSION to
  stage S as stable: no approval gate, no canary steps, recorded in Git like any promotion.
  Other stages are not touched.

  --stage S     the stage (environment) to roll back
  --to VERSION  the version to put back
  --reason T    why (kept on the record)
  --wait        follow it until it ends
  --json        print the started rollback (with --wait: the final status) as JSON
  --as USER     who asks (default $RAMP_USER, else $USER)
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('started (with --wait: rolled back)', 'invalid pipeline, unknown stage, bad version, already running, refused, or (with --wait) it failed')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...backendFlags,
        stage: { type: 'string' },
        to: { type: 'string' },
        reason: { type: 'string' },
        wait: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        as: { type: 'string' },
      },
    });
    const [pipeline] = positionals(given, ['pipeline'] as const);
    noBlankFlags(values);
    const stage = required(values.stage, '--stage', 'name the stage to roll back');
    const version = required(values.to, '--to', 'name the version to put back');
    return withBackend(io, chooseBackend(io, values), async (backend) => {
      const requestedBy = backend.actor(values.as);
      const ref = await backend.pipeline(pipeline);
      // Through the server, the server checks the stage against its own definition.
      const names = ref.spec?.stages.map((s) => s.name);
      if (names && !names.includes(stage))
        throw new UserError(`pipeline ${ref.name} has no stage ${stage}; its stages: ${names.join(', ')}. Nothing was started`);
      const problem = versionProblem(version);
      if (problem) throw new UserError(`${problem}. Nothing was started`);
      return startPromotion(
        backend,
        io,
        { pipeline: ref, version, requestedBy, kind: 'rollback', stages: [stage], ...(values.reason ? { reason: values.reason } : {}) },
        values,
      );
    });
  },
};
