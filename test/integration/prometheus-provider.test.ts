/**
 * The Prometheus metric provider and the measure activities against a real Prometheus scraping
 * a prom-client target: result shapes as Prometheus really sends them, and its real error
 * answers. One Prometheus for the file (its first scrape takes ~6 s).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createMetricActivities,
  type FetchSeriesRequest,
  type MeasureMetricRequest,
  type MetricActivities,
  type SeriesResult,
} from '../../activities/metrics.js';
import type { Measurement } from '../../src/domain/analysis/measurement.js';
import { createPrometheusProvider, type PrometheusProviderSpec } from '../../src/providers/metrics/prometheus.js';
import { createMetricProviders } from '../../src/providers/metrics/registry.js';
import type { MetricSpec } from '../../src/schema/pipeline.js';
import { startMetricsTarget, type MetricsTarget } from '../harness/metrics-target.js';
import { startPrometheus, type TestPrometheus } from '../harness/prometheus.js';

const noSecrets = (): Promise<string | undefined> => Promise.resolve(undefined);
const provider = createPrometheusProvider({ secrets: noSecrets });
const quiet: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const measureIn = (acts: MetricActivities, request: MeasureMetricRequest): Promise<Measurement> =>
  new MockActivityEnvironment(undefined, { logger: quiet }).run((r: MeasureMetricRequest) => acts.measureMetric(r), request);
const fetchIn = (acts: MetricActivities, request: FetchSeriesRequest): Promise<SeriesResult> =>
  new MockActivityEnvironment(undefined, { logger: quiet }).run((r: FetchSeriesRequest) => acts.fetchSeries(r), request);

describe('Prometheus provider against a real Prometheus', () => {
  let target: MetricsTarget;
  let prometheus: TestPrometheus;
  const spec = (): PrometheusProviderSpec => ({ kind: 'prometheus', address: prometheus.url, query: '', timeoutMs: 5_000, headers: [] });
  const measure = (query: string) => provider.measure({ provider: spec(), query, timeMs: Date.now() });

  before(async () => {
    target = await startMetricsTarget();
    target.record({ version: '1.1.0', code: 200, count: 97 });
    target.record({ version: '1.1.0', code: 500, count: 3 });
    target.record({ version: '1.1.0', code: 404, count: 5 });
    prometheus = await startPrometheus({ targets: [target.address] });
    await prometheus.waitForUp();
    await prometheus.waitFor('http_requests_total{version="1.1.0"}', (s) => s.length === 3, { timeoutMs: 10_000 });
  });

  after(async () => {
    await prometheus?.stop();
    await target?.close();
  });

  test('an instant scalar', async () => {
    assert.deepEqual(await measure('scalar(sum(http_requests_total{version="1.1.0",code=~"5.."}) / sum(http_requests_total{version="1.1.0"}))'), {
      value: 3 / 105,
    });
    assert.deepEqual(await measure('1 + 1'), { value: 2 });
  });

  test('an instant vector with several series, in the order Prometheus returns them', async () => {
    const result = await measure('sort_desc(http_requests_total{version="1.1.0"})');
    assert.deepEqual(result, { value: [97, 5, 3] });
    const unsorted = await measure('http_requests_total{version="1.1.0"}');
    const expected = (await prometheus.query('http_requests_total{version="1.1.0"}')).map((s) => s.value);
    assert.deepEqual(unsorted, { value: expected });
  });

  test('an empty vector is []', async () => {
    assert.deepEqual(await measure('http_requests_total{version="9.9.9"}'), { value: [] });
  });

  test('NaN and +Inf as Prometheus really sends them', async () => {
    assert.deepEqual(await measure('0 / 0'), { value: NaN });
    assert.deepEqual(await measure('sum(http_requests_total{version="1.1.0"}) / 0'), { value: [Infinity] });
    assert.deepEqual(await measure('-1 / 0'), { value: -Infinity });
  });

  test('a bad PromQL: Prometheus answers HTTP 400 bad_data, and the error says so', async () => {
    const result = await measure('sum(rate(http_requests_total[1m])');
    assert.ok('error' in result);
    assert.match(
      result.error,
      new RegExp(
        `^Prometheus at ${prometheus.url}: refused the query: bad_data: .*parse error.* \\(HTTP 400 Bad Request\\)\\. Query: sum\\(rate\\(http_requests_total\\[1m\\]\\)$`,
      ),
    );
  });

  test('a range vector where a measurement needs an instant one', async () => {
    const result = await measure('http_requests_total{version="1.1.0"}[30s]');
    assert.ok('error' in result);
    assert.match(result.error, /returns a range vector \(a matrix\)/);
  });

  test('a range query: series with labels and [ms, value] samples at each step', async () => {
    const endMs = Date.now();
    const result = await provider.rangeQuery({
      address: prometheus.url,
      query: 'sum by (code) (http_requests_total{version="1.1.0"})',
      startMs: endMs - 5_000,
      endMs,
      stepMs: 1_000,
    });
    assert.ok('series' in result, JSON.stringify(result));
    assert.deepEqual(result.series.map((s) => s.labels.code).sort(), ['200', '404', '500']);
    // The target was first scraped a moment ago: its series has a sample at each step since then.
    const ok = result.series.find((s) => s.labels.code === '200')!;
    assert.ok(ok.values.length >= 1, JSON.stringify(ok));
    for (const [t, v] of ok.values) {
      assert.ok(Number.isInteger(t) && t >= endMs - 5_001 && t <= endMs + 1, `t ${t}`);
      assert.equal(v, 97);
    }
  });

  test('a range query: one sample per step, from start to end', async () => {
    const startMs = Math.floor(Date.now() / 1000) * 1000 - 5_000;
    const result = await provider.rangeQuery({ address: prometheus.url, query: 'vector(1)', startMs, endMs: startMs + 5_000, stepMs: 1_000 });
    assert.deepEqual(result, { series: [{ labels: {}, values: [0, 1, 2, 3, 4, 5].map((i) => [startMs + i * 1_000, 1]) }] });
  });

  test('a range query Prometheus refuses (too many points)', async () => {
    const result = await provider.rangeQuery({ address: prometheus.url, query: 'up', startMs: 0, endMs: Date.now(), stepMs: 1 });
    assert.ok('error' in result);
    assert.match(result.error, /refused the query: bad_data: .*11,?000 points.*\(HTTP 400 Bad Request\)/);
  });

  test('a stopped Prometheus: an error naming its address', async () => {
    const stopped = await startPrometheus({ targets: [] });
    await stopped.stop();
    const result = await provider.measure({ provider: { ...spec(), address: stopped.url }, query: 'up', timeMs: Date.now() });
    assert.deepEqual(result, { error: `Prometheus at ${stopped.url}: connection refused (is Prometheus running at this address?). Query: up` });
  });

  describe('the activities over the real provider', () => {
    const metric = (partial: Partial<MetricSpec>): MetricSpec => ({
      name: 'error-rate',
      intervalMs: null,
      initialDelayMs: 0,
      count: 1,
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      consecutiveSuccessLimit: 0,
      dryRun: false,
      provider: {
        kind: 'prometheus',
        address: prometheus.url,
        timeoutMs: 5_000,
        headers: [],
        query: 'sum(http_requests_total{version="{{ramp.version}}",code=~"5.."}) / sum(http_requests_total{version="{{ramp.version}}"})',
      },
      ...partial,
    });
    const activities = () => createMetricActivities({ providers: createMetricProviders({ secrets: noSecrets }) });

    test('measureMetric: Successful under the threshold, Failed over it', async () => {
      const acts = activities();
      const good = await measureIn(acts, { metric: metric({ successCondition: 'result[0] < 0.05' }), args: { 'ramp.version': '1.1.0' } });
      assert.equal(good.phase, 'Successful', good.message ?? '');
      assert.deepEqual(good.value, [3 / 105]);
      assert.equal(good.query, 'sum(http_requests_total{version="1.1.0",code=~"5.."}) / sum(http_requests_total{version="1.1.0"})');
      const bad = await measureIn(acts, { metric: metric({ successCondition: 'result[0] < 0.01' }), args: { 'ramp.version': '1.1.0' } });
      assert.equal(bad.phase, 'Failed');
    });

    test('measureMetric: a version without traffic is an Error with result[0], a pass only with a guard', async () => {
      const acts = activities();
      const unguarded = await measureIn(acts, { metric: metric({ successCondition: 'result[0] < 0.05' }), args: { 'ramp.version': '2.0.0' } });
      assert.equal(unguarded.phase, 'Error');
      assert.deepEqual(unguarded.value, []);
      const guarded = await measureIn(acts, {
        metric: metric({ successCondition: 'size(result) == 0 || result[0] < 0.05' }),
        args: { 'ramp.version': '2.0.0' },
      });
      assert.equal(guarded.phase, 'Successful');
    });

    test('fetchSeries: the first series as values', async () => {
      const endMs = Date.now();
      const result = await fetchIn(activities(), {
        address: prometheus.url,
        query: 'sum(http_requests_total{version="{{args.v}}"})',
        args: { 'args.v': '1.1.0' },
        startMs: endMs - 3_000,
        endMs,
        stepMs: 1_000,
      });
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.seriesCount, 1);
      assert.ok(result.values.length >= 1 && result.values.every((v) => v === 105), JSON.stringify(result.values));
    });
  });
});
