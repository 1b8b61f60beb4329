/**
 * What `npm run bench:scale` runs against: the Temporal dev server (SQLite in memory, one
 * process) or a real Temporal cluster on PostgreSQL with TLS (scripts/lib/temporal-server.ts),
 * and `ramp worker` processes (compiled: bin/ramp.js) connected to it the shipped way
 * (TEMPORAL_* variables), each with its health and /metrics ports and its own clone cache.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../../scripts/lib/dev-server.js';
import { freePort } from '../../scripts/lib/proc.js';
import { startTemporalCluster } from '../../scripts/lib/temporal-server.js';
import { ensureTemporalCli } from '../../scripts/lib/tools.js';
import { ready, spawnLogged, stopChild } from '../server-stack.js';

export type BackendName = 'dev' | 'cluster';

export interface Backend {
  name: BackendName;
  /** The TEMPORAL_* variables ramp connects with. */
  env: Record<string, string>;
  client: Client;
  /** Stops the workers, closes the client, stops Temporal (and PostgreSQL). */
  stop(): Promise<void>;
}

export interface RampWorker {
  pid: number;
  metricsUrl: string;
  child: ChildProcess;
}

/** Starts the backend; `dir` holds the dev server's log (the cluster keeps its own directory). */
export async function startBackend(name: BackendName, dir: string): Promise<Backend> {
  if (name === 'dev') {
    const server = await startDevServer({ temporal: (await ensureTemporalCli()).path, logFile: path.join(dir, 'temporal-dev.log') });
    const connection = await Connection.connect({ address: server.address });
    return {
      name,
      env: { TEMPORAL_ADDRESS: server.address },
      client: new Client({ connection }),
      async stop() {
        await connection.close().catch(() => {});
        await server.stop();
      },
    };
  }
  // Its own temp dir (PostgreSQL, running as its own user, must reach it; the bench's is 0700).
  const cluster = await startTemporalCluster();
  const connection = await cluster.connect();
  return { name, env: cluster.env, client: new Client({ connection, namespace: cluster.namespace }), stop: () => cluster.stop() };
}

/** Starts one `ramp worker` on `taskQueue` and waits until it is ready. */
export async function startWorker(backend: Backend, dir: string, name: string, taskQueue: string): Promise<RampWorker & { stop(): Promise<void> }> {
  const health = `127.0.0.1:${await freePort()}`;
  const metrics = `127.0.0.1:${await freePort()}`;
  const child = spawnLogged(
    name,
    ['worker'],
    {
      ...backend.env,
      RAMP_TASK_QUEUE: taskQueue,
      RAMP_LOG_LEVEL: 'WARN',
      RAMP_WORKER_HEALTH_ADDR: health,
      RAMP_METRICS_ADDRESS: metrics,
      RAMP_CACHE_DIR: path.join(dir, `${name}-cache`),
    },
    dir,
  );
  await ready(name, child, `http://${health}/readyz`, dir);
  return { pid: child.pid!, metricsUrl: `http://${metrics}/metrics`, child, stop: () => stopChild(child) };
}

/** The sum of one counter family's samples in a worker's /metrics (0 when it has none yet). */
export async function counterSum(metricsUrl: string, name: string): Promise<number> {
  const body = await (await fetch(metricsUrl)).text();
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
