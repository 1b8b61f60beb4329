/** `ramp server` (bin/ramp.js) as a real child process on a free port, for tests that run several of them. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { killOnExit } from '../harness/reaper.js';
import { waitFor } from './wait.js';

const BIN = fileURLToPath(new URL('../../bin/ramp.js', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port>, from the server's `listening` line. */
  url: string;
  output(): string;
  /** A JSON request to the API with `authorization`; the parsed answer and its status. */
  request(method: 'GET' | 'POST', path: string, authorization: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** SIGTERM (graceful), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * Starts `ramp server --listen 127.0.0.1:0 --pipelines <pipelinesDir>` with `env` (PATH and HOME
 * are passed through; nothing else of this process's environment) and resolves once it listens.
 */
export async function startServerProcess(pipelinesDir: string, env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--pipelines', pipelinesDir], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = once(child, 'exit');
  const url = await waitFor(
    () => Promise.resolve(/"msg":"listening","url":"([^"]+)"/.exec(output)?.[1]),
    (found) => found !== undefined || child.exitCode !== null,
    `ramp server's listening line`,
    120_000,
  );
  if (url === undefined) throw new Error(`ramp server exited (${child.exitCode}) before it listened:\n${output}`);
  return {
    child,
    url,
    output: () => output,
    async request(method, path, authorization, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      return { status: response.status, body: parsed };
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
