// A real Temporal cluster for ramp's cluster tests, without Docker: the Temporal server and
// temporal-sql-tool built from Go modules (scripts/temporal/build.sh, cached under
// $HOME/.cache/ramp), on a throwaway PostgreSQL (scripts/lib/postgres.ts) whose schemas
// deploy/temporal/setup-postgres.sh creates, as in docker-compose; TLS on the frontend with
// certificates made now. See docs/testing.md (the cluster suite).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { ensureSearchAttributes } from '../../worker/search-attributes.js';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes.js';
import { ensurePostgres, startPostgres, type LocalPostgres, type PostgresBinaries } from './postgres.js';
import { isExecutable, isFree, runChecked, sleep } from './proc.js';
import { PORT_NAMES, temporalServerConfig, type TemporalPorts } from './temporal-config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
export const TEMPORAL_BUILD_SCRIPT = path.join(ROOT, 'scripts/temporal/build.sh');
export const SETUP_POSTGRES_SCRIPT = path.join(ROOT, 'deploy/temporal/setup-postgres.sh');
export const DYNAMIC_CONFIG_FILE = path.join(ROOT, 'deploy/temporal/dynamicconfig/ramp.yaml');

export interface TemporalServerBuild {
  /** The cache dir the build script printed. */
  dir: string;
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12 of the same module version. */
  schemaDir: string;
}

/**
 * Runs scripts/temporal/build.sh: a no-op when the binaries are cached, a build of many minutes
 * the first time (progress goes to `log`). TEMPORAL_SERVER_VERSION and RAMP_TEMPORAL_CACHE are
 * read by the script.
 */
export async function ensureTemporalServer(opts: { log?: (line: string) => void } = {}): Promise<TemporalServerBuild> {
  const result = await runChecked('bash', [TEMPORAL_BUILD_SCRIPT], { timeoutMs: 90 * 60_000, onStderrLine: (line) => line && opts.log?.(line) });
  const dir = result.stdout.trim().split('\n').pop() ?? '';
  const build = {
    dir,
    server: path.join(dir, 'bin', 'temporal-server'),
    sqlTool: path.join(dir, 'bin', 'temporal-sql-tool'),
    schemaDir: path.join(dir, 'schema', 'postgresql', 'v12'),
  };
  for (const file of [build.server, build.sqlTool]) {
    if (!(await isExecutable(file))) throw new Error(`${TEMPORAL_BUILD_SCRIPT} did not produce ${file}; its log is ${path.join(dir, 'build.log')}`);
  }
  return build;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await runChecked('openssl', args, { cwd: dir, timeoutMs: 60_000 });
}

/** A CA, and a server certificate it signed for 127.0.0.1 and localhost. */
async function makeCertificates(dir: string): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  await mkdir(dir, { recursive: true });
  await openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', '/CN=ramp-temporal-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']); // prettier-ignore
  await openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'frontend.key', '-out', 'frontend.csr', '-subj', '/CN=localhost']);
  await writeFile(
    path.join(dir, 'san.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
  );
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    'frontend.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'frontend.crt',
    '-days',
    '3650',
    '-extfile',
    'san.ext',
  ]);
  return { caFile: path.join(dir, 'ca.crt'), certFile: path.join(dir, 'frontend.crt'), keyFile: path.join(dir, 'frontend.key') };
}

export interface TemporalCluster {
  /** host:port of the frontend (TLS). */
  address: string;
  namespace: string;
  tls: { caFile: string; serverName: string; certFile: string; keyFile: string };
  /** The TEMPORAL_* variables with which ramp (worker, server, CLI) connects: its own TLS settings. */
  env: Record<string, string>;
  /** http://127.0.0.1:<port>/metrics of the server's Prometheus metrics. */
  metricsUrl: string;
  postgres: Pick<LocalPostgres, 'port' | 'stop' | 'start' | 'logFile'>;
  dir: string;
  logFile: string;
  /** Milliseconds from start to each milestone. */
  timings: Record<string, number>;
  /** A client connection over the cluster's TLS (closed by stop()). */
  connect(): Promise<Connection>;
  /**
   * Stops the Temporal server (SIGTERM, then SIGKILL after 20 s; `{ crash: true }`: SIGKILL at
   * once, as a crashed host) and starts it again on the same ports; resolves when it serves.
   */
  restart(options?: { crash?: boolean }): Promise<void>;
  /** Stops the Temporal server, then PostgreSQL; removes the dir unless kept. Safe to call twice. */
  stop(): Promise<void>;
}

