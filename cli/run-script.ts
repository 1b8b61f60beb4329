/**
 * Running `ramp dev` (dev/main.ts) as a child process with this package's tsx loader: the CLI
 * starts it, passes SIGINT/SIGTERM on, and reports how it ended. (`ramp worker` runs the worker
 * in-process: cli/commands/worker.ts.)
 */
import { spawn } from 'node:child_process';
import type { CommandIo } from './command.js';
import { ExitCode } from './exit-codes.js';

const FORWARDED = ['SIGINT', 'SIGTERM'] as const;

export async function runScript(label: string, script: string, args: string[], io: CommandIo, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  // Its own process group: a Ctrl-C in the terminal reaches only this process, which passes it
  // on once. (Twice — the terminal's and ours — would make the SDK stop at once, skipping the
  // graceful shutdown.)
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script, ...args], { cwd: io.cwd, env, stdio: 'inherit', detached: true });
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
    io.stderr(`ramp ${label}: ${signal ? `killed by ${signal}` : `exited with code ${code}`}\n`);
    return ExitCode.Failure;
  } finally {
    for (const signal of FORWARDED) process.off(signal, forward);
    process.off('exit', orphaned);
  }
}
