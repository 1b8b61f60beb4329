/**
 * The Prometheus provider's HTTP handling against a node:http server on port 0: what it sends,
 * how it reads answers, and every way a request can go wrong (timeouts, answers that are not
 * Prometheus JSON, redirects), with secrets kept out of messages. Result shapes and real error
 * answers are tested against a real Prometheus in test/integration/prometheus-provider.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { PrometheusProviderSpec } from '../../src/providers/metrics/prometheus.js';
import { createPrometheusProvider, parseSampleValue } from '../../src/providers/metrics/prometheus.js';
import { createSecretResolver } from '../../src/providers/secrets.js';
import { createMetricProviders } from '../../src/providers/metrics/registry.js';
import { createMetricActivities, type MeasureMetricRequest } from '../../activities/metrics.js';
import type { MetricSpec } from '../../src/schema/pipeline.js';
import type { Measurement } from '../../src/domain/analysis/measurement.js';
import type { Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  form: URLSearchParams;
}

let server: Server;
let base: string;
let seen: Seen[] = [];
let respond: (res: ServerResponse, req: Seen) => void = (res) => res.end();

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, form: new URLSearchParams(body) };
      seen.push(entry);
      respond(res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen = [];
});

const json = (status: number, body: unknown) => (res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
const success = (resultType: string, result: unknown) => json(200, { status: 'success', data: { resultType, result } });

const spec = (partial: Partial<PrometheusProviderSpec> = {}): PrometheusProviderSpec => ({
  kind: 'prometheus',
  address: base,
  query: 'ignored: the request carries the rendered query',
  timeoutMs: 2_000,
  headers: [],
  ...partial,
});
const noSecrets = (): Promise<string | undefined> => Promise.resolve(undefined);
const provider = createPrometheusProvider({ secrets: noSecrets });
const measure = (query = 'up', partial: Partial<PrometheusProviderSpec> = {}, p = provider) =>
  p.measure({ provider: spec(partial), query, timeMs: 1_700_000_000_123 });
const errorOf = (result: object): string => {
  assert.ok('error' in result, `expected an error, got ${JSON.stringify(result)}`);
  return String(result.error);
};

describe('instant queries: the request', () => {
  test('POSTs the query as a form to /api/v1/query with time and timeout in seconds', async () => {
    respond = success('scalar', [1_700_000_000.123, '1']);
    await measure('sum(rate(http_requests_total[1m]))');
    assert.equal(seen.length, 1);
    const [req] = seen;
    assert.equal(req!.method, 'POST');
    assert.equal(req!.url, '/api/v1/query');
    assert.match(String(req!.headers['content-type']), /application\/x-www-form-urlencoded/);
    assert.deepEqual(Object.fromEntries(req!.form), { query: 'sum(rate(http_requests_total[1m]))', time: '1700000000.123', timeout: '2' });
  });

  test('an address with a path prefix and a trailing slash', async () => {
    respond = success('scalar', [1, '1']);
    await measure('up', { address: `${base}/prometheus/` });
    assert.equal(seen[0]!.url, '/prometheus/api/v1/query');
  });
});

describe('instant queries: results', () => {
  test('a scalar is a number', async () => {
    respond = success('scalar', [1_700_000_000.123, '0.975']);
    assert.deepEqual(await measure(), { value: 0.975 });
  });

  test('a vector is one number per series, in the order returned', async () => {
    respond = success('vector', [
      { metric: { code: '500' }, value: [1, '3'] },
      { metric: { code: '200' }, value: [1, '1e-05'] },
      { metric: { code: '404' }, value: [1, '12'] },
    ]);
    assert.deepEqual(await measure(), { value: [3, 0.00001, 12] });
  });

  test('an empty vector is [] (the conditions decide)', async () => {
    respond = success('vector', []);
    assert.deepEqual(await measure(), { value: [] });
  });

  test('NaN, +Inf and -Inf as Prometheus writes them', async () => {
    respond = success(
      'vector',
      ['NaN', '+Inf', '-Inf', '-0.5'].map((v) => ({ metric: {}, value: [1, v] })),
    );
    assert.deepEqual(await measure(), { value: [NaN, Infinity, -Infinity, -0.5] });
    respond = success('scalar', [1, 'NaN']);
    assert.deepEqual(await measure(), { value: NaN });
  });

  const refused: [string, (res: ServerResponse) => void, RegExp][] = [
    [
      'a matrix (range vector)',
      success('matrix', [{ metric: {}, values: [[1, '1']] }]),
      /returns a range vector \(a matrix\); a measurement needs a scalar or an instant vector/,
    ],
    ['a string', success('string', [1, 'hello']), /returns a string; a measurement needs/],
    ['native histograms', success('vector', [{ metric: {}, histogram: [1, { count: '3' }] }]), /native histograms/],
    ['a malformed sample', success('vector', [{ metric: {}, value: [1, 'lots'] }]), /a sample of the vector result is malformed/],
    ['a malformed scalar', success('scalar', 'x'), /the scalar result is malformed/],
    ['data missing', json(200, { status: 'success' }), /answered without data/],
  ];
  for (const [name, answer, message] of refused) {
    test(`${name} is an error`, async () => {
      respond = answer;
      const error = errorOf(await measure('q{a="b"}'));
      assert.match(error, message);
      assert.ok(error.startsWith(`Prometheus at ${base}: `), error);
      assert.ok(error.endsWith('. Query: q{a="b"}'), error);
    });
  }
});

describe('errors are data: what went wrong, where, for which query', () => {
  const rows: [string, (res: ServerResponse) => void, RegExp][] = [
    [
      'status "error" with errorType (HTTP 422)',
      json(422, { status: 'error', errorType: 'execution', error: 'expanding series: too many samples' }),
      /refused the query: execution: expanding series: too many samples \(HTTP 422 Unprocessable Entity\)/,
    ],
    ['status "error" without errorType', json(400, { status: 'error', error: 'oops' }), /refused the query: oops \(HTTP 400 Bad Request\)/],
    [
      'an HTML error page from a proxy',
      (res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>\n<body>Bad   Gateway</body></html>'),
      /answered HTTP 502 Bad Gateway with something that is not JSON: "<html> <body>Bad Gateway<\/body><\/html>"/,
    ],
    ['an empty 503', (res) => res.writeHead(503).end(), /answered HTTP 503 Service Unavailable with an empty body/],
    ['text with 200', (res) => res.writeHead(200).end('ok'), /answered HTTP 200 OK with something that is not JSON: "ok"/],
    ['JSON that is not an API answer', json(200, { hello: 'world' }), /JSON that is not a Prometheus API answer/],
    [
      '"success" with an error status',
      json(500, { status: 'success', data: { resultType: 'scalar', result: [1, '1'] } }),
      /answered HTTP 500 Internal Server Error with status "success"/,
    ],
    [
      'a redirect (not followed: headers could carry secrets)',
      (res) => res.writeHead(302, { location: 'http://example.invalid/login' }).end(),
      /answered HTTP 302 Found with an empty body/,
    ],
  ];
  for (const [name, answer, message] of rows) {
    test(name, async () => {
      respond = answer;
      const error = errorOf(await measure('up == 1'));
      assert.match(error, message);
      assert.ok(error.includes(base) && error.endsWith('Query: up == 1'), error);
    });
  }

  test('a long answer is cut short in the message', async () => {
    respond = (res) => res.writeHead(500).end('x'.repeat(5_000));
    const error = errorOf(await measure());
    assert.ok(error.length < 400, error);
    assert.match(error, /x…"/);
  });

  test('a server that never answers: the timeout, named', async () => {
    respond = () => {}; // hold the request
    const started = performance.now();
    const error = errorOf(await measure('slow_query', { timeoutMs: 300 }));
    const took = performance.now() - started;
    assert.equal(error, `Prometheus at ${base}: no answer within 300ms. Query: slow_query`);
    assert.ok(took >= 290 && took < 2_000, `took ${took} ms`);
  });

  test('a server that trickles its answer past the timeout', async () => {
    respond = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
      setTimeout(() => res.end('"success","data":{"resultType":"scalar","result":[1,"1"]}}'), 1_000).unref();
    };
    assert.match(errorOf(await measure('q', { timeoutMs: 300 })), /no answer within 300ms/);
  });

  test('connection refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    assert.equal(errorOf(await measure('up', { address })), `Prometheus at ${address}: connection refused (is Prometheus running at this address?). Query: up`);
  });

  test('a cancelled request', async () => {
    respond = () => {};
    const controller = new AbortController();
    const pending = provider.measure({ provider: spec(), query: 'up', timeMs: 0, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    assert.match(errorOf(await pending), /the query was cancelled/);
  });
});

describe('auth headers by reference', () => {
  const token = 'Bearer s3cr3t-t0ken-value';
  const secrets = (ref: string): Promise<string | undefined> => Promise.resolve(ref === 'prometheus-token' ? token : undefined);
  const authed = createPrometheusProvider({ secrets });
  const headers = [{ name: 'Authorization', secretRef: 'prometheus-token' }];

  test('the secret is sent as the header', async () => {
    respond = success('scalar', [1, '1']);
    assert.deepEqual(await measure('up', { headers }, authed), { value: 1 });
    assert.equal(seen[0]!.headers.authorization, token);
  });

  test('a secret the worker does not have: an error naming where to put it, and no request', async () => {
    const error = errorOf(await measure('up', { headers: [{ name: 'X-Scope-OrgID', secretRef: 'tenant-id' }] }, authed));
    assert.equal(
      error,
      `Prometheus at ${base}: secret "tenant-id" for the X-Scope-OrgID header is not set on this worker (RAMP_SECRET_TENANT_ID or $RAMP_SECRETS_DIR/tenant-id). Query: up`,
    );
    assert.equal(seen.length, 0);
  });

  test('a secret echoed back by the server never reaches the message', async () => {
    respond = (res, req) => json(401, { status: 'error', errorType: 'unauthorized', error: `bad token ${String(req.headers.authorization)}` })(res);
    const error = errorOf(await measure('up', { headers }, authed));
    assert.ok(!error.includes('s3cr3t'), error);
    assert.match(error, /unauthorized: bad token \*\*\* \(HTTP 401 Unauthorized\)/);
  });

  // The token alone (without `Bearer `), encoded, or cut by a snippet: no form of it may reach
  // the measurement error (it goes to the worker log, `ramp status --json` and the history).
  const bare = token.slice('Bearer '.length);
  const echoes: [string, (auth: string) => (res: ServerResponse) => void][] = [
    ['the token alone in a Prometheus error', () => json(401, { status: 'error', errorType: 'unauthorized', error: `invalid token ${bare}` })],
    ['the token alone in a plain-text body', () => (res) => res.writeHead(401, { 'content-type': 'text/plain' }).end(`token ${bare} is not valid\n`)],
    [
      'the token base64 and URL-encoded',
      () => json(401, { status: 'error', errorType: 'unauthorized', error: `${Buffer.from(bare).toString('base64')} / ${encodeURIComponent(bare)}` }),
    ],
    ['the token where the quoted snippet is cut', () => (res) => res.writeHead(401).end(`${'x'.repeat(190)} ${bare}`)],
    ["the whole header in JSON that is not Prometheus'", (auth) => json(401, { message: `unauthorized: ${auth}` })],
  ];
  for (const [what, answer] of echoes) {
    test(`a 401 echoing ${what}: no form of the token in the message`, async () => {
      respond = (res, req) => answer(String(req.headers.authorization))(res);
      const error = errorOf(await measure('up', { headers }, authed));
      assert.match(error, /HTTP 401/);
      for (const form of [bare, bare.slice(0, 8), Buffer.from(bare).toString('base64'), encodeURIComponent(bare)])
        assert.ok(!error.includes(form), `${form} in: ${error}`);
    });
  }

  test('through the measureMetric activity: no form of the token in the measurement, its JSON or the log', async () => {
    respond = (res) =>
      json(401, { status: 'error', errorType: 'unauthorized', error: `token ${bare} rejected (${Buffer.from(bare).toString('base64')})` })(res);
    const providers = createMetricProviders({ secrets: createSecretResolver({ env: { RAMP_SECRET_PROMETHEUS_TOKEN: token } }) });
    const activities = createMetricActivities({ providers });
    const lines: string[] = [];
    const at = (message: string, meta?: Record<string, unknown>) => void lines.push(`${message} ${JSON.stringify(meta ?? {})}`);
    const logger: Logger = { log: (_level, message, meta) => at(message, meta), trace: at, debug: at, info: at, warn: at, error: at };
    const env = new MockActivityEnvironment(undefined, { logger });
    const metric: MetricSpec = {
      name: 'error-rate',
      intervalMs: 60_000,
      initialDelayMs: 0,
      count: 1,
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      consecutiveSuccessLimit: 0,
      dryRun: false,
      provider: { ...spec({ headers }), query: 'up' },
    };
    const measure = (r: MeasureMetricRequest): Promise<Measurement> => activities.measureMetric(r);
    const measurement: Measurement = await env.run(measure, { metric, args: {} });
    assert.equal(measurement.phase, 'Error');
    assert.match(String(measurement.error), /unauthorized: token \*\*\* rejected \(\*\*\*\) \(HTTP 401 Unauthorized\)/);
    const everything = `${JSON.stringify(measurement)}\n${lines.join('\n')}`;
    assert.ok(lines.length > 0, 'the activity logged the measurement');
    for (const form of [bare, Buffer.from(bare).toString('base64'), encodeURIComponent(bare), token])
      assert.ok(!everything.includes(form), `${form} in: ${everything}`);
  });

  test('credentials in the address never reach the message', async () => {
    respond = json(503, { status: 'error', errorType: 'unavailable', error: 'warming up' });
    const address = base.replace('http://', 'http://admin:hunter22@');
    const error = errorOf(await measure('up', { address }));
    assert.ok(!error.includes('hunter22') && !error.includes('admin'), error);
    assert.ok(error.startsWith(`Prometheus at ${base}: refused the query: unavailable: warming up`), error);
  });

  test('createSecretResolver: RAMP_SECRET_<NAME> first, then $RAMP_SECRETS_DIR/<name>', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-secrets-'));
    try {
      await writeFile(path.join(dir, 'from-file'), 'file-value\n');
      await writeFile(path.join(dir, 'both'), 'file-loses');
      const resolve = createSecretResolver({ env: { RAMP_SECRET_BOTH: ' env-wins ', RAMP_SECRET_ONLY_ENV: 'e' }, secretsDir: dir });
      assert.equal(await resolve('both'), 'env-wins');
      assert.equal(await resolve('only-env'), 'e');
      assert.equal(await resolve('from-file'), 'file-value');
      assert.equal(await resolve('missing'), undefined);
      assert.equal(await resolve('../etc/passwd'), undefined);
      assert.equal(await createSecretResolver({ env: { RAMP_SECRETS_DIR: dir } })('from-file'), 'file-value');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('range queries', () => {
  test('POSTs start, end and step in seconds; series come back with ms timestamps', async () => {
    respond = success('matrix', [
      {
        metric: { __name__: 'x', code: '200' },
        values: [
          [1_700_000_000, '1'],
          [1_700_000_015.5, 'NaN'],
        ],
      },
      { metric: { code: '500' }, values: [[1_700_000_000, '+Inf']] },
    ]);
    const result = await provider.rangeQuery({ address: base, query: 'x', startMs: 1_700_000_000_000, endMs: 1_700_000_060_000, stepMs: 15_000 });
    assert.equal(seen[0]!.url, '/api/v1/query_range');
    assert.deepEqual(Object.fromEntries(seen[0]!.form), { query: 'x', start: '1700000000', end: '1700000060', step: '15', timeout: '30' });
    assert.deepEqual(result, {
      series: [
        {
          labels: { __name__: 'x', code: '200' },
          values: [
            [1_700_000_000_000, 1],
            [1_700_000_015_500, NaN],
          ],
        },
        { labels: { code: '500' }, values: [[1_700_000_000_000, Infinity]] },
      ],
    });
  });

  test('a result that is not a matrix is an error', async () => {
    respond = success('vector', []);
    assert.match(errorOf(await provider.rangeQuery({ address: base, query: 'x', startMs: 0, endMs: 1, stepMs: 1 })), /returned a vector, not a matrix/);
  });

  test('a step of 0 or an end before the start is refused before any request', async () => {
    assert.match(errorOf(await provider.rangeQuery({ address: base, query: 'x', startMs: 0, endMs: 1_000, stepMs: 0 })), /stepMs > 0/);
    assert.match(errorOf(await provider.rangeQuery({ address: base, query: 'x', startMs: 2_000, endMs: 1_000, stepMs: 1 })), /startMs <= endMs/);
    assert.equal(seen.length, 0);
  });
});

test('parseSampleValue', () => {
  const rows: [string, number | null][] = [
    ['1', 1],
    ['0.975', 0.975],
    ['-2.5e-07', -2.5e-7],
    ['NaN', NaN],
    ['+Inf', Infinity],
    ['Inf', Infinity],
    ['-Inf', -Infinity],
    ['', null],
    ['abc', null],
    ['1,5', null],
  ];
  for (const [text, value] of rows) assert.deepEqual(parseSampleValue(text), value, text);
});
