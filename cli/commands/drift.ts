/** `ramp drift <pipeline>`: what differs between the live cluster and Git, per stage; accept or reject it. */
import { parseArgs } from 'node:util';
import { UsageError } from '../../src/errors.js';
import { noBlankFlags, positionals } from '../args.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend } from '../backend.js';
import { colorOf, type Command } from '../command.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';
import { renderDrift } from '../render/drift.js';

export const driftCommand: Command = {
  name: 'drift',
  summary: 'Show where the cluster differs from Git; accept (commit it) or reject (restore Git) a drift',
  usage: `ramp drift <pipeline> [--stage S] [--json]
ramp drift <pipeline> --stage S --accept|--reject [--reason TEXT] [--as USER]
ramp drift <pipeline> [--stage S] --watch|--stop

  Shows, for each stage with drift detection (or only --stage S), what its drift watch found at
  its last check: the objects whose managed fields (images, replicas, traffic weights, and the
  stage's drift.fields) differ from Git's head, and the watch's recent events.

  --accept    the cluster is right: ramp commits the live values to Git (trailer Ramp-Drift)
  --reject    Git is right: ramp re-applies Git's state of the drifted objects
  --reason    why, for the record
  --watch     start the stage's drift watch now (it also starts after each promotion of the
              stage), or hand a running one the pipeline as it is now
  --stop      stop the stage's drift watch (e.g. after removing drift from the pipeline)
  --json      print the watches' status as JSON
  --as USER   who decides (default $RAMP_USER, else $USER)
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('no drift (or the decision or watch was carried out)', 'drift found, a stage not watched, or the decision was refused (with the reason)')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...backendFlags,
        stage: { type: 'string' },
        accept: { type: 'boolean', default: false },
        reject: { type: 'boolean', default: false },
        watch: { type: 'boolean', default: false },
        stop: { type: 'boolean', default: false },
        reason: { type: 'string' },
        json: { type: 'boolean', default: false },
        as: { type: 'string' },
      },
    });
    const [pipelineName] = positionals(given, ['pipeline'] as const);
    noBlankFlags(values);
    if ([values.accept, values.reject, values.watch, values.stop].filter(Boolean).length > 1)
      throw new UsageError('--accept, --reject, --watch and --stop exclude each other');
    if ((values.accept || values.reject) && !values.stage)
      throw new UsageError(`--${values.accept ? 'accept' : 'reject'} needs --stage: say which environment you decide for`);
    return withBackend(io, chooseBackend(io, values), async (backend) => {
      const pipeline = await backend.pipeline(pipelineName);
      if (values.watch) {
        for (const line of await backend.startDriftWatches(pipeline, values.stage)) io.stdout(`${line}\n`);
        return ExitCode.Ok;
      }
      if (values.stop) {
        for (const line of await backend.stopDriftWatches(pipeline, values.stage, backend.actor(values.as))) io.stdout(`${line}\n`);
        return ExitCode.Ok;
      }
      if (values.accept || values.reject) {
        const stage = values.stage!;
        const decision = { actor: backend.actor(values.as), ...(values.reason ? { reason: values.reason } : {}) };
        const ack = await backend.driftDecision(pipeline, stage, values.accept ? 'accept' : 'reject', decision);
        io.stdout(values.json ? json(ack) : `${pipeline.name}/${stage}: ${ack.message}\n`);
        return ExitCode.Ok;
      }
      const found = await backend.driftReport(pipeline, values.stage);
      io.stdout(values.json ? json(found) : renderDrift(pipeline.name, found, { color: colorOf(io) }));
      return found.every((f) => f.status !== null && f.status.drifts.length === 0) ? ExitCode.Ok : ExitCode.Failure;
    });
  },
};
