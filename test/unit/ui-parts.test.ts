/** The release page's small pure parts: chart points, the weight a commit set, what is live. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chartPoints } from '../../server/ui/chart.js';
import { commitWeight, liveState } from '../../server/ui/stage-detail.js';
import { at, production } from '../cli/status-fixtures.js';

describe('chart points', () => {
  const cases: [string, (number | null)[], string][] = [
    ['none', [], ''],
    ['one value, centred', [5], '80,36'],
    ['equal values: a flat line at the bottom', [2, 2, 2], '4,36 80,36 156,36'],
    ['rising: lowest at the bottom, highest at the top', [0, 1], '4,36 156,4'],
    ['a missing value keeps its place on the x axis', [0, null, 1], '4,36 156,4'],
    ['negative values scale too', [-1, 1, 0], '4,36 80,4 156,20'],
  ];
  for (const [name, values, expected] of cases) {
    test(name, () =>
      assert.equal(
        chartPoints(values)
          .map((p) => `${p.x},${p.y}`)
          .join(' '),
        expected,
      ),
    );
  }
});

describe('the weight a commit set', () => {
  const cases: [string, { weight: number; what: string } | null][] = [
    ['1/0/canary/20', { weight: 20, what: 'canary at 20%' }],
    ['2/3/setWeight-60', { weight: 60, what: 'canary at 60%' }],
    ['1/promote', { weight: 100, what: 'fully promoted' }],
    ['1/update', { weight: 100, what: 'fully promoted' }],
    ['1/rollback', { weight: 0, what: 'rolled back' }],
    ['1/0/canary/x', null],
    ['accept-3-1', null],
  ];
  for (const [step, expected] of cases) test(step, () => assert.deepEqual(commitWeight(step), expected));

  test('what is live: the weight of the commit the sync saw healthy, or none without a sync mode', () => {
    assert.equal(liveState(production()), null);
    const sha = production().commits[0]!.sha;
    assert.equal(liveState(production({ live: { sha, at: at(23), message: 'ok' } })), 'canary at 20% (seen live and healthy 09:00:23 UTC: ok)');
    assert.equal(
      liveState(production({ live: { sha: 'f'.repeat(40), at: at(23), message: 'ok' } })),
      'commit fffffff (seen live and healthy 09:00:23 UTC: ok)',
    );
  });
});
