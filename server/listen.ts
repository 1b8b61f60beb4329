/**
 * Serving the app over HTTP (@hono/node-server), and stopping gracefully: stop accepting, end
 * the event streams, let requests in flight finish within the grace, then cut what is left.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { RampServer } from './app.js';

export interface Listening {
  /** `http://host:port` as bound (port 0 becomes the real one). */
  url: string;
  /** Stops gracefully within `graceMs`; resolves once every connection is closed. */
  stop(graceMs: number): Promise<void>;
}

export async function listen(server: RampServer, host: string, port: number): Promise<Listening> {
  const http = await new Promise<Server>((resolve, reject) => {
    const started = serve({ fetch: server.app.fetch, hostname: host, port }, () => resolve(started)) as Server;
    started.once('error', reject);
  });
  const bound = http.address() as AddressInfo;
  const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${shown}:${bound.port}`,
    stop(graceMs) {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        server.endStreams();
        http.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
        if ((await Promise.race([closed, late])) === 'late') http.closeAllConnections();
        clearTimeout(timer);
        await closed;
        await server.close();
      })();
      return stopping;
    },
  };
}

/** `127.0.0.1:8480` → host and port; `[::1]:8480` too. */
export function hostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(colon + 1)) };
}
