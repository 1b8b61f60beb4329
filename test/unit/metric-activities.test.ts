/**
 * measureMetric and fetchSeries in MockActivityEnvironment, over hand-written fake providers:
 * rendering, judging, and every measurement problem as data. The same activities against a
 * real Prometheus: test/integration/prometheus-provider.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  createMetricActivities,
  type FetchSeriesRequest,
  type MeasureMetricRequest,
  type MetricActivities,
  type SeriesResult,
} from '../../activities/metrics.js';
import type { Measurement } from '../../src/domain/analysis/measurement.js';
import type { MeasureRequest, ProviderResult } from '../../src/providers/metrics/metric-provider.js';
import type { PrometheusProviderSpec, RangeQueryRequest, RangeResult } from '../../src/providers/metrics/prometheus.js';
import type { MetricProviders } from '../../src/providers/metrics/registry.js';
import type { MetricSpec } from '../../src/schema/pipeline.js';
import { recordingLogger } from '../support/recording-logger.js';

function fakeProviders(answers: { measure?: ProviderResult | (() => Promise<ProviderResult>); range?: RangeResult } = {}) {
  const measured: MeasureRequest<PrometheusProviderSpec>[] = [];
  const ranged: RangeQueryRequest[] = [];
  const providers: MetricProviders = {
    prometheus: {
      kind: 'prometheus',
      async measure(request) {
        measured.push(request);
        const answer = answers.measure ?? { value: 1 };
        return typeof answer === 'function' ? answer() : answer;
      },
      // eslint-disable-next-line @typescript-eslint/require-await
      async rangeQuery(request) {
        ranged.push(request);
        return answers.range ?? { series: [] };
      },
    },
  };
  return { providers, measured, ranged };
}

const metric = (partial: Partial<MetricSpec> = {}, query = 'sum(rate(http_requests_total{version="{{ramp.version}}",code=~"5.."}[1m]))'): MetricSpec => ({
  name: 'error-rate',
  intervalMs: 60_000,
  initialDelayMs: 0,
  count: 3,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  consecutiveSuccessLimit: 0,
  dryRun: false,
  provider: { kind: 'prometheus', address: 'http://prometheus:9090', query, timeoutMs: 30_000, headers: [] },
  ...partial,
});

const quietEnv = () => new MockActivityEnvironment(undefined, { logger: recordingLogger() });
const measureIn = (acts: MetricActivities, request: MeasureMetricRequest, env = quietEnv()): Promise<Measurement> =>
  env.run((r: MeasureMetricRequest) => acts.measureMetric(r), request);
const fetchIn = (acts: MetricActivities, request: FetchSeriesRequest, env = quietEnv()): Promise<SeriesResult> =>
  env.run((r: FetchSeriesRequest) => acts.fetchSeries(r), request);

describe('measureMetric', () => {
  test('renders the query, measures at the start time, judges the value', async () => {
    const { providers, measured } = fakeProviders({ measure: { value: [0.002] } });
    const acts = createMetricActivities({ providers });
    const before = Date.now();
    const m = await measureIn(acts, { metric: metric({ successCondition: 'result[0] < 0.01' }), args: { 'ramp.version': '1.4.2' } });
    assert.equal(m.phase, 'Successful');
    assert.deepEqual(m.value, [0.002]);
    assert.equal(m.error, null);
    assert.equal(m.message, 'successCondition `result[0] < 0.01` holds for result = [0.002]');
    assert.equal(m.query, 'sum(rate(http_requests_total{version="1.4.2",code=~"5.."}[1m]))');
    assert.equal(measured[0]!.query, m.query);
    assert.equal(measured[0]!.provider.address, 'http://prometheus:9090');
    assert.equal(measured[0]!.timeMs, Date.parse(m.startedAt));
    assert.ok(Date.parse(m.startedAt) >= before && Date.parse(m.finishedAt) >= Date.parse(m.startedAt));
  });

  test('a value that fails the condition is Failed', async () => {
    const acts = createMetricActivities(fakeProviders({ measure: { value: 0.2 } }));
    const m = await measureIn(acts, { metric: metric({ successCondition: 'result < 0.01' }), args: { 'ramp.version': '1' } });
    assert.equal(m.phase, 'Failed');
    assert.equal(m.error, null);
  });

  test('a provider error is an Error measurement, with the error', async () => {
    const error = 'Prometheus at http://prometheus:9090: connection refused. Query: up';
    const acts = createMetricActivities(fakeProviders({ measure: { error } }));
    const m = await measureIn(acts, { metric: metric({ successCondition: 'result < 0.01' }), args: { 'ramp.version': '1' } });
    assert.deepEqual({ phase: m.phase, value: m.value, error: m.error, message: m.message }, { phase: 'Error', value: null, error, message: error });
  });

  test('an empty vector with result[0] is an Error, never a pass', async () => {
    const acts = createMetricActivities(fakeProviders({ measure: { value: [] } }));
    const m = await measureIn(acts, { metric: metric({ successCondition: 'result[0] < 0.01' }), args: { 'ramp.version': '1' } });
    assert.equal(m.phase, 'Error');
    assert.deepEqual(m.value, []);
    assert.match(m.error!, /index out of bounds.*size\(result\) == 0/);
  });

  test('unresolved placeholders are an Error, and nothing is queried', async () => {
    const { providers, measured } = fakeProviders();
    const acts = createMetricActivities({ providers });
    const m = await measureIn(acts, { metric: metric({}, 'x{a="{{args.service}}",v="{{ramp.version}}"}'), args: { 'ramp.version': '1' } });
    assert.equal(m.phase, 'Error');
    assert.match(m.error!, /unresolved placeholders \{\{args\.service\}\}; pass them as analysis args/);
    assert.equal(m.query, 'x{a="{{args.service}}",v="1"}');
    assert.equal(measured.length, 0);
  });

  test('a provider that throws (a bug) still gives an Error measurement', async () => {
    const acts = createMetricActivities(fakeProviders({ measure: () => Promise.reject(new TypeError('boom')) }));
    const m = await measureIn(acts, { metric: metric(), args: { 'ramp.version': '1' } });
    assert.equal(m.phase, 'Error');
    assert.equal(m.error, 'the prometheus provider failed unexpectedly: boom');
  });

  test('a cancelled activity is cancelled, not an Error measurement', async () => {
    const env = quietEnv();
    const acts = createMetricActivities(
      fakeProviders({ measure: () => new Promise((resolve) => setTimeout(() => resolve({ error: 'the query was cancelled' }), 50)) }),
    );
    const pending = measureIn(acts, { metric: metric(), args: { 'ramp.version': '1' } }, env);
    env.cancel('CANCELLED');
    await assert.rejects(pending, CancelledFailure);
  });

  test('logs: info with the query for a judged value, a warning with the error for an Error', async () => {
    const logger = recordingLogger();
    const env = new MockActivityEnvironment(undefined, { logger });
    await measureIn(createMetricActivities(fakeProviders({ measure: { value: 0.5 } })), { metric: metric(), args: { 'ramp.version': '1' } }, env);
    await measureIn(
      createMetricActivities(fakeProviders({ measure: { error: 'no answer within 30s' } })),
      { metric: metric(), args: { 'ramp.version': '1' } },
      env,
    );
    const lines = logger.lines.filter((l) => l.message.startsWith('metric '));
    assert.deepEqual(
      lines.map((l) => [l.level, l.message]),
      [
        ['INFO', 'metric error-rate: Successful (result = 0.5)'],
        ['WARN', 'metric error-rate: Error: no answer within 30s'],
      ],
    );
    assert.equal(lines[0]!.meta?.query, 'sum(rate(http_requests_total{version="1",code=~"5.."}[1m]))');
  });

  test('the measurement is plain JSON', async () => {
    const acts = createMetricActivities(fakeProviders({ measure: { value: [1, 2] } }));
    const m = await measureIn(acts, { metric: metric(), args: { 'ramp.version': '1' } });
    assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
  });
});

describe('fetchSeries', () => {
  const request = {
    address: 'http://prometheus:9090',
    query: 'rate(x{v="{{args.v}}"}[1m])',
    args: { 'args.v': '2' },
    startMs: 0,
    endMs: 60_000,
    stepMs: 15_000,
  };

  test('the first series, values only, NaN and ±Inf as null with counts', async () => {
    const { providers, ranged } = fakeProviders({
      range: {
        series: [
          {
            labels: { a: '1' },
            values: [
              [0, 1],
              [15_000, NaN],
              [30_000, 2.5],
              [45_000, Infinity],
              [60_000, -Infinity],
            ],
          },
          { labels: { a: '2' }, values: [[0, 99]] },
        ],
      },
    });
    const acts = createMetricActivities({ providers });
    const result = await fetchIn(acts, request);
    assert.deepEqual(result, { ok: true, query: 'rate(x{v="2"}[1m])', values: [1, null, 2.5, null, null], seriesCount: 2, nanCount: 1, infCount: 2 });
    assert.equal(ranged[0]!.query, 'rate(x{v="2"}[1m])');
    assert.equal(ranged[0]!.stepMs, 15_000);
  });

  test('no series: no values', async () => {
    const acts = createMetricActivities(fakeProviders({ range: { series: [] } }));
    assert.deepEqual(await fetchIn(acts, request), { ok: true, query: 'rate(x{v="2"}[1m])', values: [], seriesCount: 0, nanCount: 0, infCount: 0 });
  });

  test('errors are data', async () => {
    const acts = createMetricActivities(fakeProviders({ range: { error: 'Prometheus at http://prometheus:9090: connection refused. Query: x' } }));
    assert.deepEqual(await fetchIn(acts, request), {
      ok: false,
      query: 'rate(x{v="2"}[1m])',
      error: 'Prometheus at http://prometheus:9090: connection refused. Query: x',
    });
    const unresolved = await fetchIn(acts, { ...request, args: undefined });
    assert.equal(unresolved.ok, false);
    assert.match(unresolved.ok ? '' : unresolved.error, /unresolved placeholders \{\{args\.v\}\}/);
  });
});
