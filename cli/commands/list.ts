/**
 * `ramp list`: the promotions ramp knows, newest first, with their phase and whom they wait
 * for — read from Temporal's visibility (cli/temporal-list.ts), so no worker is needed.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../../src/errors.js';
import { positionals, positiveInt } from '../args.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend } from '../backend.js';
import { colorOf, type Command } from '../command.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';
import { renderList } from '../render/list.js';
import { FINISHED_PHASES } from '../temporal-list.js';

export { latestRuns, promotionsQuery, visiblePhase, type StageView } from '../temporal-list.js';

/** @default 50 promotions */
const DEFAULT_LIMIT = 50;

export const listCommand: Command = {
  name: 'list',
  summary: 'List running promotions with their phase and whom they wait for (--all: finished ones too)',
  usage: `ramp list [--all] [--pipeline P] [--phase PHASE] [--limit N] [--json]

  Lists promotions, newest first: id, phase, stage, whom it waits for, when it started. Read
  from Temporal's visibility (search attributes the workflows set), so it needs no worker. The
  phase of a running promotion is its stage's when the stage waits: AwaitingApproval,
  Paused, Inconclusive, AwaitingConfirmation; else Running, WaitingForEnvironment or Failed
  (waiting for retry or abort). A promotion id started again later is listed once, by its
  latest run (the one ramp status shows). Temporal's listing is eventually consistent: a change
  a moment ago may show up a second later.

  --all          include finished promotions
  --pipeline P   only promotions of pipeline P
  --phase PHASE  only promotions in this phase (case-insensitive); Succeeded and Aborted
                 are finished ones, every other phase running ones
  --limit N      at most N promotions (default ${DEFAULT_LIMIT})
  --json         print the list as JSON
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('listed', 'Temporal could not be reached')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...backendFlags,
        all: { type: 'boolean', default: false },
        pipeline: { type: 'string' },
        phase: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    positionals(given, [] as const);
    const limit = positiveInt(values.limit, '--limit', DEFAULT_LIMIT);
    const pipeline = values.pipeline === undefined ? undefined : queryValue(values.pipeline, '--pipeline');
    const phase = values.phase?.trim();
    const finished = phase !== undefined && FINISHED_PHASES.some((p) => p.toLowerCase() === phase.toLowerCase());
    // Any other phase belongs to running promotions only.
    const all = finished || (values.all && phase === undefined);
    return withBackend(io, chooseBackend(io, values), async (backend) => {
      const { rows, truncated } = await backend.list({ all, pipeline, phase, limit });
      io.stdout(
        values.json
          ? json(rows)
          : renderList(rows, { color: colorOf(io), all: all || values.all, truncated, filtered: phase !== undefined || pipeline !== undefined }),
      );
      return ExitCode.Ok;
    });
  },
};

/** A value for a visibility query: plain names only, so that it cannot change the query. */
function queryValue(value: string, flag: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) throw new UsageError(`${flag} must be a pipeline name (letters, digits, ".", "_", "-"), got "${value}"`);
  return value;
}
