/** `ramp promote <pipeline> <version>`: start promoting a version through every stage. */
import { parseArgs } from 'node:util';
import { UserError } from '../../src/errors.js';
import { versionProblem } from '../../src/domain/version.js';
import { noBlankFlags, positionals } from '../args.js';
import type { Command } from '../command.js';
import { BACKEND_FLAGS_USAGE, backendFlags, chooseBackend, withBackend } from '../backend.js';
import { exitCodesUsage } from '../exit-codes.js';
import { releaseFromFlags } from '../release-flags.js';
import { startPromotion } from '../start.js';

export const promoteCommand: Command = {
  name: 'promote',
  summary: "Start promoting a version through a pipeline's stages (--wait to follow it)",
  usage: `ramp promote <pipeline> <version> [--wait] [--json] [--as USER] [--source-commit SHA] [--source-time ISO] [--fixes VERSION] [--author WHO]...

  Validates the pipeline and starts promotion <pipeline>@<version> through its stages, in order.
  <pipeline> is a name, looked up as $RAMP_PIPELINES_DIR/<name>.yaml (or .yml; default
  ./pipelines), or a path to a pipeline file. <version> is the image tag to promote.
  Nothing is started when the pipeline is invalid or the version is not a valid tag.

  --wait      follow the promotion, one line per event, until it ends; waits for approvals
              and pauses are announced and waited through
  --json      print the started promotion (with --wait: the final status) as JSON
  --as USER   who asks (default $RAMP_USER, else $USER)
  --source-commit SHA   the release's source commit, recorded on ramp's commits (DORA's lead
              time starts at its time); --commit is its older name
  --source-time ISO     when the source commit was made (ISO-8601, e.g. 2026-11-30T14:05:00Z);
              default: its author time, read from the Git repository of the current directory
              (an error when the commit is not there: pass --source-time)
  --fixes VERSION   this release fixes VERSION forward: once it is deployed, VERSION counts as a
              change failure (docs/dora.md)
  --author WHO   an author of the release's source commits (email or login; repeat it): with
              four-eyes, authors may not approve the release (gate allowSelfApproval: false)
${BACKEND_FLAGS_USAGE}

  ${exitCodesUsage('started (with --wait: the promotion succeeded)', 'invalid pipeline or version, already running, refused, or (with --wait) the promotion was aborted or a stage failed')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...backendFlags,
        wait: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        as: { type: 'string' },
        'source-commit': { type: 'string' },
        commit: { type: 'string' },
        'source-time': { type: 'string' },
        fixes: { type: 'string' },
        author: { type: 'string', multiple: true },
      },
    });
    const [pipeline, version] = positionals(given, ['pipeline', 'version'] as const);
    noBlankFlags(values);
    const release = await releaseFromFlags(values, io.cwd, (line) => io.stderr(`${line}\n`));
    return withBackend(io, chooseBackend(io, values), async (backend) => {
      const requestedBy = backend.actor(values.as);
      const ref = await backend.pipeline(pipeline);
      const problem = versionProblem(version);
      if (problem) throw new UserError(`${problem}. Nothing was started`);
      return startPromotion(backend, io, { pipeline: ref, version, requestedBy, kind: 'promote', ...(release ? { release } : {}) }, values);
    });
  },
};
