// The worker's health endpoint: what /readyz says in each worker phase (a table), how
// RAMP_WORKER_HEALTH_ADDR is read, and the real HTTP server answering from a live phase.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WorkerStatus } from '@temporalio/worker';
import axios from 'axios';
import { parseListenAddress, readiness, serveHealth, type WorkerPhase } from '../../worker/health.js';

const status = (runState: WorkerStatus['runState'], poller: WorkerStatus['workflowPollerState'] = 'POLLING'): WorkerStatus =>
  ({ runState, workflowPollerState: poller, activityPollerState: 'POLLING' }) as WorkerStatus;

describe('readiness', () => {
  const cases: [string, WorkerPhase, 200 | 503, RegExp][] = [
    ['starting (connecting, loading workflows)', 'starting', 503, /^starting/],
    ['running and polling', status('RUNNING'), 200, /^ready/],
    ['created, not yet running', status('INITIALIZED'), 503, /^initialized/],
    ['draining after SIGTERM', status('DRAINING'), 503, /^draining/],
    ['stopping', status('STOPPING'), 503, /^stopping/],
    ['failed', status('FAILED'), 503, /^failed/],
    ['running, workflow poller failed', status('RUNNING', 'FAILED'), 503, /workflow FAILED/],
    ['stopped', 'stopped', 503, /^stopped/],
  ];
  for (const [name, phase, code, body] of cases) {
    test(name, () => {
      const probe = readiness(phase);
      assert.equal(probe.status, code);
      assert.match(probe.body, body);
    });
  }
});

describe('RAMP_WORKER_HEALTH_ADDR', () => {
  const valid: [string, { host: string; port: number }][] = [
    ['127.0.0.1:9465', { host: '127.0.0.1', port: 9465 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    [':9465', { host: '0.0.0.0', port: 9465 }],
    ['[::1]:9465', { host: '::1', port: 9465 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ];
  for (const [text, parsed] of valid) test(`parses ${text}`, () => assert.deepEqual(parseListenAddress(text), parsed));

  for (const text of ['9465', 'host', 'host:', 'host:port', '127.0.0.1:65536', '::1:9465', 'a:b:1']) {
    test(`refuses "${text}" with the variable's name and an example`, () => {
      assert.throws(() => parseListenAddress(text), /RAMP_WORKER_HEALTH_ADDR must be host:port \(e\.g\. 127\.0\.0\.1:9465/);
    });
  }
});

describe('serveHealth', () => {
  test('answers /healthz always and /readyz from the worker phase at each request', async () => {
    let phase: WorkerPhase = 'starting';
    const server = await serveHealth('127.0.0.1:0', () => phase);
    const get = (p: string) => axios.get<string>(`http://${server.address}${p}`, { validateStatus: () => true, responseType: 'text' });
    try {
      assert.match(server.address, /^127\.0\.0\.1:\d+$/);
      assert.notEqual(server.address, '127.0.0.1:0', 'the bound port is reported');
      assert.equal((await get('/healthz')).status, 200);
      assert.equal((await get('/readyz')).status, 503);
      phase = status('RUNNING');
      const ready = await get('/readyz?verbose');
      assert.equal(ready.status, 200);
      assert.equal(ready.data, 'ready: polling\n');
      phase = status('DRAINING');
      assert.equal((await get('/readyz')).status, 503);
      assert.equal((await get('/healthz')).status, 200, 'a draining worker is alive');
      assert.equal((await get('/metrics')).status, 404);
    } finally {
      await server.close();
    }
  });

  test('a port in use fails with what was being started', async () => {
    const first = await serveHealth('127.0.0.1:0', () => 'starting');
    try {
      await assert.rejects(
        serveHealth(first.address, () => 'starting'),
        /Starting the worker's health endpoint on 127\.0\.0\.1:\d+ \(RAMP_WORKER_HEALTH_ADDR\): .*EADDRINUSE/,
      );
    } finally {
      await first.close();
    }
  });
});