export interface TemporalClusterOptions {
  /** Working dir (certificates, config, data, logs). Default: a fresh temp dir, removed by stop() unless `keepDir`. */
  dir?: string;
  keepDir?: boolean;
  namespace?: string;
  log?: (line: string) => void;
  /** Per readiness wait, ms. @default 180 s */
  timeoutMs?: number;
  build?: TemporalServerBuild;
  postgresBinaries?: PostgresBinaries;
}

async function tail(file: string, lines = 30): Promise<string> {
  return (await readFile(file, 'utf8').catch(() => '(no log)')).trim().split('\n').slice(-lines).join('\n');
}

/** Builds (or finds cached) and starts PostgreSQL and the Temporal server; creates the schemas, the namespace and ramp's search attributes. */
export async function startTemporalCluster(opts: TemporalClusterOptions = {}): Promise<TemporalCluster> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const log = opts.log ?? (() => {});
  const mark = (name: string) => {
    timings[name] = Date.now() - t0;
    log(`${name} (+${timings[name]} ms)`);
  };
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const namespace = opts.namespace ?? 'default';
  const build = opts.build ?? (await ensureTemporalServer({ log }));
  const pgBinaries = opts.postgresBinaries ?? (await ensurePostgres({ log }));
  mark('binaries ready');

  const dir = opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'ramp-temporal-')));
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o711); // PostgreSQL runs as its own user and needs to reach its subdir
  const logFile = path.join(dir, 'temporal-server.log');
  const connections: Connection[] = [];
  let postgres: LocalPostgres | undefined;
  let server: ChildProcess | undefined;
  let serverExited: Promise<void> = Promise.resolve();
  const killOnExit = () => server?.kill('SIGKILL');
  process.on('exit', killOnExit);

  const tls = { ...(await makeCertificates(path.join(dir, 'certs'))), serverName: 'localhost' };
  const ca = await readFile(tls.caFile);
  const ports = {} as TemporalPorts;
  for (const name of PORT_NAMES) ports[name] = await freeLowPort(Object.values(ports));
  const address = `127.0.0.1:${ports.frontend}`;
  const connect = async (): Promise<Connection> => {
    const connection = await Connection.connect({ address, tls: { serverRootCACertificate: ca }, connectTimeout: 5_000 });
    connections.push(connection);
    return connection;
  };

  const stopServer = async (crash = false): Promise<void> => {
    const proc = server;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    if (crash) {
      proc.kill('SIGKILL');
      await serverExited;
      return;
    }
    proc.kill('SIGTERM');
    if (!(await Promise.race([serverExited.then(() => true), sleep(20_000).then(() => false)]))) {
      proc.kill('SIGKILL');
      await serverExited;
    }
  };

  /** Spawns the server and waits until its frontend answers a health check and knows the namespace. */
  const startServer = async (): Promise<void> => {
    const out = createWriteStream(logFile, { flags: 'a' });
    const proc = spawn(build.server, ['--config-file', path.join(dir, 'temporal.yaml'), '--allow-no-auth', 'start'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout.pipe(out, { end: false });
    proc.stderr.pipe(out, { end: false });
    server = proc;
    serverExited = new Promise((resolve) => {
      proc.on('error', () => undefined);
      proc.once('close', () => {
        out.end();
        resolve();
      });
    });
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null)
        throw new Error(`temporal-server exited (${proc.exitCode ?? proc.signalCode}); ${logFile}:\n${await tail(logFile)}`);
      if (Date.now() > deadline)
        throw new Error(`temporal-server at ${address} did not serve within ${timeoutMs} ms (${last}); ${logFile}:\n${await tail(logFile)}`);
      try {
        const connection = await Connection.connect({ address, tls: { serverRootCACertificate: ca }, connectTimeout: 2_000 });
        try {
          const health = await connection.healthService.check({});
          if (Number(health.status) === 1) return; // SERVING
          last = `health status ${health.status}`;
        } finally {
          await connection.close();
        }
      } catch (error) {
        last = (error as Error).message.split('\n')[0] ?? 'error';
      }
      await sleep(500);
    }
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await Promise.allSettled(connections.map((c) => c.close()));
      await stopServer();
      await postgres?.stop();
      process.off('exit', killOnExit);
      if (!opts.keepDir && opts.dir === undefined) await rm(dir, { recursive: true, force: true });
    })());

  try {
    const pgDir = path.join(dir, 'postgres');
    await mkdir(pgDir);
    postgres = await startPostgres({ binaries: pgBinaries, dir: pgDir, log, timeoutMs });
    mark('postgres ready');

    // The same script docker-compose runs, with this cluster's PostgreSQL and tools.
    await runChecked('sh', [SETUP_POSTGRES_SCRIPT], {
      env: {
        ...process.env,
        SQL_HOST: postgres.host,
        SQL_PORT: String(postgres.port),
        SQL_USER: postgres.user,
        SQL_PASSWORD: postgres.password,
        SCHEMA_DIR: build.schemaDir,
        TEMPORAL_SQL_TOOL: build.sqlTool,
      },
      timeoutMs: 5 * 60_000,
    });
    mark('schemas created (deploy/temporal/setup-postgres.sh)');

    const config = temporalServerConfig({
      ports,
      postgres: { port: postgres.port, user: postgres.user, password: postgres.password },
      tls,
      dynamicConfigFile: DYNAMIC_CONFIG_FILE,
    });
    await writeFile(path.join(dir, 'temporal.yaml'), config);
    await startServer();
    mark(`temporal-server serving at ${address}`);

    const admin = await connect();
    await registerNamespace(admin, namespace, timeoutMs);
    await ensureSearchAttributes(admin, namespace);
    await waitForSearchAttributes(admin, namespace, timeoutMs);
    mark(`namespace ${namespace} with ramp's search attributes`);

    return {
      address,
      namespace,
      tls,
      env: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, TEMPORAL_TLS_SERVER_CA_CERT_PATH: tls.caFile },
      metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`,
      postgres,
      dir,
      logFile,
      timings,
      connect,
      async restart(options = {}) {
        await stopServer(options.crash);
        await startServer();
      },
      stop,
    };
  } catch (err) {
    const pgLog = postgres ? `\n--- ${postgres.logFile} (tail)\n${await tail(postgres.logFile, 15)}` : '';
    await stop();
    throw new Error(`starting the Temporal cluster in ${dir}: ${(err as Error).message}${pgLog}`, { cause: err });
  }
}

/** Registers `namespace` (7 days of retention) unless it exists, and waits until the frontend serves it. */
async function registerNamespace(connection: Connection, namespace: string, timeoutMs: number): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('7 days') });
  } catch (error) {
    if (!/already exists/i.test((error as Error).message)) throw new Error(`registering namespace ${namespace}: ${(error as Error).message}`, { cause: error });
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`namespace ${namespace} was not served within ${timeoutMs} ms: ${(error as Error).message}`, { cause: error });
    }
    await sleep(500);
  }
}

async function waitForSearchAttributes(connection: Connection, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const known = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    const missing = SEARCH_ATTRIBUTE_KEYS.filter((key) => !(key.name in known));
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`namespace ${namespace} still lacks ${missing.map((k) => k.name).join(', ')} after ${timeoutMs} ms`);
    await sleep(500);
  }
}

/**
 * A free loopback port below 32768: Temporal's PostgreSQL schema keeps membership ports in a
 * smallint (cluster_membership.rpc_port), so the kernel's ephemeral ports (32768+) are refused.
 */
async function freeLowPort(taken: readonly number[]): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.includes(port) && (await isFree('127.0.0.1', port))) return port;
  }
  throw new Error('no free loopback port between 20000 and 32000 for the Temporal server');
}
