// Nothing a test starts may outlive it. `after()` hooks do not run when a test process is killed
// (Ctrl-C, the test runner cancelling, a SIGTERM from CI), so the harness registers its child
// processes and async cleanups here: on SIGINT/SIGTERM/SIGHUP they run (bounded), and on any
// process exit the remaining children get SIGKILL.
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<unknown>>();
let installed = false;

const SIGNAL_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

function killAll(signal: NodeJS.Signals): void {
  for (const child of children) {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => killAll('SIGKILL'));
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as (keyof typeof SIGNAL_EXIT_CODES)[]) {
    process.once(signal, () => {
      killAll('SIGTERM');
      const timeout = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
      void Promise.race([Promise.allSettled([...cleanups].map((fn) => fn())), timeout]).finally(() => process.exit(SIGNAL_EXIT_CODES[signal]));
    });
  }
}

/** Kills `child` if this process exits or is interrupted before the child has exited. */
export function killOnExit(child: ChildProcess): void {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Runs `fn` (bounded to 5 s) if this process is interrupted. Returns a function that unregisters it. */
export function cleanupOnSignal(fn: () => Promise<unknown>): () => void {
  install();
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}
