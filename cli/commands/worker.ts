/** `ramp worker`: run ramp's Temporal worker in the foreground, in this process. */
import { parseArgs } from 'node:util';
import { positionals } from '../args.js';
import { envOf, type Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, temporalFlags } from '../connection.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { variablesUsage } from '../../src/settings/usage.js';

/**
 * worker/run.ts, next to this file's own build (dist/ when compiled, the sources under tsx).
 * Imported only when `ramp worker` runs: the other commands never load the worker's code.
 */
/** worker/run.ts's entry point, as this command calls it. */
type RunWorker = (env: NodeJS.ProcessEnv) => Promise<void>;

const WORKER_RUN = new URL(`../../worker/run${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

export const workerCommand: Command = {
  name: 'worker',
  summary: "Run ramp's worker: it runs the promotions and does the Git work",
  usage: `ramp worker [--address HOST:PORT] [--namespace NS] [--task-queue Q]

  Runs the worker in the foreground, in this process (its pid is the worker's), until SIGINT or
  SIGTERM: the worker finishes in-flight work (RAMP_SHUTDOWN_GRACE, default 30s) and exits.

${TEMPORAL_FLAGS_USAGE}

  The worker reads these variables once at start (docs/settings.md); the flags override the
  first two and RAMP_TASK_QUEUE. An invalid value stops it with exit code 2.

${variablesUsage('worker')}

  ${exitCodesUsage('the worker stopped cleanly', 'the worker could not start or failed (the message says why)')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({ args, allowPositionals: true, options: temporalFlags });
    positionals(given, [] as const);
    const env: NodeJS.ProcessEnv = { ...process.env, ...envOf(io) };
    if (values.address) env.TEMPORAL_ADDRESS = values.address;
    if (values.namespace) env.TEMPORAL_NAMESPACE = values.namespace;
    if (values['task-queue']) env.RAMP_TASK_QUEUE = values['task-queue'];
    const { runWorker } = (await import(WORKER_RUN)) as { runWorker: RunWorker };
    await runWorker(env);
    return ExitCode.Ok;
  },
};
