/** `ramp dora`: its report rendered for people (cli/render/dora.ts), and its usage errors before anything is sent. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { duration, renderDora } from '../../cli/render/dora.js';
import type { DoraReport } from '../../src/dora/report.js';
import { ramp } from '../cli/helpers.js';
import { REPORT } from './dora-fixtures.js';

describe('renderDora', () => {
  test('the four keys with their units and samples, catches, open failures, and the releases', () => {
    assert.equal(
      renderDora(REPORT, { color: false, timeZone: 'utc' }),
      `web/production, 2026-11-01 00:00:00 to 2026-12-01 00:00:00

KEY                    VALUE                    FROM
Deployment frequency   0.10 a day (weekly)      3 deployments
Lead time for changes  median 2h5m, p90 2h10m   2 samples; 1 without a source time
Change failure rate    33.3%                    1 of 3 deployments (1 rollback)
Recovery time          median 4m12s, p90 4m12s  1 sample

Canary catches: 1 (stopped before full exposure; failure rate counting them 50%)
Open failures: 0

VERSION    PROMOTION      DEPLOYED             LEAD TIME  OUTCOME
1.0.0      web@1.0.0      2026-11-20 10:00:00  2h         deployed
1.0.1-bad  web@1.0.1-bad  -                    -          caught by its canary
1.1.0      web@1.1.0      2026-11-21 10:00:00  2h10m      change failure (rollback), detected 2026-11-21 10:30:00, recovered 2026-11-21 10:34:12
`,
    );
  });

  test('an empty period: no rate, no sample, no release', () => {
    const empty: DoraReport = {
      ...REPORT,
      deploymentFrequency: { deployments: 0, perDay: 0, bucket: 'none' },
      leadTime: { samples: 0, medianSeconds: null, p90Seconds: null, withoutSource: 0 },
      changeFailureRate: { failures: 0, deployments: 0, rate: null, byCause: { rollback: 0, revert: 0, 'fix-forward': 0 } },
      canaryCatches: { count: 0, rateIncludingExposure: null },
      recovery: { samples: 0, medianSeconds: null, p90Seconds: null, open: 0 },
      releases: [],
    };
    const text = renderDora(empty, { color: false, timeZone: 'utc' });
    assert.match(text, /^Deployment frequency +0 a day \(no deployment\) +0 deployments$/m);
    assert.match(text, /^Change failure rate +- +0 of 0 deployments$/m);
    assert.match(text, /^Canary catches: 0 \(stopped before full exposure\)$/m);
    assert.match(text, /^No release reached this stage in the period\.$/m);
  });

  test('an open failure and more releases than the table shows', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ ...REPORT.releases[0]!, version: `1.0.${i}`, promotion: `web@1.0.${i}` }));
    const open = { ...REPORT, recovery: { ...REPORT.recovery, open: 1 }, releases: many };
    const text = renderDora(open, { color: false, timeZone: 'utc' });
    assert.match(text, /^Open failures: 1 \(not recovered by the end of the period\)$/m);
    assert.match(text, /^\(5 earlier releases not shown: --json has them all\)$/m);
    assert.doesNotMatch(text, /^1\.0\.4 /m);
    assert.match(text, /^1\.0\.19 /m);
  });

  for (const [seconds, shown] of [
    [null, '-'],
    [0, '0s'],
    [59.6, '1m'],
    [252, '4m12s'],
    [7529, '2h5m'],
    [200_000, '2d7h33m'],
  ] as const) {
    test(`duration ${seconds}`, () => assert.equal(duration(seconds), shown));
  }
});

describe('ramp dora: usage errors before anything is sent', () => {
  const env = { TEMPORAL_ADDRESS: '127.0.0.1:9', RAMP_USER: 'rm' };
  for (const [args, error] of [
    [['dora'], /missing <pipeline>/],
    [['dora', 'web', '--since', 'last week'], /--since must be a duration back from now \(30d, 12h, 90m, 2w\) or an ISO-8601 time/],
    [['dora', 'web', '--until', 'tomorrow'], /--until must be an ISO-8601 time with its zone/],
    [['dora', 'web', '--since', '2026-11-20', '--until', '2026-11-10'], /--since \(2026-11-20T00:00:00.000Z\) must be before --until/],
    [['dora', 'web', '--env', ' '], /--env is empty/],
  ] as const) {
    test(args.join(' '), async () => {
      const run = await ramp([...args], env);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, error);
    });
  }
});
