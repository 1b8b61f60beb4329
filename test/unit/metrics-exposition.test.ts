/**
 * The worker's one exposition (src/observability/exposition.ts, worker/metrics.ts): ramp's
 * registry followed by what Temporal Core's exporter serves; without Core, ramp's part alone and
 * one log line until Core answers again. Core is played by a local HTTP server here (the real
 * one is in test/e2e/metrics.test.ts).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { rampExposition } from '../../src/observability/exposition.js';
import { installProcessMetrics } from '../../src/observability/process-metrics.js';
import { freeLoopbackPort, serveMetrics, type MetricsServer } from '../../worker/metrics.js';

const CORE_TEXT = '# HELP temporal_workflow_completed x\n# TYPE temporal_workflow_completed counter\ntemporal_workflow_completed{task_queue="q"} 3\n';

describe('the worker’s exposition', () => {
  let core: Server;
  let corePort: number;
  let coreAnswers = true;
  const logs: string[] = [];
  let metrics: MetricsServer;

  before(async () => {
    core = createServer((_req, res) => {
      if (!coreAnswers) return res.destroy();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(CORE_TEXT);
    });
    await new Promise<void>((resolve) => core.listen(0, '127.0.0.1', resolve));
    corePort = (core.address() as AddressInfo).port;
    installProcessMetrics('worker', '0.0.0-test');
    installProcessMetrics('worker', '0.0.0-test'); // twice in one process: no double registration
    metrics = await serveMetrics('127.0.0.1:0', rampExposition({ url: `http://127.0.0.1:${corePort}/metrics`, log: (m) => logs.push(m) }));
  });
  after(async () => {
    await metrics.close();
    await new Promise<void>((resolve) => core.close(() => resolve()));
  });

  const scrape = async (path = '/metrics') => {
    const res = await fetch(`http://${metrics.address}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  test("ramp's metrics, then Core's, in one body", async () => {
    const { status, type, text } = await scrape();
    assert.equal(status, 200);
    assert.match(type ?? '', /^text\/plain; version=0\.0\.4/);
    const build = text.search(/^ramp_build_info\{component="worker",version="0\.0\.0-test",node="v[\d.]+"\} 1$/m);
    const temporal = text.indexOf('temporal_workflow_completed{task_queue="q"} 3');
    assert.ok(build >= 0 && temporal > build, text.slice(0, 500));
    assert.equal(text.match(/^# TYPE process_cpu_user_seconds_total counter$/gm)?.length, 1);
  });

  test("without Core, ramp's part alone, logged once until Core answers again", async () => {
    coreAnswers = false;
    const first = await scrape();
    const second = await scrape();
    for (const { status, text } of [first, second]) {
      assert.equal(status, 200);
      assert.match(text, /^ramp_build_info\{/m);
      assert.doesNotMatch(text, /temporal_workflow_completed/);
    }
    assert.equal(logs.length, 1, logs.join('\n'));
    assert.match(logs[0]!, /fetching Temporal Core's metrics from http:\/\/127\.0\.0\.1:\d+\/metrics failed/);
    coreAnswers = true;
    assert.match((await scrape()).text, /temporal_workflow_completed/);
    assert.equal(logs.length, 2);
    assert.match(logs[1]!, /answer again/);
  });

  test('only GET /metrics', async () => {
    assert.equal((await scrape('/')).status, 404);
    assert.equal((await scrape('/healthz')).status, 404);
  });

  test('a free loopback port for Core', async () => {
    const port = await freeLoopbackPort();
    assert.ok(port > 0 && port < 65_536);
    // Released: Core can bind it.
    const taker = createServer();
    await new Promise<void>((resolve, reject) => taker.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => taker.close(() => resolve()));
  });
});
