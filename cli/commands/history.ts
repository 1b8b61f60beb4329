/** `ramp history <pipeline>`: what ramp did in the GitOps repository, read back from Git. */
import { parseArgs } from 'node:util';
import { UserError } from '../../src/errors.js';
import type { HistoryEntry } from '../../workflows/messages.js';
import { noBlankFlags, positionals, positiveInt } from '../args.js';
import { colorOf, type Command } from '../command.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend } from '../backend.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';
import { renderHistory } from '../render/history.js';

/** @default 20 entries */
const DEFAULT_LIMIT = 20;

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
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('shown', 'invalid pipeline, unknown stage, the repository could not be read, or no worker')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...backendFlags, stage: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const [pipeline] = positionals(given, ['pipeline'] as const);
    noBlankFlags(values);
    const limit = positiveInt(values.limit, '--limit', DEFAULT_LIMIT);
    const entries = await withBackend(io, chooseBackend(io, values), async (backend) => {
      const ref = await backend.pipeline(pipeline);
      // Through the server, the server checks the stage against its own definition.
      const names = ref.spec?.stages.map((s) => s.name);
      if (names && values.stage !== undefined && !names.includes(values.stage)) {
        throw new UserError(`pipeline ${ref.name} has no stage ${values.stage}; its stages: ${names.join(', ')}`);
      }
      return backend.history(ref, { stage: values.stage, limit });
    });
    io.stdout(values.json ? json(entries satisfies HistoryEntry[]) : renderHistory(entries, { color: colorOf(io) }));
    return ExitCode.Ok;
  },
};
