/**
 * DORA's four keys for one pipeline's stage over a period, computed from ramp's own records — the
 * commits it wrote to the GitOps repository and their trailers (docs/dora.md has every definition
 * and edge case). Pure types; src/dora/compute.ts computes a report from the commits.
 */
import type { ChangeFailureCause } from '../observability/facts.js';

/** One ramp commit as DORA reads it: HistoryEntry's fields plus the delivery trailers. */
export interface DeliveryCommit {
  sha: string;
  /** ISO-8601 committer date. */
  committedAt: string;
  promotion: string;
  stage: string;
  /** `Ramp-Step`, e.g. `1/2/setWeight-50`, `1/promote`, `1/update`, `1/rollback`. */
  step: string;
  version: string | null;
  /** Set on revert commits: the commit reverted. */
  revertOf: string | null;
  /** `Ramp-Source-Commit` / `Ramp-Source-Time`: the release's source commit and its time, when known. */
  source: { commit: string | null; time: string | null } | null;
  /** `Ramp-Fixes`: the version this release fixes forward. */
  fixes: string | null;
  /** `Ramp-Detected-At`: on a remediation (a revert, a rollback promotion): when the failure was detected. */
  detectedAt: string | null;
}

export interface DoraQuery {
  pipeline: string;
  stage: string;
  /** ISO-8601, inclusive. */
  since: string;
  /** ISO-8601, exclusive. */
  until: string;
}

/** What happened to one release in the stage. */
export interface DoraRelease {
  version: string;
  promotion: string;
  /** Fully promoted at (a deployment), or null (caught, or still rolling out). */
  deployedAt: string | null;
  leadTimeSeconds: number | null;
  /** Stopped by its canary before full exposure. */
  caught: boolean;
  /** Remediated after full exposure: how, detected when, recovered when (null: not yet). */
  failure: { cause: ChangeFailureCause; detectedAt: string; recoveredAt: string | null } | null;
}

export interface DoraReport {
  pipeline: string;
  stage: string;
  since: string;
  until: string;
  deploymentFrequency: {
    deployments: number;
    perDay: number;
    /** fourkeys' bucket over the period: daily, weekly, monthly or yearly; none without deployments. */
    bucket: 'daily' | 'weekly' | 'monthly' | 'yearly' | 'none';
  };
  leadTime: {
    /** Deployments with a known source time (and a positive lead time). */
    samples: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
    /** Deployments whose release carried no source time. */
    withoutSource: number;
  };
  changeFailureRate: {
    failures: number;
    deployments: number;
    /** failures / deployments; null without deployments. */
    rate: number | null;
    byCause: Record<ChangeFailureCause, number>;
  };
  canaryCatches: {
    count: number;
    /** (failures + catches) / (deployments + catches): the rate counting partial exposure; null without either. */
    rateIncludingExposure: number | null;
  };
  recovery: {
    samples: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
    /** Change failures not recovered by `until`. */
    open: number;
  };
  releases: DoraRelease[];
}
