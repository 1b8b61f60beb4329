/**
 * A demo web app for canary analysis: it serves /metrics (prom-client) with the request
 * metrics an analysis reads — `http_requests_total{version,code}` and
 * `http_request_duration_seconds{version}` — and generates its own traffic for every version
 * it is told about, with the error rate and latency set per version. `ramp dev` and the tests
 * make a release good or bad by setting these.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';

export interface VersionBehaviour {
  /** Fraction of requests answered 500, from 0 to 1. */
  errorRate: number;
  /** Latency of every request, in seconds. */
  latencySeconds: number;
  /** Requests per second. @default 50 */
  rps?: number;
}

export interface DemoApp {
  /** host:port, as a Prometheus scrape target. */
  readonly address: string;
  /** Serve traffic as `version` with this behaviour (replaces an earlier one). */
  set(version: string, behaviour: VersionBehaviour): void;
  /** Stop serving `version`. */
  remove(version: string): void;
  close(): Promise<void>;
}

const TICK_MS = 100;

export async function startDemoApp(options: { port?: number; host?: string } = {}): Promise<DemoApp> {
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
  const versions = new Map<string, VersionBehaviour & { errorCarry: number; requestCarry: number }>();

  // Deterministic traffic: each tick serves rps/10 requests per version, errors spread evenly.
  const tick = setInterval(() => {
    for (const [version, v] of versions) {
      v.requestCarry += ((v.rps ?? 50) * TICK_MS) / 1000;
      const served = Math.floor(v.requestCarry);
      v.requestCarry -= served;
      v.errorCarry += served * v.errorRate;
      const errors = Math.min(served, Math.floor(v.errorCarry));
      v.errorCarry -= errors;
      if (served - errors > 0) requests.inc({ version, code: '200' }, served - errors);
      if (errors > 0) requests.inc({ version, code: '500' }, errors);
      for (let i = 0; i < served; i++) latency.observe({ version }, v.latencySeconds);
    }
  }, TICK_MS);
  tick.unref();

  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        })
        .catch((error: unknown) => {
          res.writeHead(500);
          res.end(String(error));
        });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `${options.host ?? '127.0.0.1'}:${port}`,
    set(version, behaviour) {
      versions.set(version, { ...behaviour, errorCarry: 0, requestCarry: 0 });
    },
    remove(version) {
      versions.delete(version);
    },
    async close() {
      clearInterval(tick);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
