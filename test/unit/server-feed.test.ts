/**
 * The live-status fan-out of ramp server (server/sse.ts): one read loop per watched promotion,
 * whatever the number of watchers; a change reaches every watcher; `end` once it finished; the
 * loop stops with its last watcher. The reads are a function of the test (ramp's own interface).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Snapshot } from '../../cli/follow.js';
import { ApiError } from '../../server/errors.js';
import { StatusFeed, type FeedEvent } from '../../server/sse.js';
import { waitFor } from '../support/wait.js';

function snapshot(phase: string, finished = false): Snapshot {
  return { promotion: { promotionId: 'web@1.0', phase, finishedAt: finished ? '2026-01-01T00:00:00Z' : null } as Snapshot['promotion'], activeStage: null };
}

describe('StatusFeed', () => {
  test('one loop for many watchers; changes fan out; the loop ends with the promotion', async () => {
    let reads = 0;
    let current = snapshot('Running');
    const feed = new StatusFeed(() => {
      reads++;
      return Promise.resolve(current);
    }, 10);
    const a: FeedEvent[] = [];
    const b: FeedEvent[] = [];
    feed.watch('web@1.0', (e) => a.push(e), current);
    feed.watch('web@1.0', (e) => b.push(e), current);
    assert.equal(feed.watched, 1);
    assert.deepEqual(
      a.map((e) => e.kind),
      ['status'],
    );
    assert.deepEqual(
      b.map((e) => e.kind),
      ['status'],
      'a watcher joining a loop gets the latest status at once',
    );
    await waitFor(
      () => Promise.resolve(reads),
      (n) => n >= 3,
      'a few reads',
    );
    assert.equal(a.length, 1, 'an unchanged status is not sent again');
    current = snapshot('AwaitingApproval');
    await waitFor(
      () => Promise.resolve(b.length),
      (n) => n === 2,
      'the change',
    );
    assert.equal(a.length, 2);
    current = snapshot('Succeeded', true);
    await waitFor(
      () => Promise.resolve(a.map((e) => e.kind).join()),
      (k) => k === 'status,status,status,end',
      'the end',
    );
    assert.equal(feed.watched, 0);
    const after = reads;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(reads, after, 'no read after the end');
  });

  test('the loop stops when its last watcher leaves; a read that failed is said, a promotion gone ends it', async () => {
    let reads = 0;
    let fail: Error | null = null;
    const feed = new StatusFeed(() => {
      reads++;
      return fail ? Promise.reject(fail) : Promise.resolve(snapshot('Running'));
    }, 10);
    const events: FeedEvent[] = [];
    const stopA = feed.watch('web@1.0', (e) => events.push(e));
    const stopB = feed.watch('web@1.0', () => {});
    stopA();
    assert.equal(feed.watched, 1);
    stopB();
    assert.equal(feed.watched, 0);
    const after = reads;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(reads, after);

    const seen: FeedEvent[] = [];
    feed.watch('web@2.0', (e) => seen.push(e));
    fail = new ApiError(503, 'no worker answered');
    await waitFor(
      () => Promise.resolve(seen.filter((e) => e.kind === 'error').length),
      (n) => n >= 1,
      'the error',
    );
    assert.equal(feed.watched, 1, 'Temporal may come back: the loop goes on');
    fail = new ApiError(404, 'no promotion web@2.0');
    await waitFor(
      () => Promise.resolve(seen.at(-1)?.kind),
      (k) => k === 'end',
      'the end',
    );
    assert.equal(feed.watched, 0);
  });

  test('close() ends every watch', () => {
    const feed = new StatusFeed(() => Promise.resolve(snapshot('Running')), 1_000);
    const events: FeedEvent[] = [];
    feed.watch('a@1', (e) => events.push(e));
    feed.watch('b@1', (e) => events.push(e));
    feed.close();
    assert.deepEqual(
      events.map((e) => e.kind),
      ['end', 'end'],
    );
    assert.equal(feed.watched, 0);
  });
});
