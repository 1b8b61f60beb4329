/** `ramp dora <pipeline>`: DORA's four keys for one stage, computed from ramp's own commits. */
import { parseArgs } from 'node:util';
import { UsageError, UserError } from '../../src/errors.js';
import { DEFAULT_SINCE, parsePeriod } from '../../src/dora/period.js';
import type { DoraReport } from '../../src/dora/report.js';
import { noBlankFlags, positionals } from '../args.js';
import { colorOf, type Command } from '../command.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend } from '../backend.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';
import { renderDora } from '../render/dora.js';

export const doraCommand: Command = {
  name: 'dora',
  summary: "Show a stage's DORA figures (deployments, lead time, change failures, recovery), from ramp's own commits",
  usage: `ramp dora <pipeline> [--env STAGE] [--since 30d|ISO] [--until ISO] [--json]

  Computes DORA's four keys for one stage of the pipeline from the commits ramp wrote to its
  GitOps repository (their Ramp-* trailers; docs/dora.md has every definition): deployment
  frequency, lead time for changes (from the release's source time, ramp promote
  --source-time), change failure rate (releases remediated by a rollback, a revert or a
  fix-forward release) and the time to restore; and, counted apart, the canary catches (releases
  stopped before full exposure), the failures still open, and the period's releases. A worker
  reads the repository (it holds the credentials).

  --env STAGE   the environment (default: the pipeline's last stage, e.g. production)
  --since WHEN  the period's start: a duration back (30d, 12h, 90m, 2w) or an ISO-8601 time
                (2026-11-01, 2026-11-01T00:00:00Z); default ${DEFAULT_SINCE}
  --until ISO   the period's end, exclusive (default: now); a --since duration counts back from it
  --json        print the report as JSON (what GET /api/v1/pipelines/{pipeline}/dora answers)
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('shown', 'invalid pipeline, unknown stage, a bad period, the repository could not be read, or no worker')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...backendFlags, env: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    const [pipeline] = positionals(given, ['pipeline'] as const);
    noBlankFlags(values);
    const period = parsePeriod({ since: values.since, until: values.until }, new Date());
    if (!period.ok) throw new UsageError(period.problem);
    const report = await withBackend(io, chooseBackend(io, values), async (backend) => {
      const ref = await backend.pipeline(pipeline);
      // Through the server, the server checks the stage (and picks the last) from its own definition.
      const names = ref.spec?.stages.map((s) => s.name);
      if (names && values.env !== undefined && !names.includes(values.env)) {
        throw new UserError(`pipeline ${ref.name} has no stage ${values.env}; its stages: ${names.join(', ')}`);
      }
      return backend.dora(ref, { stage: values.env, since: period.since, until: period.until });
    });
    io.stdout(values.json ? json(report satisfies DoraReport) : renderDora(report, { color: colorOf(io) }));
    return ExitCode.Ok;
  },
};
