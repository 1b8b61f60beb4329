/** `ramp worker`: run ramp's Temporal worker in the foreground, in this process. */
import { parseArgs } from 'node:util';
import { UserError } from '../../src/errors.js';
import { positionals } from '../args.js';
import { envOf, type Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, temporalFlags } from '../connection.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';

/**
 * worker/run.ts, next to this file's own build (dist/ when compiled, the sources under tsx).
 * Imported only when `ramp worker` runs: the other commands never load the worker's code.
 */
/** worker/run.ts's entry point, as this command calls it. */
type RunWorker = (env: NodeJS.ProcessEnv) => Promise<void>;

const WORKER_RUN = new URL(`../../worker/run${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run ramp\'s worker: it runs the promotions and does the Git work',
  usage: `ramp worker [--address HOST:PORT] [--namespace NS] [--task-queue Q]

  Runs the worker in the foreground, in this process (its pid is the worker's), until SIGINT or
  SIGTERM: the worker finishes in-flight work (RAMP_SHUTDOWN_GRACE, default 30s) and exits. The
  worker reads its settings from the environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
  RAMP_TASK_QUEUE, RAMP_GROUPS_FILE, RAMP_NOTIFY_WEBHOOKS, RAMP_CACHE_DIR, RAMP_LOG_LEVEL,
  RAMP_METRICS_ADDRESS, RAMP_WORKER_HEALTH_ADDR (host:port serving /healthz and /readyz);
  the flags below override the first three.

${TEMPORAL_FLAGS_USAGE}

  ${exitCodesUsage('the worker stopped cleanly', 'the worker could not start or failed (the message says why)')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({ args, allowPositionals: true, options: temporalFlags });
    positionals(given, [] as const);
    const env: NodeJS.ProcessEnv = { ...process.env, ...envOf(io) };
    if (values.address) env.TEMPORAL_ADDRESS = values.address;
    if (values.namespace) env.TEMPORAL_NAMESPACE = values.namespace;
    if (values['task-queue']) env.RAMP_TASK_QUEUE = values['task-queue'];
    const { runWorker } = (await import(WORKER_RUN)) as { runWorker: RunWorker };
    try {
      await runWorker(env);
    } catch (error) {
      throw new UserError(error instanceof Error ? error.message : String(error));
    }
    return ExitCode.Ok;
  },
};
