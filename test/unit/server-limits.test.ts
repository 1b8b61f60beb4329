/** The request-rate token bucket of ramp server, on a clock the test turns. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RateLimiter } from '../../server/limits.js';

describe('RateLimiter', () => {
  test('a burst, then one request per refill; the wait is whole seconds', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => limiter.take('a')),
      [0, 0, 0, 1],
    );
    now += 500; // one token back at 2 per second
    assert.equal(limiter.take('a'), 0);
    assert.equal(limiter.take('a'), 1);
    now += 10_000; // refills up to the burst, not beyond
    assert.deepEqual(
      [1, 2, 3, 4].map(() => limiter.take('a')),
      [0, 0, 0, 1],
    );
  });

  test('clients are limited separately; a slow rate asks for a longer wait', () => {
    const now = 0;
    const limiter = new RateLimiter(0.1, 1, () => now);
    assert.equal(limiter.take('a'), 0);
    assert.equal(limiter.take('a'), 10);
    assert.equal(limiter.take('b'), 0);
  });

  test('memory stays bounded under a flood of clients', () => {
    const limiter = new RateLimiter(1, 1, () => 0);
    for (let i = 0; i < 12_000; i++) limiter.take(`client-${i}`);
    assert.equal(limiter.size, 10_000);
    // The most recent ones are kept: client-11999 is still limited.
    assert.equal(limiter.take('client-11999'), 1);
  });
});
