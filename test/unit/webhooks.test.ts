/** The webhook call over real HTTP: the body, the HMAC signature a receiver verifies, retries. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import axios from 'axios';
import { createWebhookActivities, SIGNATURE_HEADER, type WebhookAnswer } from '../../activities/webhooks.js';
import type { WebhookSpec } from '../../src/schema/pipeline.js';

describe('callWebhook', () => {
  let server: http.Server;
  let url: string;
  const received: { body: string; signature: string | undefined }[] = [];
  let statuses: number[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body, signature: req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined });
        res.writeHead(statuses.shift() ?? 200);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const hook = (extra: Partial<WebhookSpec> = {}): WebhookSpec => ({
    name: 'gate',
    type: 'pre-rollout',
    url,
    timeoutMs: 2_000,
    retries: 2,
    intervalMs: 1_000,
    metadata: { team: 'web' },
    secretRef: null,
    ...extra,
  });
  const payload = { pipeline: 'web', stage: 'staging', promotionId: 'web@1.1.0', version: '1.1.0', phase: 'Progressing' };
  const activities = createWebhookActivities({ http: axios.create(), secrets: (ref) => Promise.resolve(ref === 'hook-key' ? 's3cret' : undefined) });
  const call = (h: WebhookSpec): Promise<WebhookAnswer> =>
    new MockActivityEnvironment().run((request) => activities.callWebhook(request), { hook: h, payload });

  test('signs the exact body with HMAC-SHA256 so the receiver can verify it', async () => {
    received.length = 0;
    const answer = await call(hook({ secretRef: 'hook-key' }));
    assert.deepEqual(answer, { ok: true, status: 200, error: null, attempts: 1 });
    const { body, signature } = received[0]!;
    assert.equal(signature, `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`);
    assert.deepEqual(JSON.parse(body), { ...payload, name: 'gate', type: 'pre-rollout', metadata: { team: 'web' } });
  });

  test('retries a gate hook, and reports the last answer', async () => {
    received.length = 0;
    statuses = [503, 503, 503];
    const answer = await call(hook());
    assert.deepEqual(answer, { ok: false, status: 503, error: 'webhook gate answered HTTP 503', attempts: 3 });
    assert.equal(received.length, 3);
    assert.equal(received[0]!.signature, undefined);
  });

  test('asks a confirm hook once per call: the workflow asks again later', async () => {
    received.length = 0;
    statuses = [409];
    const answer = await call(hook({ type: 'confirm-promotion' }));
    assert.equal(answer.attempts, 1);
    assert.equal(answer.ok, false);
  });

  test('a missing secret or an unreachable hook is an answer, not a crash', async () => {
    assert.match((await call(hook({ secretRef: 'nope' }))).error ?? '', /secret nope is not on this worker/);
    const dead = await call(hook({ url: 'http://127.0.0.1:9/hook', retries: 0 }));
    assert.equal(dead.ok, false);
    assert.match(dead.error ?? '', /did not answer/);
  });
});
