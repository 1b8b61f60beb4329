/**
 * The worker's health endpoint for supervisors (Kubernetes probes, systemd, compose):
 * `GET /healthz` answers 200 while the process is up; `GET /readyz` answers 200 once the worker
 * polls its task queue, 503 while it starts or drains. Enabled by RAMP_WORKER_HEALTH_ADDR.
 */
import { createServer, type Server } from 'node:http';
import type { WorkerStatus } from '@temporalio/worker';
import { listenSideServer, parseListenAddress as parseAddress, type SideServer } from './side-server.js';

export const HEALTH_ADDRESS_VARIABLE = 'RAMP_WORKER_HEALTH_ADDR';

/** The worker's phase as the endpoint reports it. */
export type WorkerPhase = 'starting' | 'stopped' | WorkerStatus;

export interface Probe {
  status: 200 | 503;
  body: string;
}

/** /readyz: ready only while the worker runs and both of its pollers poll. */
export function readiness(phase: WorkerPhase): Probe {
  if (phase === 'starting') return { status: 503, body: 'starting: connecting to Temporal and loading the workflows\n' };
  if (phase === 'stopped') return { status: 503, body: 'stopped\n' };
  const { runState, workflowPollerState, activityPollerState } = phase;
  if (runState !== 'RUNNING') return { status: 503, body: `${runState.toLowerCase()}: not taking new tasks\n` };
  if (workflowPollerState !== 'POLLING' || activityPollerState !== 'POLLING') {
    return { status: 503, body: `pollers not polling (workflow ${workflowPollerState}, activity ${activityPollerState})\n` };
  }
  return { status: 200, body: 'ready: polling\n' };
}

/** Splits `host:port` (IPv6 as `[::1]:port`); throws a usage-style error otherwise. */
export function parseListenAddress(address: string): { host: string; port: number } {
  return parseAddress(address, HEALTH_ADDRESS_VARIABLE);
}

export type HealthServer = SideServer;

/** Serves /healthz and /readyz from `phase()`, asked at every request. */
export async function serveHealth(address: string, phase: () => WorkerPhase): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const probe: Probe | undefined = url === '/healthz' ? { status: 200, body: 'ok\n' } : url === '/readyz' ? readiness(phase()) : undefined;
    const { status, body } = probe ?? { status: 404, body: 'not found: GET /healthz or /readyz\n' };
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return listenSideServer(server, address, HEALTH_ADDRESS_VARIABLE, 'health endpoint');
}
