/** `ramp worker`: run ramp's Temporal worker (worker/main.ts) in the foreground. */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positionals } from '../args.js';
import { envOf, type Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, temporalFlags } from '../connection.js';
import { exitCodesUsage } from '../exit-codes.js';
import { runScript } from '../run-script.js';

const WORKER_MAIN = fileURLToPath(new URL('../../worker/main.ts', import.meta.url));

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run ramp\'s worker: it runs the promotions and does the Git work',
  usage: `ramp worker [--address HOST:PORT] [--namespace NS] [--task-queue Q]

  Runs the worker (worker/main.ts) in the foreground until SIGINT or SIGTERM, which it passes
  on: the worker finishes in-flight work (RAMP_SHUTDOWN_GRACE, default 30s) and exits. The
  worker reads its settings from the environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
  RAMP_TASK_QUEUE, RAMP_GROUPS_FILE, RAMP_NOTIFY_WEBHOOKS, RAMP_CACHE_DIR, RAMP_LOG_LEVEL,
  RAMP_METRICS_ADDRESS; the flags below override the first three.

${TEMPORAL_FLAGS_USAGE}

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
