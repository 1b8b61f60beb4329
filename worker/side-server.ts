/**
 * The worker's small HTTP servers beside its Temporal work — /healthz and /readyz
 * (RAMP_WORKER_HEALTH_ADDR), /metrics (RAMP_METRICS_ADDRESS): listening on a `host:port`
 * setting, never keeping a stopping process alive, closed with their connections.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SideServer {
  /** The bound address, host:port (the real port when 0 was asked for). */
  address: string;
  close(): Promise<void>;
}

/** Splits `host:port` (IPv6 as `[::1]:port`; no host: every interface); throws a usage-style error naming `variable` otherwise. */
export function parseListenAddress(address: string, variable: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65_535) {
    throw new Error(`${variable} must be host:port (e.g. 127.0.0.1:9465, or port 0 for any free port), got "${address.slice(0, 100)}"`);
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** Listens with `server` on `address` (the value of `variable`); `what` names it in errors ("health endpoint"). */
export async function listenSideServer(server: Server, address: string, variable: string, what: string): Promise<SideServer> {
  const { host, port } = parseListenAddress(address, variable);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`Starting the worker's ${what} on ${address} (${variable}): ${err.message}`)));
    server.listen(port, host, resolve);
  });
  // Never keeps a stopped worker's process alive.
  server.unref();
  const bound = server.address() as AddressInfo;
  return {
    address: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
