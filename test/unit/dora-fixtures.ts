/** One DORA report for the renderers' tests: three releases (deployed, caught, failed and recovered). */
import type { DoraReport } from '../../src/dora/report.js';

export const REPORT: DoraReport = {
  pipeline: 'web',
  stage: 'production',
  since: '2026-11-01T00:00:00.000Z',
  until: '2026-12-01T00:00:00.000Z',
  deploymentFrequency: { deployments: 3, perDay: 0.1, bucket: 'weekly' },
  leadTime: { samples: 2, medianSeconds: 7500, p90Seconds: 7800, withoutSource: 1 },
  changeFailureRate: { failures: 1, deployments: 3, rate: 1 / 3, byCause: { rollback: 1, revert: 0, 'fix-forward': 0 } },
  canaryCatches: { count: 1, rateIncludingExposure: 0.5 },
  recovery: { samples: 1, medianSeconds: 252, p90Seconds: 252, open: 0 },
  releases: [
    { version: '1.0.0', promotion: 'web@1.0.0', deployedAt: '2026-11-20T10:00:00.000Z', leadTimeSeconds: 7200, caught: false, failure: null },
    { version: '1.0.1-bad', promotion: 'web@1.0.1-bad', deployedAt: null, leadTimeSeconds: null, caught: true, failure: null },
    {
      version: '1.1.0',
      promotion: 'web@1.1.0',
      deployedAt: '2026-11-21T10:00:00.000Z',
      leadTimeSeconds: 7800,
      caught: false,
      failure: { cause: 'rollback', detectedAt: '2026-11-21T10:30:00.000Z', recoveredAt: '2026-11-21T10:34:12.000Z' },
    },
  ],
};
