/**
 * The notification webhook's signature (docs/notifications.md "Verifying a webhook"): a
 * receiver recomputes HMAC-SHA256 over the exact body; a changed body, another secret, a stale
 * timestamp or a header that disagrees with the body's sentAt is refused.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { signBody, verifyBody } from '../../src/notify/signature.js';

const SECRET = 'whsec-test-0123456789';
const sentAt = '2026-11-30T10:00:00.000Z';
const ts = String(Date.parse(sentAt) / 1000);
const body = JSON.stringify({ source: 'ramp', sentAt, event: 'promoted' });
const now = Date.parse(sentAt) / 1000 + 10;

test('the signature is sha256=<hex HMAC-SHA256 of the exact body> (as openssl dgst -sha256 -hmac computes it)', () => {
  // Independent computation of the documented recipe.
  assert.equal(signBody(SECRET, body), `sha256=${createHmac('sha256', Buffer.from(SECRET)).update(Buffer.from(body)).digest('hex')}`);
  assert.equal(signBody('key', 'The quick brown fox jumps over the lazy dog'), 'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
});

const cases: [string, { body?: string; secret?: string; signature?: string; timestamp?: string; now?: number }, RegExp | null][] = [
  ['the genuine delivery', {}, null],
  ['a changed body', { body: body.replace('promoted', 'rolled-back') }, /does not match/],
  ['another secret', { secret: 'other-secret-value' }, /does not match/],
  ['no signature', { signature: '' }, /missing/],
  ['a stale timestamp (replay after 5 minutes)', { now: now + 301 }, /within 5 minutes/],
  ['a timestamp header that is not the body’s', { timestamp: String(Number(ts) + 1) }, /differs from the body/],
];
for (const [name, change, refused] of cases) {
  test(name, () => {
    const signed = change.body ?? body;
    const result = verifyBody(
      change.secret ?? SECRET,
      signed,
      { signature: change.signature ?? signBody(SECRET, body), timestamp: change.timestamp ?? ts },
      change.now ?? now,
    );
    if (refused === null) assert.deepEqual(result, { ok: true });
    else {
      assert.equal(result.ok, false);
      assert.match((result as { reason: string }).reason, refused);
    }
  });
}
