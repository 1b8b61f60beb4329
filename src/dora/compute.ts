/**
 * STUB, replaced by the dora-compute branch: the plumbing (activity, workflow, API, CLI, web
 * page) needs `computeDora` and the mapping from a git-log entry to a DeliveryCommit to exist.
 * This answers an empty report and maps no delivery trailer.
 */
import type { LogEntry } from '../providers/git/git-log.js';
import type { DeliveryCommit, DoraQuery, DoraReport } from './report.js';

export interface ComputeOptions {
  /** ISO-8601: what "now" is for open failures. */
  now?: string;
}

export function computeDora(commits: DeliveryCommit[], query: DoraQuery, options?: ComputeOptions): DoraReport {
  void commits;
  void options;
  return {
    ...query,
    deploymentFrequency: { deployments: 0, perDay: 0, bucket: 'none' },
    leadTime: { samples: 0, medianSeconds: null, p90Seconds: null, withoutSource: 0 },
    changeFailureRate: { failures: 0, deployments: 0, rate: null, byCause: { rollback: 0, revert: 0, 'fix-forward': 0 } },
    canaryCatches: { count: 0, rateIncludingExposure: null },
    recovery: { samples: 0, medianSeconds: null, p90Seconds: null, open: 0 },
    releases: [],
  };
}

/** A ramp commit read back from `git log` as DORA reads it (null: not ramp's). */
export function deliveryCommitOf(entry: LogEntry): DeliveryCommit | null {
  if (entry.promotion === null || entry.stage === null || entry.step === null) return null;
  return {
    sha: entry.sha,
    committedAt: entry.committedAt,
    promotion: entry.promotion,
    stage: entry.stage,
    step: entry.step,
    version: entry.version,
    revertOf: entry.reverts,
    source: null,
    fixes: null,
    detectedAt: null,
  };
}
