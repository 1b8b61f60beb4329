/**
 * What bench/server.ts measures against, all real and as shipped: a Temporal dev server, a bare
 * GitOps remote seeded with examples/gitops, `ramp server keys`, a service token from
 * `ramp token create`, one `ramp worker` (verifying the server's decisions) and one
 * `ramp server` (compiled: bin/ramp.js), each its own process with its log in `dir`; the real
 * OpenID Provider of the tests, so that the server has browser sessions (its web pages), and a
 * session cookie signed with the server's own key, as /auth/callback would set it.
 */
import { benchPipelineYaml } from './pipeline.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { seedRepository } from '../dev/seed-repository.js';
import { startDevServer, type DevServer } from '../scripts/lib/dev-server.js';
import { freePort, runChecked, sleep } from '../scripts/lib/proc.js';
import { ensureTemporalCli } from '../scripts/lib/tools.js';
import { startOidcProvider } from '../scripts/lib/oidc-provider/start.js';
import { RAMP_AUDIENCE, RAMP_RESOURCE, TEST_USERS, WEB_CLIENT_ID } from '../scripts/lib/oidc-provider/users.js';
import { sessionKeys } from '../server/auth/session-keys.js';
import { SESSION_COOKIE, signSession } from '../server/auth/session.js';
import { readSigningKey } from '../server/run.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RAMP = path.join(ROOT, 'bin/ramp.js');
export const TASK_QUEUE = 'bench-server';
/** The bench's own rate limit: one client sends every request, far above the default 10/s. */
export const BENCH_RATE = 100_000;

export interface ServerStack {
  temporal: DevServer;
  /** http://127.0.0.1:port of `ramp server`. */
  url: string;
  /** The process id of `ramp server` (its memory is read from /proc). */
  serverPid: number;
  /** `Bearer ramp_st_...`: the service token's Authorization header. */
  authorization: string;
  /** `ramp_session=…`: a browser session of alice (release-managers), for the web pages. */
  cookie: string;
  /** Stops the server, the worker and Temporal; safe to call more than once. */
  stop(): Promise<void>;
}

