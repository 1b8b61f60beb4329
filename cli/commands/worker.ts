/**
 * `ramp worker`: run ramp's Temporal worker (worker/main.ts) as a child process. The CLI never
 * imports worker code (lint-enforced): it starts it, with this package's tsx loader.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positionals } from '../args.js';
import { envOf, type Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, temporalFlags } from '../connection.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';

const WORKER_MAIN = fileURLToPath(new URL('../../worker/main.ts', import.meta.url));
const FORWARDED = ['SIGINT', 'SIGTERM'] as const;

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

    // Its own process group: a Ctrl-C in the terminal reaches only this process, which passes it
    // on once. (Twice — the terminal's and ours — would make the SDK stop at once, skipping the
    // graceful shutdown.)
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), WORKER_MAIN], { cwd: io.cwd, env, stdio: 'inherit', detached: true });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const orphaned = () => child.kill('SIGTERM');
    for (const signal of FORWARDED) process.on(signal, forward);
    process.on('exit', orphaned);
    try {
      const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => resolve({ code, signal }));
      });
      if (code === 0) return ExitCode.Ok;
      io.stderr(`ramp worker: the worker ${signal ? `was killed by ${signal}` : `exited with code ${code}`}\n`);
      return ExitCode.Failure;
    } finally {
      for (const signal of FORWARDED) process.off(signal, forward);
      process.off('exit', orphaned);
    }
  },
};
