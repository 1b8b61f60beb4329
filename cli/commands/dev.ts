/** `ramp dev`: the embedded local stack and its demo (dev/main.ts, also `npm start`). */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positionals } from '../args.js';
import { envOf, type Command } from '../command.js';
import { exitCodesUsage } from '../exit-codes.js';
import { runScript } from '../run-script.js';

// dev/ is a development tool: always its TypeScript source, also from the compiled CLI (dist/cli/).
const DEV_MAIN = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../dev/main.ts' : '../../../dev/main.ts', import.meta.url));

export const devCommand: Command = {
  name: 'dev',
  summary: 'Run the local stack (Temporal dev server with UI, a worker, a GitOps repo) and its demo',
  usage: `ramp dev [--exit] [--dir DIR]

  Starts a Temporal dev server (with its UI), a worker and a local GitOps repository, runs the
  demo (a good release promoted everywhere, a bad one aborted and reverted), then keeps the
  stack up until Ctrl-C. The same as \`npm start\`.

  --exit      stop after the demo (the default when stdout is not a terminal)
  --dir DIR   where the stack keeps its files (default .ramp/dev)

  ${exitCodesUsage('the demo ended as expected', 'it did not (see its output)')}`,

  async run(args, io) {
    // Checked here for a usage error with ramp's wording; dev/main.ts parses them again.
    const { positionals: given } = parseArgs({ args, allowPositionals: true, options: { exit: { type: 'boolean' }, dir: { type: 'string' } } });
    positionals(given, [] as const);
    return runScript('dev', DEV_MAIN, args, io, { ...process.env, ...envOf(io) });
  },
};
