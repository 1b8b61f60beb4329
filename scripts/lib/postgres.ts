// A throwaway PostgreSQL cluster for tests: Debian's PostgreSQL binaries (installed with apt-get
// when missing and run as root), initdb in a temp dir, one server on a free loopback port that can
// be stopped and started again on the same port and data. See docs/testing.md (cluster suite).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { aptInstall, canUseApt, isRoot } from './apt.js';
import { freePort, isExecutable, run, runChecked, sleep } from './proc.js';

/** The dir holding initdb, postgres and pg_isready. */
export interface PostgresBinaries {
  bin: string;
  version: string;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';

async function debianBinDirs(): Promise<string[]> {
  const versions = await readdir(DEBIAN_ROOT).catch(() => [] as string[]);
  return versions
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(DEBIAN_ROOT, v, 'bin'));
}

async function usable(dir: string): Promise<boolean> {
  for (const name of ['initdb', 'postgres', 'pg_isready']) if (!(await isExecutable(path.join(dir, name)))) return false;
  return true;
}

/**
 * PostgreSQL's server binaries: RAMP_POSTGRES_BIN, else Debian's newest /usr/lib/postgresql/N/bin,
 * else Debian's `postgresql` package installed now (apt-get, as root; its service is not started).
 */
export async function ensurePostgres(opts: { log?: (line: string) => void } = {}): Promise<PostgresBinaries> {
  const explicit = process.env.RAMP_POSTGRES_BIN;
  const found = async (): Promise<string | undefined> => {
    if (explicit) return explicit;
    for (const dir of await debianBinDirs()) if (await usable(dir)) return dir;
    return undefined;
  };
  let bin = await found();
  if (!bin && (await canUseApt())) {
    opts.log?.('PostgreSQL is not installed: installing Debian package postgresql');
    await aptInstall(['postgresql'], { log: opts.log, watchExecutables: (await debianBinDirs()).map((d) => path.join(d, 'postgres')) });
    bin = await found();
  }
  if (!bin || !(await usable(bin))) {
    throw new Error(
      `PostgreSQL's server binaries (initdb, postgres, pg_isready) were not found${explicit ? ` in RAMP_POSTGRES_BIN=${explicit}` : ` under ${DEBIAN_ROOT}/<version>/bin`}. ` +
        'Install them (`sudo apt-get install --no-install-recommends postgresql` on Debian/Ubuntu) or set RAMP_POSTGRES_BIN to the dir that has them.',
    );
  }
  const version = (await run(path.join(bin, 'postgres'), ['--version'])).stdout.trim();
  return { bin, version };
}

export interface LocalPostgres {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  dataDir: string;
  logFile: string;
  /** Fast shutdown (SIGINT), then waits for the server to exit. Safe to call when stopped. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data; resolves when it accepts connections. */
  start(): Promise<void>;
}

/** Whom the server runs as: root may not run PostgreSQL, so as root it is Debian's `postgres` user. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (!isRoot()) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(
      'running as root, and there is no `postgres` user to run PostgreSQL as (root may not): install Debian package postgresql, which creates it',
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * initdb's a cluster in `dir` (user `user`, password auth over TCP, no Unix socket outside `dir`)
 * and starts it on a free 127.0.0.1 port. Durability settings are off: it is a test database.
 */
export async function startPostgres(opts: {
  binaries: PostgresBinaries;
  dir: string;
  user?: string;
  password?: string;
  log?: (line: string) => void;
  timeoutMs?: number;
}): Promise<LocalPostgres> {
  const { bin } = opts.binaries;
  const user = opts.user ?? 'temporal';
  const password = opts.password ?? 'temporal';
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const owner = await serverUser();
  const dataDir = path.join(opts.dir, 'pgdata');
  const socketDir = path.join(opts.dir, 'pgsocket');
  const pwFile = path.join(opts.dir, 'pgpassword');
  const logFile = path.join(opts.dir, 'postgres.log');
  await mkdir(socketDir, { recursive: true });
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (owner) for (const p of [opts.dir, socketDir, pwFile]) await chown(p, owner.uid, owner.gid);
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};

  await runChecked(
    path.join(bin, 'initdb'),
    ['-D', dataDir, '-U', user, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync'],
    { ...asOwner, cwd: opts.dir, timeoutMs: 120_000 },
  );
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGKILL');
  process.on('exit', killOnExit);

  const ready = async (): Promise<boolean> =>
    (await run(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-t', '2'])).code === 0;

  const start = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    const out = createWriteStream(logFile, { flags: 'a' });
    const proc = spawn(
      path.join(bin, 'postgres'),
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${socketDir}`,
        '-c',
        'max_connections=300',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ],
      { ...asOwner, cwd: opts.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout.pipe(out, { end: false });
    proc.stderr.pipe(out, { end: false });
    child = proc;
    exited = new Promise((resolve) => {
      proc.on('error', () => undefined);
      proc.once('close', () => {
        out.end();
        resolve();
      });
    });
    const deadline = Date.now() + timeoutMs;
    while (!(await ready())) {
      if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
        const tail = (await readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-20).join('\n');
        throw new Error(
          `PostgreSQL on 127.0.0.1:${port} ${proc.exitCode !== null ? `exited (${proc.exitCode})` : `was not ready after ${timeoutMs} ms`}; ${logFile}:\n${tail}`,
        );
      }
      await sleep(200);
    }
    opts.log?.(`PostgreSQL ready on 127.0.0.1:${port}`);
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGINT'); // fast shutdown: clients disconnected, data written
    const done = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
    if (!done) {
      proc.kill('SIGKILL');
      await exited;
    }
  };

  await start();
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    dataDir,
    logFile,
    start,
    async stop() {
      await stop();
    },
  };
}
