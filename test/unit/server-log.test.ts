/** ramp server's log lines: what a request line holds, and that a credential never survives in it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errorEvent, jsonLogger, requestEvent } from '../../server/log.js';

const TOKEN = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

describe('the request log', () => {
  test('a request line: method, path, status, duration, subject, error code', () => {
    assert.deepEqual(
      requestEvent({ method: 'POST', path: '/api/v1/promotions', status: 409, ms: 12.345, actor: 'sub-alice', error: 'refused' }, `Bearer ${TOKEN}`),
      {
        msg: 'request',
        method: 'POST',
        path: '/api/v1/promotions',
        status: 409,
        ms: 12.3,
        actor: 'sub-alice',
        error: 'refused',
      },
    );
  });

  test('the credential is masked wherever it appears, in any of its usual encodings', () => {
    const paths = [`/api/v1/promotions/${TOKEN}`, `/x/${encodeURIComponent(`Bearer ${TOKEN}`)}`, `/x/${Buffer.from(TOKEN).toString('base64')}`];
    for (const path of paths) {
      const line = JSON.stringify(requestEvent({ method: 'GET', path, status: 404, ms: 1, actor: null }, `Bearer ${TOKEN}`));
      assert.ok(!line.includes(TOKEN) && !line.includes(Buffer.from(TOKEN).toString('base64')), line);
      assert.match(line, /\*\*\*/);
    }
    const error = errorEvent('failed', new Error(`upstream said: invalid token ${TOKEN}`), `Bearer ${TOKEN}`);
    assert.ok(!JSON.stringify(error).includes(TOKEN));
  });

  test('JSON lines: info on stdout, errors on stderr', () => {
    const out: string[] = [];
    const err: string[] = [];
    const logger = jsonLogger({ stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
    logger.info({ msg: 'listening' });
    logger.error({ msg: 'not ready' });
    assert.equal(out.length, 1);
    assert.equal(err.length, 1);
    const line = JSON.parse(out[0]!) as Record<string, unknown>;
    assert.equal(line.level, 'info');
    assert.equal(line.msg, 'listening');
    assert.ok(out[0]!.endsWith('\n') && !out[0]!.slice(0, -1).includes('\n'));
  });
});
