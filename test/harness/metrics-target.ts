// A small HTTP app that Prometheus can scrape: its own prom-client Registry with the metrics a
// canary analysis reads (request count by version and status code, request latency), which the
// test drives directly. It also answers GET / like a tiny web app, counting those requests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';

export interface MetricsTarget {
  /** host:port, as a Prometheus target. */
  readonly address: string;
  readonly url: string;
  readonly registry: Registry;
  readonly requests: Counter<'version' | 'code'>;
  readonly latency: Histogram<'version'>;
  /** Records `count` requests as if they had been served. */
  record(sample: { version: string; code?: number; latencySeconds?: number; count?: number }): void;
  /** What GET / answers with (and records). */
  respondAs(response: { version: string; code: number }): void;
  close(): Promise<void>;
}

export async function startMetricsTarget(): Promise<MetricsTarget> {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served, by app version and status code.',
    labelNames: ['version', 'code'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, by app version.',
    labelNames: ['version'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  let response = { version: '1.0.0', code: 200 };

  const record: MetricsTarget['record'] = ({ version, code = 200, latencySeconds, count = 1 }) => {
    requests.inc({ version, code: String(code) }, count);
    if (latencySeconds !== undefined) {
      for (let i = 0; i < count; i++) latency.observe({ version }, latencySeconds);
    }
  };

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    if (req.method === 'GET' && req.url === '/metrics') {
      registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': registry.contentType }).end(body);
        },
        (err: unknown) => {
          res.writeHead(500).end(String(err));
        },
      );
      return;
    }
    if (req.method === 'GET' && req.url === '/') {
      const { version, code } = response;
      res.writeHead(code, { 'content-type': 'text/plain' }).end(`web ${version}\n`);
      record({ version, code, latencySeconds: (performance.now() - started) / 1000 });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const address = `127.0.0.1:${port}`;

  return {
    address,
    url: `http://${address}`,
    registry,
    requests,
    latency,
    record,
    respondAs: (r) => {
      response = { ...r };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
