/**
 * `ramp server`'s metrics (server/http-metrics.ts, server/routes/metrics.ts): GET /metrics
 * without credentials; requests counted by route pattern (never the path), method and status;
 * refusals by reason. Temporal-free: the server's Temporal is unreachable, so the visibility
 * gauges have nothing to show and the scrape still answers.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '../../server/errors.js';
import { rampRegistry } from '../../src/observability/registry.js';
import type { MetricName } from '../../src/observability/catalog.js';
import { testServer, tokenOf, type TestServer } from '../support/server.js';

/** A sample's value now (0 when absent). */
async function value(metric: MetricName, labels: Record<string, string>, suffix = ''): Promise<number> {
  const found = rampRegistry.getSingleMetric(metric);
  assert.ok(found, `${metric} is registered`);
  const { values } = await found.get();
  const match = values.find(
    (v) => ((v as { metricName?: string }).metricName ?? metric) === `${metric}${suffix}` && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return match?.value ?? 0;
}

describe('ramp server metrics', () => {
  let dir: string;
  let server: TestServer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ramp-server-metrics-'));
    server = await testServer({
      env: { TEMPORAL_ADDRESS: '127.0.0.1:1', RAMP_CONNECT_TIMEOUT_MS: '200', RAMP_UPDATE_TIMEOUT_MS: '200' },
      pipelinesDir: dir,
      limits: { bodyBytes: 64, ratePerSecond: 0.001, rateBurst: 3 },
    });
    server.context.temporal.get = () => Promise.reject(new ApiError(503, 'ramp server cannot reach Temporal right now'));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const request = (path: string, init: RequestInit = {}) =>
    server.app.request(path, init, { incoming: { socket: { remoteAddress: `10.0.0.${path.length}` } } });

  test('a refused request is counted by its route pattern and its reason, never by its path', async () => {
    const labels = { route: '/api/v1/promotions/:id', method: 'GET', status: '401' };
    const before = { requests: await value('ramp_http_requests_total', labels), refusals: await value('ramp_refusals_total', { reason: 'unauthenticated' }) };
    const res = await request('/api/v1/promotions/web@9.9.9-secret-looking');
    assert.equal(res.status, 401);
    assert.equal(await value('ramp_http_requests_total', labels), before.requests + 1);
    assert.equal(await value('ramp_refusals_total', { reason: 'unauthenticated' }), before.refusals + 1);
    assert.ok((await value('ramp_http_request_duration_seconds', { route: '/api/v1/promotions/:id', method: 'GET' }, '_count')) >= 1);
    const exposition = await (await request('/metrics')).text();
    assert.doesNotMatch(exposition, /9\.9\.9-secret-looking/);
  });

  test('a path no route matches is one label: unmatched', async () => {
    const labels = { route: 'unmatched', method: 'GET', status: '404' };
    const before = await value('ramp_http_requests_total', labels);
    assert.equal((await request('/no/such/page/42')).status, 404);
    assert.equal((await request('/no/such/page/43')).status, 404);
    assert.equal(await value('ramp_http_requests_total', labels), before + 2);
  });

  test('a body over the limit is a refusal: payload_too_large', async () => {
    const before = await value('ramp_refusals_total', { reason: 'payload_too_large' });
    const res = await request('/api/v1/promotions', {
      method: 'POST',
      headers: { authorization: tokenOf('alice'), 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'web', version: '1.0.0', padding: 'x'.repeat(200) }),
    });
    assert.equal(res.status, 413);
    assert.equal(await value('ramp_refusals_total', { reason: 'payload_too_large' }), before + 1);
    assert.equal(await value('ramp_http_requests_total', { route: '/api/v1/promotions', method: 'POST', status: '413' }), 1);
  });

  test('a client over its rate is a refusal: rate_limited', async () => {
    const before = await value('ramp_refusals_total', { reason: 'rate_limited' });
    const statuses: number[] = [];
    // One address (same path length), a bad token each time: the bucket of 3 runs out.
    for (let i = 0; i < 5; i += 1) statuses.push((await request('/api/v1/me', { headers: { authorization: 'Bearer nope' } })).status);
    const limited = statuses.filter((s) => s === 429).length;
    assert.ok(limited >= 1, `some were rate limited: ${statuses.join(',')}`);
    assert.equal(await value('ramp_refusals_total', { reason: 'rate_limited' }), before + limited);
  });

  test('GET /metrics answers without credentials: one exposition with build info, process metrics and the requests', async () => {
    assert.equal((await request('/healthz')).status, 200);
    const res = await request('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    assert.match(body, /^ramp_build_info\{component="server",version="[^"]+",node="v\d+\.\d+\.\d+"\} 1$/m);
    assert.match(body, /^ramp_http_requests_total\{route="\/healthz",method="GET",status="200"\} [1-9]/m);
    assert.match(body, /^process_cpu_user_seconds_total /m);
    assert.match(body, /^# TYPE ramp_stages_running gauge$/m);
  });
});
