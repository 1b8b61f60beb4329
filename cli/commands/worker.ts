/** `ramp worker`: run ramp's Temporal worker (worker/main.ts) in the foreground. */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positionals } from '../args.js';
import { envOf, type Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, temporalFlags } from '../connection.js';
import { exitCodesUsage } from '../exit-codes.js';
import { runScript } from '../run-script.js';
import { variablesUsage } from '../../src/settings/usage.js';

const WORKER_MAIN = fileURLToPath(new URL('../../worker/main.ts', import.meta.url));

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run ramp\'s worker: it runs the promotions and does the Git work',
  usage: `ramp worker [--address HOST:PORT] [--namespace NS] [--task-queue Q]

  Runs the worker (worker/main.ts) in the foreground until SIGINT or SIGTERM, which it passes
  on: the worker finishes in-flight work (RAMP_SHUTDOWN_GRACE, default 30s) and exits.

${TEMPORAL_FLAGS_USAGE}

  The worker reads these variables once at start (docs/settings.md); the flags override the
  first two and RAMP_TASK_QUEUE. An invalid value stops it with exit code 2.

${variablesUsage('worker')}

  ${exitCodesUsage('the worker stopped cleanly', 'the worker failed (its own message says why)')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({ args, allowPositionals: true, options: temporalFlags });
    positionals(given, [] as const);
    const env: NodeJS.ProcessEnv = { ...process.env, ...envOf(io) };
    if (values.address) env.TEMPORAL_ADDRESS = values.address;
    if (values.namespace) env.TEMPORAL_NAMESPACE = values.namespace;
    if (values['task-queue']) env.RAMP_TASK_QUEUE = values['task-queue'];
    return runScript('worker', WORKER_MAIN, [], io, env);
  },
};
