/**
 * The worker's /metrics on RAMP_METRICS_ADDRESS (docs/metrics.md): ramp's registry and Temporal
 * Core's metrics in one exposition. Core's own Prometheus exporter is bound to a loopback port
 * picked here (never exposed); the endpoint fetches it per scrape.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { EXPOSITION_CONTENT_TYPE, type Exposition } from '../src/observability/exposition.js';

export const METRICS_ADDRESS_VARIABLE = 'RAMP_METRICS_ADDRESS';

/** A free port on 127.0.0.1 for Core's exporter: bound, read, released. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface MetricsServer {
  /** The bound address, host:port (the real port when 0 was asked for). */
  address: string;
  close(): Promise<void>;
}

/** Splits host:port (IPv6 as [::1]:port); the variable's schema has checked the form. */
function hostAndPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '0.0.0.0' : host, port: Number(address.slice(at + 1)) };
}

/** Serves GET /metrics (and HEAD) from `exposition` on `address`. */
export async function serveMetrics(address: string, exposition: Exposition): Promise<MetricsServer> {
  const { host, port } = hostAndPort(address);
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found: GET /metrics\n');
      return;
    }
    exposition.text().then(
      (body) => {
        res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`collecting ramp's metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`Starting the worker's metrics endpoint on ${address} (${METRICS_ADDRESS_VARIABLE}): ${err.message}`)));
    server.listen(port, host, resolve);
  });
  // A metrics endpoint must never keep a stopped worker's process alive.
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
