/** `ramp history <pipeline>`: what ramp did in the GitOps repository, read back from Git. */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { UserError } from '../../src/errors.js';
import type { historyWorkflow } from '../../workflows/history.js';
import type { HistoryEntry } from '../../workflows/messages.js';
import { noBlankFlags, positionals, positiveInt } from '../args.js';
import { colorOf, type Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, cliSettings, innermostMessage, seconds, temporalFlags, withTemporal } from '../connection.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';
import { loadPipeline } from '../pipelines.js';
import { renderHistory } from '../render/history.js';

/** @default 20 entries */
const DEFAULT_LIMIT = 20;
/** How long reading the history may take (a first clone of a large repository is slow). */
const HISTORY_TIMEOUT_MS = 120_000;

export const historyCommand: Command = {
  name: 'history',
  summary: "Show what ramp committed to a pipeline's GitOps repository: versions, approvals, rollbacks",
  usage: `ramp history <pipeline> [--stage S] [--limit N] [--json]

  Reads ramp's commits back from the pipeline's GitOps repository (their Ramp-* trailers), newest
  first: when, stage, version, promotion, step, commit, who approved, and for reverts which
  commit was rolled back and why. A worker reads the repository (it holds the credentials).

  --stage S   only this stage
  --limit N   at most N commits (default ${DEFAULT_LIMIT})
  --json      print the entries as JSON
${TEMPORAL_FLAGS_USAGE}

  ${exitCodesUsage('shown', 'invalid pipeline, unknown stage, the repository could not be read, or no worker')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...temporalFlags, stage: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const [pipeline] = positionals(given, ['pipeline'] as const);
    noBlankFlags(values);
    const limit = positiveInt(values.limit, '--limit', DEFAULT_LIMIT);
    const settings = cliSettings(io, values);
    const spec = await loadPipeline(pipeline, io);
    const names = spec.stages.map((s) => s.name);
    if (values.stage !== undefined && !names.includes(values.stage)) {
      throw new UserError(`pipeline ${spec.name} has no stage ${values.stage}; its stages: ${names.join(', ')}`);
    }
    const entries = await withTemporal(settings, async (temporal) => {
      await temporal.requireWorker();
      const workflowId = `history-${spec.name}-${randomUUID().slice(0, 8)}`;
      try {
        return await temporal.client.workflow.execute<typeof historyWorkflow>('historyWorkflow', {
          taskQueue: settings.taskQueue,
          workflowId,
          args: [{ repository: spec.repository, limit, ...(values.stage !== undefined ? { stage: values.stage } : {}) }],
          // Nobody polls the queue → the run times out instead of waiting for ever.
          workflowExecutionTimeout: Math.max(HISTORY_TIMEOUT_MS, settings.updateTimeoutMs),
        });
      } catch (error) {
        const explained = await temporal.explain(error, { kind: 'promotion', id: workflowId });
        if (explained instanceof UserError) throw explained;
        const why = innermostMessage(error);
        const slow = /timed? ?out/i.test(why)
          ? ` (no answer within ${seconds(HISTORY_TIMEOUT_MS)}: is the worker on task queue ${settings.taskQueue} busy or stuck?)`
          : '';
        throw new UserError(`could not read the history of ${spec.repository.url}: ${why}${slow}`);
      }
    });
    io.stdout(values.json ? json(entries satisfies HistoryEntry[]) : renderHistory(entries, { color: colorOf(io) }));
    return ExitCode.Ok;
  },
};
