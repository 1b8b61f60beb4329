/**
 * The worker's /metrics on RAMP_METRICS_ADDRESS (docs/metrics.md): ramp's registry and Temporal
 * Core's metrics in one exposition. Core's own Prometheus exporter is bound to a loopback port
 * picked here (never exposed); the endpoint fetches it per scrape.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { listenSideServer, type SideServer } from './side-server.js';
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

export type MetricsServer = SideServer;

/** Serves GET /metrics (and HEAD) from `exposition` on `address`. */
export async function serveMetrics(address: string, exposition: Exposition): Promise<MetricsServer> {
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
  return listenSideServer(server, address, METRICS_ADDRESS_VARIABLE, 'metrics endpoint');
}