/** Every child started here (and the dev server's pid), killed at once if this process exits before stop(). */
const children = new Set<ChildProcess>();
const pids = new Set<number>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Spawns `ramp <args>` (bin/ramp.js) with its output in `dir/<name>.log`; killed if this process exits first. */
export function spawnLogged(name: string, args: string[], env: Record<string, string>, dir: string): ChildProcess {
  const fd = openSync(path.join(dir, `${name}.log`), 'a');
  try {
    const child = spawn(process.execPath, [RAMP, ...args], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM, then SIGKILL after 15 s; resolves when the child has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Waits for `url` to answer 200; fails with the log's tail when the process exits or time runs out. */
export async function ready(name: string, child: ChildProcess, url: string, dir: string, timeoutMs = 180_000): Promise<void> {
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || performance.now() - started > timeoutMs) {
      const log = await readFile(path.join(dir, `${name}.log`), 'utf8').catch(() => '(no log)');
      throw new Error(
        `${name} was not ready at ${url} (${child.exitCode ?? child.signalCode ?? 'timed out'}):\n${log.trim().split('\n').slice(-30).join('\n')}`,
      );
    }
    if (
      await fetch(url).then(
        (r) => r.status === 200,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
}

/**
 * A pipeline of one canary stage that parks at an indefinite `pause: {}` step, so that its status
 * stays readable: a resume ends one pause step, and `pauses` of them follow one another.
 */
function pipelineYaml(name: string, url: string, pauses: number): string {
  return benchPipelineYaml(name, url, ['setWeight: 10', ...Array.from({ length: pauses }, () => 'pause: {}')]);
}

/** `pauses`: how many indefinite pause steps the bench's pipeline has (one more than it resumes). */
export async function startServerStack(dir: string, pipeline: string, pauses: number): Promise<ServerStack> {
  const started: ChildProcess[] = [];
  const temporal = await startDevServer({ temporal: (await ensureTemporalCli()).path, logFile: path.join(dir, 'temporal.log') });
  pids.add(temporal.pid);
  const provider = await startOidcProvider({}, (child) => {
    children.add(child);
    return () => children.delete(child);
  });
  const stop = async () => {
    for (const child of started.reverse()) await stopChild(child);
    await provider.stop();
    await temporal.stop();
    pids.delete(temporal.pid);
  };
  try {
    const repo = await seedRepository(path.join(dir, 'gitops.git'));
    const pipelinesDir = path.join(dir, 'pipelines');
    await mkdir(pipelinesDir, { recursive: true });
    await writeFile(path.join(pipelinesDir, `${pipeline}.yaml`), pipelineYaml(pipeline, repo.url, pauses));

    // The server's signing key and the workers' public keys; a service token, both the shipped way.
    await runChecked(process.execPath, [RAMP, 'server', 'keys', '--out', path.join(dir, 'keys')], { cwd: dir });
    const tokensFile = path.join(dir, 'service-tokens.json');
    const created = await runChecked(
      process.execPath,
      [
        RAMP,
        'token',
        'create',
        '--file',
        tokensFile,
        '--name',
        'bench',
        '--permissions',
        'promote,operate',
        '--pipelines',
        pipeline,
        '--expires',
        '1d',
        '--json',
      ],
      { cwd: dir },
    );
    const token = (JSON.parse(created.stdout) as { token: string }).token;

    const common = { TEMPORAL_ADDRESS: temporal.address, RAMP_TASK_QUEUE: TASK_QUEUE, RAMP_LOG_LEVEL: 'WARN' };
    const workerHealth = `127.0.0.1:${await freePort()}`;
    const worker = spawnLogged(
      'worker',
      ['worker'],
      {
        ...common,
        RAMP_WORKER_HEALTH_ADDR: workerHealth,
        RAMP_DECISION_KEYS_FILE: path.join(dir, 'keys/decision-keys.json'),
        RAMP_CACHE_DIR: path.join(dir, 'cache'),
      },
      dir,
    );
    started.push(worker);
    const listen = `127.0.0.1:${await freePort()}`;
    const server = spawnLogged(
      'server',
      ['server', '--listen', listen, '--pipelines', pipelinesDir],
      {
        ...common,
        RAMP_SERVER_SIGNING_KEY_FILE: path.join(dir, 'keys/signing.jwk.json'),
        RAMP_SERVICE_TOKENS_FILE: tokensFile,
        RAMP_SERVER_RATE: String(BENCH_RATE),
        RAMP_SERVER_BURST: String(BENCH_RATE),
        RAMP_SERVER_OIDC_ISSUER: provider.issuer,
        RAMP_SERVER_OIDC_AUDIENCE: RAMP_AUDIENCE,
        RAMP_SERVER_OIDC_CLIENT_ID: WEB_CLIENT_ID,
        RAMP_SERVER_OIDC_RESOURCE: RAMP_RESOURCE,
        RAMP_SERVER_PUBLIC_URL: `http://${listen}`,
      },
      dir,
    );
    started.push(server);
    await Promise.all([ready('worker', worker, `http://${workerHealth}/readyz`, dir), ready('server', server, `http://${listen}/readyz`, dir)]);
    const alice = TEST_USERS.alice;
    const session = await signSession(
      { subject: alice.subject, name: alice.name, email: alice.email, groups: [...alice.groups], issuer: provider.issuer, method: 'oidc' },
      undefined,
      sessionKeys(await readSigningKey(path.join(dir, 'keys/signing.jwk.json'))),
    );
    return {
      temporal,
      url: `http://${listen}`,
      serverPid: server.pid!,
      authorization: `Bearer ${token}`,
      cookie: `${SESSION_COOKIE}=${session.token}`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The resident memory of a process, in MiB (/proc/<pid>/status VmRSS). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Math.round((Number(kb) / 1024) * 10) / 10;
}
