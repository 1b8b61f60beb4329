/** `ramp dev`: the embedded local stack and its demo (dev/main.ts, also `npm start`). */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from '../../src/errors.js';
import { positionals } from '../args.js';
import { envOf, type Command } from '../command.js';
import { exitCodesUsage } from '../exit-codes.js';
import { runScript } from '../run-script.js';

// dev/ is a development tool: always its TypeScript source, also from the compiled CLI (dist/cli/).
const DEV_MAIN = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../dev/main.ts' : '../../../dev/main.ts', import.meta.url));

export const devCommand: Command = {
  name: 'dev',
  summary: 'Run the local stack (Temporal dev server with UI, a worker, a GitOps repo) and its demo',
  usage: `ramp dev [--exit | --keep] [--no-demo] [--dir DIR]

  Starts a Temporal dev server (with its UI), a worker, a local GitOps repository, a demo app
  and a Prometheus scraping it, runs the demo (a good release promoted everywhere, a bad one
  aborted and reverted), then keeps the stack up until Ctrl-C. The same as \`npm start\`.

  While it runs, ramp commands here talk to it: DIR/stack.json names its Temporal address and
  its pipelines, so \`ramp promote web 1.4.2\` promotes its \`web\` (examples/demo.yaml on the
  local repository) and says so. The demo app serves every version of web in the repository;
  1.2.0 and tags ending in -bad fail their analysis.

  --exit      stop after the demo (the default when stdout is not a terminal)
  --keep      keep the stack up after the demo even when stdout is not a terminal
  --no-demo   skip the demo: the stack is ready at once
  --dir DIR   where the stack keeps its files (default .ramp/dev; other commands find it
              there, or in $RAMP_DEV_DIR)

  ${exitCodesUsage('the demo ended as expected', 'it did not (see its output)')}`,

  async run(args, io) {
    // Checked here for a usage error with ramp's wording; dev/main.ts parses them again.
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { exit: { type: 'boolean' }, keep: { type: 'boolean' }, 'no-demo': { type: 'boolean' }, dir: { type: 'string' } },
    });
    positionals(given, [] as const);
    if (values.exit && values.keep) throw new UsageError('--exit and --keep contradict each other; give one');
    return runScript('dev', DEV_MAIN, args, io, { ...process.env, ...envOf(io) });
  },
};
