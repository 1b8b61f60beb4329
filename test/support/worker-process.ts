/** worker/main.ts (or the test worker, with the smoke workflow) as a real child process, for crash tests and benchmarks. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { killOnExit } from '../harness/reaper.js';

const WORKER_MAIN = fileURLToPath(new URL('../../worker/main.ts', import.meta.url));
/** ramp's worker plus the test-only smoke workflow and activity (test/support/test-worker.ts). */
export const TEST_WORKER_MAIN = fileURLToPath(new URL('./test-worker.ts', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the worker logged that it started polling. */
  started: Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export function startWorkerProcess(env: Record<string, string>, main = WORKER_MAIN): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, RAMP_LOG_LEVEL: 'INFO', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let output = '';
  let onStart: () => void;
  const started = new Promise<void>((resolve, reject) => {
    onStart = resolve;
    child.once('exit', (code, signal) => reject(new Error(`worker exited early (${code ?? signal}):\n${output}`)));
  });
  const collect = (d: string) => {
    output += d;
    if (output.includes('ramp worker started')) onStart();
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  started.catch(() => {});
  return {
    child,
    output: () => output,
    started,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await once(child, 'exit');
    },
  };
}
