// Starting and stopping one `temporal server start-dev` (in-memory) for a test run or a local session.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes.js';
import { freePort, isFree, run, sleep, terminate } from './proc.js';

/**
 * The dynamic config the SDK's own `createLocal()` passes (sdk-core ephemeral_server), so tests
 * behave the same whether they share the run's server or start their own.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'frontend.enableServerVersionCheck': false,
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
};

export function dynamicConfigArgs(values: Readonly<Record<string, unknown>> = DEV_SERVER_DYNAMIC_CONFIG): string[] {
  return Object.entries(values).flatMap(([k, v]) => ['--dynamic-config-value', `${k}=${JSON.stringify(v)}`]);
}

/** The dev server's spelling of a search attribute type (`KEYWORD_LIST` → `KeywordList`). */
function cliType(type: string): string {
  return type.toLowerCase().replace(/(^|_)([a-z])/g, (_, _sep: string, c: string) => c.toUpperCase());
}

/**
 * `--search-attribute Name=Type` for every attribute ramp's workflows upsert
 * (workflows/search-attributes.ts): without them a promotion's workflow task would fail.
 */
export function searchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTE_KEYS.flatMap((key) => ['--search-attribute', `${key.name}=${cliType(key.type)}`]);
}

export interface DevServerOptions {
  /** Path of the `temporal` CLI. */
  temporal: string;
  /** Log file for the server's output (appended). */
  logFile: string;
  ip?: string;
  namespace?: string;
  extraArgs?: string[];
  healthTimeoutMs?: number;
  /** Try this gRPC port first (e.g. 7233); a free one when taken. @default a free port */
  port?: number;
  /** Serve the web UI on this port (a free one when taken). @default no UI (--headless) */
  uiPort?: number;
  /** Persist to this SQLite file. @default in memory */
  dbFile?: string;
}

export interface DevServer {
  /** host:port of the frontend gRPC service. */
  address: string;
  /** http://host:port of the web UI, when one was asked for. */
  uiUrl: string | null;
  pid: number;
  logFile: string;
  /** SIGTERM, then SIGKILL after 10 s. Safe to call more than once. */
  stop(): Promise<void>;
}

async function logTail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= terminate(child);
    return stopping;
  };
}

async function startOnce(options: DevServerOptions, port: number, uiPort: number | null): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const address = `${ip}:${port}`;
  const args = [
    'server',
    'start-dev',
    ...(uiPort === null ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    '--ip',
    ip,
    '--port',
    String(port),
    '--namespace',
    options.namespace ?? 'default',
    '--log-level',
    'warn',
    ...dynamicConfigArgs(),
    ...searchAttributeArgs(),
    ...(options.extraArgs ?? []),
  ];
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.temporal, args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const stop = stopper(child);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  const deadline = Date.now() + (options.healthTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (spawnError) throw spawnError;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`temporal server start-dev exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${await logTail(options.logFile)}`);
    }
    const health = await run(options.temporal, ['operator', 'cluster', 'health', '--address', address], {
      timeoutMs: 10_000,
    });
    if (health.code === 0 && /SERVING/.test(health.stdout)) {
      return { address, uiUrl: uiPort === null ? null : `http://${ip}:${uiPort}`, pid: child.pid!, logFile: options.logFile, stop };
    }
    await sleep(200);
  }
  await stop();
  throw new Error(
    `temporal server start-dev at ${address} was not healthy after ${(options.healthTimeoutMs ?? 60_000) / 1000} s:\n${await logTail(options.logFile)}`,
  );
}

/** Starts a dev server (in memory unless dbFile) and waits (bounded) until it reports SERVING. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  let lastError: unknown;
  const ip = options.ip ?? '127.0.0.1';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = attempt === 0 && options.port && (await isFree(ip, options.port)) ? options.port : await freePort(ip);
    const uiPort = options.uiPort === undefined ? null : attempt === 0 && (await isFree(ip, options.uiPort)) ? options.uiPort : await freePort(ip);
    try {
      return await startOnce(options, port, uiPort);
    } catch (err) {
      lastError = err;
      // Someone took the port between our probe and the server's bind: try another one.
      if (!/address already in use/i.test(String(err))) throw err;
    }
  }
  throw lastError;
}
