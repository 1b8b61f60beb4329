/** `ramp list`: the promotions Temporal knows, newest first. */
import { parseArgs } from 'node:util';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { promotionStatusQuery, type PromotionStatus } from '../../workflows/messages.js';
import { positionals, positiveInt } from '../args.js';
import { colorOf, type Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, cliSettings, temporalFlags, withTemporal, type RampTemporal } from '../connection.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';
import { renderList, type PromotionRow } from '../render/list.js';

/** @default 50 promotions */
const DEFAULT_LIMIT = 50;

export const listCommand: Command = {
  name: 'list',
  summary: 'List running promotions (--all: finished ones too)',
  usage: `ramp list [--all] [--limit N] [--json]

  Lists promotions, newest first: id, phase, when it started. Running ones are asked for their
  phase; finished ones show how they ended. Temporal's listing is eventually consistent: a
  promotion started a moment ago may show up a second later.

  --all       include finished promotions
  --limit N   at most N promotions (default ${DEFAULT_LIMIT})
  --json      print the list as JSON
${TEMPORAL_FLAGS_USAGE}

  ${exitCodesUsage('listed', 'Temporal could not be reached')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...temporalFlags, all: { type: 'boolean', default: false }, limit: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    positionals(given, [] as const);
    const limit = positiveInt(values.limit, '--limit', DEFAULT_LIMIT);
    return withTemporal(cliSettings(io, values), async (temporal) => {
      const query = `WorkflowType = "promotionWorkflow"${values.all ? '' : ' AND ExecutionStatus = "Running"'}`;
      const executions: WorkflowExecutionInfo[] = [];
      let truncated = false;
      try {
        for await (const execution of temporal.client.workflow.list({ query, pageSize: limit + 1 })) {
          // A run that continued as new is one chapter of a promotion listed by its latest run.
          if (execution.status.name === 'CONTINUED_AS_NEW') continue;
          if (executions.length === limit) {
            truncated = true;
            break;
          }
          executions.push(execution);
        }
      } catch (error) {
        throw await temporal.explain(error, { kind: 'promotion', id: '(list)' });
      }
      const rows = await Promise.all(executions.map((e) => row(temporal, e)));
      io.stdout(values.json ? json(rows) : renderList(rows, { color: colorOf(io), all: values.all, truncated }));
      return ExitCode.Ok;
    });
  },
};

/** One promotion's line: its own phase when it can be read quickly, else the execution status. */
async function row(temporal: RampTemporal, execution: WorkflowExecutionInfo): Promise<PromotionRow> {
  const base = { id: execution.workflowId, startedAt: execution.startTime.toISOString(), closedAt: execution.closeTime?.toISOString() ?? null };
  let status: PromotionStatus | null = null;
  try {
    const handle = temporal.client.workflow.getHandle(execution.workflowId, execution.runId);
    if (execution.status.name === 'RUNNING') {
      status = await temporal.client.withDeadline(Date.now() + Math.min(temporal.settings.updateTimeoutMs, 3_000), () => handle.query(promotionStatusQuery));
    } else if (execution.status.name === 'COMPLETED') {
      status = (await handle.result()) as PromotionStatus;
    }
  } catch {
    status = null; // no worker, or a run that ended otherwise: the execution status says enough
  }
  return status
    ? { ...base, phase: status.phase, message: status.message }
    : { ...base, phase: execution.status.name === 'RUNNING' ? 'Running (no worker answered)' : execution.status.name.toLowerCase(), message: null };
}
