/**
 * What a stage asks of the GitOps repository, as data: the changes of one commit, the
 * trailers that tie it to the run, and the records Git gives back. Workflows plan these
 * (pure), the Git activities carry them out.
 */
import type { CanaryScaleSpec, RepositorySpec, TrafficRoutingSpec, UpdateTargetSpec } from '../schema/pipeline.js';

/** One intended change to a stage's manifests. */
export type StageChange =
  /** Write the version into each target (kustomize `newTag`, or a YAML field with a value template). */
  | { kind: 'setVersion'; targets: UpdateTargetSpec[] }
  /** Set the canary's share of traffic (the stable backend gets 100 - weight). */
  | { kind: 'setWeight'; routing: TrafficRoutingSpec; weight: number }
  /** Set the canary workload's replica count. */
  | { kind: 'scaleCanary'; scale: CanaryScaleSpec; replicas: number }
  /** Set one scalar field of one object in a file (accepting a drift writes the live value to Git). */
  | { kind: 'setField'; file: string; object: { kind: string; name: string } | null; path: string; value: string | number; what: string };

/**
 * Trailers on every commit ramp makes (DESIGN.md, "Git conventions"). `git log` alone answers
 * which version is live where, since when, by which promotion, approved by whom.
 */
export interface RampTrailers {
  /** `Ramp-Promotion`: the promotion (workflow) id. */
  promotion: string;
  /** `Ramp-Stage`: the stage name. */
  stage: string;
  /**
   * `Ramp-Step`: unique within the promotion and stage (attempt, step index and name, e.g.
   * `1/2/setWeight-50`). Together with promotion and stage it is the idempotency key.
   */
  step: string;
  /** `Ramp-Version`: the version being promoted ('' on commits that promote nothing, e.g. an accepted drift). */
  version: string;
  /** `Ramp-Drift`: on a commit that writes a drift found in the cluster to Git: who accepted it and why. */
  drift?: string;
  /** `Ramp-Approved-By`: who approved this stage, when it had an approval gate. */
  approvedBy?: string[];
  /**
   * `Ramp-Requested-By`: the person whose command caused this commit — who asked for the
   * promotion or rollback, or who skipped, resumed or overrode the step it follows.
   */
  requestedBy?: string;
  /** `Ramp-Source-Commit` and `Ramp-Source-Time`: the release's source commit and its time, when known (DORA lead time, docs/dora.md). */
  source?: { commit?: string; time?: string };
  /** `Ramp-Fixes`: the version this release fixes forward (docs/dora.md). */
  fixes?: string;
  /** `Ramp-Detected-At`: on a remediation (a rollback promotion's commit): when the failure it remedies was detected. */
  detectedAt?: string;
}

export interface CommitRequest {
  repository: RepositorySpec;
  /** The stage's directory; change targets are relative to it. */
  stagePath: string;
  /** `artifact.image`, for `{{ramp.image}}`. */
  image: string;
  version: string;
  changes: StageChange[];
  /** The commit subject, e.g. `web/staging: canary 1.1.0 at 10%`. */
  subject: string;
  trailers: RampTrailers;
  /**
   * The commits this stage recorded so far: the worker writes nothing unless each is still on
   * the branch (a force-push rewrote it otherwise) and fails with `HistoryRewritten`.
   */
  expect?: string[];
}

/** The lines one file lost (`-`) and gained (`+`) in a commit; `omitted` counts lines past the bound. */
export interface FileDiff {
  file: string;
  lines: { op: '-' | '+'; text: string }[];
  omitted: number;
}

export interface CommitResult {
  /** The commit on the branch, or null when the files already were as asked (nothing committed). */
  sha: string | null;
  /** True when an earlier attempt had already pushed this commit (found by its trailers). */
  reused: boolean;
  /** Files changed, relative to the repository root. */
  files: string[];
  /** The lines the commit changed (bounded); absent from workers before the release page showed them. */
  diff?: FileDiff[];
}

export interface RevertRequest {
  repository: RepositorySpec;
  promotion: string;
  stage: string;
  /** Idempotency key of the rollback, like RampTrailers.step (e.g. `1/rollback`). */
  step: string;
  version: string;
  /** ramp's own commits to revert, newest first. */
  commits: string[];
  /** `Ramp-Rollback`: why (e.g. `aborted by alice: error rate`). */
  reason: string;
  /** `Ramp-Requested-By`: who caused the rollback (the aborter); absent when ramp decided alone (a failed analysis). */
  requestedBy?: string;
  /** `Ramp-Detected-At`: when the failure that caused the rollback was detected, ISO-8601 (DORA recovery, docs/dora.md). */
  detectedAt?: string;
}

export interface RevertResult {
  /** One revert commit per reverted commit, in the order made (newest reverted first). */
  reverts: { reverted: string; sha: string }[];
}

/** The values one field of one file had on the branch, newest first (`git log -- file`). */
export interface FieldHistoryQuery {
  repository: RepositorySpec;
  /** Relative to the repository root. */
  file: string;
  /** A YAML path (src/domain/yaml-path.ts). */
  path: string;
  /** How many commits that touched the file to read, newest first. */
  limit: number;
}

export interface HistoryQuery {
  repository: RepositorySpec;
  stage?: string;
  /** Most recent entries first; at most this many. */
  limit?: number;
}

/** One ramp commit read back from `git log`. */
export interface HistoryEntry {
  sha: string;
  /** ISO-8601 committer date. */
  committedAt: string;
  subject: string;
  promotion: string;
  stage: string;
  step: string;
  version: string | null;
  approvedBy: string[];
  /** `Ramp-Requested-By`: the person whose command caused the commit, when one did. */
  requestedBy: string | null;
  /** Set on revert commits: the commit reverted and why. */
  rollback: { of: string; reason: string } | null;
}
