// Harness self-check (not a test of ramp): startPrometheus() scrapes startMetricsTarget()'s
// prom-client app. ramp's own Prometheus provider: test/integration/prometheus-provider.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import axios from 'axios';
import { startMetricsTarget, type MetricsTarget } from '../metrics-target.js';
import { startPrometheus, type TestPrometheus } from '../prometheus.js';

describe('harness: Prometheus scraping a prom-client target', () => {
  let target: MetricsTarget;
  let prometheus: TestPrometheus;

  before(async () => {
    target = await startMetricsTarget();
    prometheus = await startPrometheus({ targets: [target.address] });
  });

  after(async () => {
    await prometheus?.stop();
    await target?.close();
  });

  test('scrapes the target (up == 1)', async (t) => {
    const ms = await prometheus.waitForUp();
    t.diagnostic(`first successful scrape ${Math.round(ms)} ms after Prometheus was spawned`);
    const up = await prometheus.query('up');
    assert.deepEqual(
      up.map((s) => [s.metric.instance, s.metric.job, s.value]),
      [[target.address, 'ramp-test', 1]],
    );
  });

  test('an instant query sees a counter the test increments', async () => {
    const query = 'http_requests_total{version="1.1.0",code="200"}';
    target.record({ version: '1.1.0', code: 200, count: 7 });
    const first = await prometheus.waitFor(query, (s) => s[0]?.value === 7, { timeoutMs: 10_000 });
    assert.equal(first.length, 1);
    assert.equal(first[0]!.metric.instance, target.address);

    target.record({ version: '1.1.0', code: 200, count: 5 });
    await prometheus.waitFor(query, (s) => s[0]?.value === 12, { timeoutMs: 10_000 });
  });

  test('histogram observations come through as buckets', async () => {
    target.record({ version: '1.2.0', latencySeconds: 0.3, count: 4 });
    target.record({ version: '1.2.0', latencySeconds: 0.02, count: 1 });
    await prometheus.waitFor('http_request_duration_seconds_count{version="1.2.0"}', (s) => s[0]?.value === 5, {
      timeoutMs: 10_000,
    });
    const [p50] = await prometheus.query('histogram_quantile(0.5, sum by (le) (http_request_duration_seconds_bucket{version="1.2.0"}))');
    assert.ok(p50 && p50.value > 0.25 && p50.value <= 0.5, `p50 ${p50?.value} should fall in the 0.25–0.5 s bucket`);
  });

  test('requests served by the app are counted by status code', async () => {
    target.respondAs({ version: '2.0.0', code: 503 });
    for (let i = 0; i < 3; i++) {
      const res = await axios.get(target.url, { validateStatus: () => true });
      assert.equal(res.status, 503);
    }
    await prometheus.waitFor('sum(http_requests_total{version="2.0.0",code="503"})', (s) => s[0]?.value === 3, {
      timeoutMs: 10_000,
    });
  });
});
