/** `ramp drift <pipeline>`: what differs between the live cluster and Git, per stage; accept or reject it. */
import { parseArgs } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import { UsageError, UserError } from '../../src/errors.js';
import { DRIFT_WORKFLOW_TYPE, driftWorkflowId } from '../../src/domain/drift.js';
import type { PipelineSpec, StageSpec } from '../../src/schema/pipeline.js';
import { acceptDriftUpdate, driftSpecSignal, driftStatusQuery, rejectDriftUpdate, stopDriftSignal, type DriftStatus } from '../../workflows/drift-messages.js';
import { noBlankFlags, positionals } from '../args.js';
import { colorOf, type Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, actorOf, cliSettings, temporalFlags, withTemporal, type RampTemporal } from '../connection.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';
import { loadPipeline } from '../pipelines.js';
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
${TEMPORAL_FLAGS_USAGE}

  ${exitCodesUsage('no drift (or the decision or watch was carried out)', 'drift found, a stage not watched, or the decision was refused (with the reason)')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...temporalFlags,
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
    const settings = cliSettings(io, values);
    const pipeline = await loadPipeline(pipelineName, io);
    // A watch may outlive the drift settings that started it: --stop finds it by stage name.
    const stages = values.stop ? anyStages(pipeline, values.stage) : watchedStages(pipeline, values.stage);

    return withTemporal(settings, async (temporal) => {
      if (values.watch) {
        for (const stage of stages) io.stdout(`${await startWatch(temporal, pipeline, stage)}\n`);
        return ExitCode.Ok;
      }
      if (values.stop) {
        const actor = actorOf(io, values.as);
        for (const stage of stages) {
          const id = driftWorkflowId(pipeline.name, stage.name);
          try {
            await temporal.client.workflow.getHandle(id).signal(stopDriftSignal, { actor });
            io.stdout(`${pipeline.name}/${stage.name}: drift watch ${id} stopped\n`);
          } catch (error) {
            if (!(error instanceof WorkflowNotFoundError)) throw error;
            if (values.stage) throw new UserError(`nobody watches ${pipeline.name}/${stage.name} for drift; nothing to stop`);
          }
        }
        return ExitCode.Ok;
      }
      if (values.accept || values.reject) {
        const stage = stages[0]!;
        const target = { kind: 'drift' as const, id: driftWorkflowId(pipeline.name, stage.name), stage: stage.name, pipeline: pipeline.name };
        const decision = { actor: actorOf(io, values.as), ...(values.reason ? { reason: values.reason } : {}) };
        const ack = await temporal.update(target, values.accept ? acceptDriftUpdate : rejectDriftUpdate, decision);
        io.stdout(values.json ? json(ack) : `${pipeline.name}/${stage.name}: ${ack.message}\n`);
        return ExitCode.Ok;
      }
      const found: { stage: string; status: DriftStatus | null; problem: string | null }[] = [];
      for (const stage of stages) {
        const target = { kind: 'drift' as const, id: driftWorkflowId(pipeline.name, stage.name), stage: stage.name, pipeline: pipeline.name };
        try {
          found.push({ stage: stage.name, status: await temporal.query(target, driftStatusQuery), problem: null });
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          found.push({ stage: stage.name, status: null, problem: error.message });
        }
      }
      io.stdout(values.json ? json(found) : renderDrift(pipeline.name, found, { color: colorOf(io) }));
      return found.every((f) => f.status !== null && f.status.drifts.length === 0) ? ExitCode.Ok : ExitCode.Failure;
    });
  },
};

/** The stages with drift detection (and a sync mode), or the one --stage names. */
function watchedStages(pipeline: PipelineSpec, only: string | undefined): StageSpec[] {
  const watched = pipeline.stages.filter((s) => s.drift !== null && s.sync.mode !== 'none');
  if (only === undefined) {
    if (watched.length === 0) throw new UserError(`no stage of ${pipeline.name} watches for drift. Add drift: { policy: alert } (and a sync mode) to a stage`);
    return watched;
  }
  const stage = pipeline.stages.find((s) => s.name === only);
  if (!stage) throw new UserError(`${pipeline.name} has no stage ${only} (it has ${pipeline.stages.map((s) => s.name).join(', ')})`);
  if (!watched.includes(stage))
    throw new UserError(`stage ${only} of ${pipeline.name} does not watch for drift. Add drift: { policy: alert } (and a sync mode) to it`);
  return [stage];
}

/** Every stage, or the one --stage names. */
function anyStages(pipeline: PipelineSpec, only: string | undefined): StageSpec[] {
  if (only === undefined) return pipeline.stages;
  const stage = pipeline.stages.find((s) => s.name === only);
  if (!stage) throw new UserError(`${pipeline.name} has no stage ${only} (it has ${pipeline.stages.map((s) => s.name).join(', ')})`);
  return [stage];
}

async function startWatch(temporal: RampTemporal, pipeline: PipelineSpec, stage: StageSpec): Promise<string> {
  const spec = { pipeline: pipeline.name, repository: pipeline.repository, stage };
  const workflowId = driftWorkflowId(pipeline.name, stage.name);
  await temporal.client.workflow.signalWithStart(DRIFT_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: temporal.settings.taskQueue,
    args: [spec],
    signal: driftSpecSignal,
    signalArgs: [spec],
  });
  return `${pipeline.name}/${stage.name}: drift watch ${workflowId} compares the cluster with Git every ${Math.round((stage.drift?.intervalMs ?? 0) / 1000)} s`;
}
