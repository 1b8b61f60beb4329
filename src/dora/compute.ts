/**
 * DORA's four keys for one pipeline's stage, computed from the commits ramp wrote (and the
 * reverts people made) — exactly, with no incident labelling by hand. Pure: the caller reads
 * the commits (readDelivery) and gives the period. docs/dora.md has every definition and edge
 * case; the comments here name them.
 */
import type { ChangeFailureCause } from '../observability/facts.js';
import { frequencyBucket } from './frequency.js';
import type { DeliveryCommit, DoraQuery, DoraRelease, DoraReport } from './report.js';
import { spread } from './spread.js';

/** A release's failure counts only when detected within this many days of its deployment. */
export const DEFAULT_HORIZON_DAYS = 7;

const DAY_MS = 86_400_000;
/** The longest period a report covers (its frequency walks the period's days). */
const MAX_PERIOD_DAYS = 3_660;

/** What a commit did in the stage: a canary step, the full promotion, a revert, or a drift written back. */
type Role = 'canary' | 'full' | 'revert' | 'drift';

interface Failure {
  cause: ChangeFailureCause;
  detectedAt: number;
  recoveredAt: number | null;
  /** Fix-forward: the fixing release, whose deployment is the recovery. */
  fixer: string | null;
}

/** One promote-kind promotion of the pipeline in the stage: a release. */
interface Release {
  promotion: string;
  version: string;
  firstAt: number;
  inPeriod: boolean;
  sourceTime: number | null;
  fixesHandled: boolean;
  wroteCanary: boolean;
  deployedAt: number | null;
  leadFrom: number | null;
  caughtAt: number | null;
  failure: Failure | null;
}

/**
 * `commits`: as `git log` gives them, newest first (any pipeline and stage: the query picks);
 * commits at or after `until` are not read, so a past period's report stays what it was.
 */
export function computeDora(commits: readonly DeliveryCommit[], query: DoraQuery, options: { horizonDays?: number } = {}): DoraReport {
  const since = Date.parse(query.since);
  const until = Date.parse(query.until);
  if (!Number.isFinite(since) || !Number.isFinite(until) || since >= until) {
    throw new RangeError(
      `computing DORA for ${query.pipeline}/${query.stage}: the period [${query.since}, ${query.until}) is not a period; give two ISO-8601 times, the first earlier`,
    );
  }
  if (until - since > MAX_PERIOD_DAYS * DAY_MS) {
    throw new RangeError(
      `computing DORA for ${query.pipeline}/${query.stage}: the period from ${query.since} to ${query.until} is longer than ${MAX_PERIOD_DAYS} days; ask for a shorter one`,
    );
  }
  const horizonMs = (options.horizonDays ?? DEFAULT_HORIZON_DAYS) * DAY_MS;
  const prefix = `${query.pipeline}@`;

  const ordered = commits
    .map((commit, index) => ({ commit, index, at: Date.parse(commit.committedAt) }))
    .filter(({ commit: c, at }) => Number.isFinite(at) && at < until && (isHumanRevert(c) || (c.promotion.startsWith(prefix) && c.stage === query.stage)))
    // Oldest first; equal committer times (one-second resolution) keep git log's order, reversed.
    .sort((a, b) => a.at - b.at || b.index - a.index);

  const releases = new Map<string, Release>();
  const byVersion = new Map<string, Release>();
  /** Full-promotion commits of releases (a deployment, or its re-exposure), by sha. */
  const fullCommits = new Map<string, Release>();
  /** Releases written to the stage and not deployed yet: their source times carry forward. */
  let unshipped: Release[] = [];
  /** The release ramp deployed that is live now; null once a remediation put an older version back. */
  let live: Release | null = null;

  const fail = (release: Release, failure: Failure) => {
    if (release.failure !== null || release.deployedAt === null) return; // once per release
    if (failure.detectedAt - release.deployedAt > horizonMs) return; // healthy past the horizon
    release.failure = failure;
  };
  const findFull = (revertOf: string | null): Release | undefined => {
    if (revertOf === null || revertOf.length < 7) return undefined;
    const exact = fullCommits.get(revertOf);
    if (exact) return exact;
    for (const [sha, release] of fullCommits) if (sha.startsWith(revertOf)) return release;
    return undefined;
  };

  for (const { commit: c, at } of ordered) {
    // Git keeps a commit's time to the second: a detection in the same second as its remediation's commit is that second.
    const detected = time(c.detectedAt) ?? at;
    const detectedAt = detected > at && detected - at < 1000 ? at : detected;
    const role = roleOf(c);
    if (isHumanRevert(c)) {
      // (a) A person's `git revert` of a deployment commit.
      const target = findFull(c.revertOf);
      if (target?.deployedAt != null && at >= target.deployedAt) {
        fail(target, { cause: 'revert', detectedAt, recoveredAt: at, fixer: null });
        if (live === target) live = null;
      }
      continue;
    }
    if (role === 'drift') continue;
    if (c.promotion.includes(':rollback:')) {
      // (b) A rollback promotion's full promotion replaces the live release: a remediation, never a
      // deployment — so the version it put back is no release, and rolling back again is no new failure.
      if (role === 'full') {
        if (live !== null) fail(live, { cause: 'rollback', detectedAt, recoveredAt: at, fixer: null });
        live = null;
      }
      continue;
    }

    const release = releaseOf(c, at);
    if (at >= since) release.inPeriod = true;
    release.sourceTime ??= time(c.source?.time ?? null);
    if (!release.fixesHandled && c.fixes !== null && c.fixes.trim() !== '') {
      // (c) A release marked as fixing another: the fixed one failed, detected when the fix was
      // first written here, recovered when the fix is deployed.
      release.fixesHandled = true;
      const fixed = byVersion.get(c.fixes.trim());
      if (fixed && fixed !== release) fail(fixed, { cause: 'fix-forward', detectedAt, recoveredAt: null, fixer: release.promotion });
    }

    switch (role) {
      case 'canary':
        release.wroteCanary = true;
        if (release.deployedAt === null && !unshipped.includes(release)) unshipped.push(release);
        break;
      case 'full':
        fullCommits.set(c.sha, release);
        if (release.deployedAt === null) {
          release.deployedAt = at;
          // Lead time from the oldest source not shipped yet: this release's, or a superseded one's.
          const times = [release, ...unshipped].flatMap((r) => (r.sourceTime === null ? [] : [r.sourceTime]));
          release.leadFrom = times.length > 0 ? Math.min(...times) : null;
          unshipped = [];
          for (const fixed of releases.values()) {
            if (fixed.failure?.fixer === release.promotion && fixed.failure.recoveredAt === null) fixed.failure.recoveredAt = at;
          }
        }
        live = release;
        break;
      case 'revert': {
        // (a) ramp's revert of a deployment commit (a rollback after full exposure), or the
        // release's own revert before it: caught in canary.
        const target = findFull(c.revertOf);
        if (target?.deployedAt != null) {
          fail(target, { cause: 'rollback', detectedAt, recoveredAt: at, fixer: null });
          if (live === target) live = null;
        } else if (release.deployedAt === null && release.wroteCanary) {
          release.caughtAt ??= at;
        }
        break;
      }
    }
  }

  function releaseOf(c: DeliveryCommit, at: number): Release {
    let release = releases.get(c.promotion);
    if (!release) {
      release = {
        promotion: c.promotion,
        version: c.promotion.slice(prefix.length),
        firstAt: at,
        inPeriod: false,
        sourceTime: null,
        fixesHandled: false,
        wroteCanary: false,
        deployedAt: null,
        leadFrom: null,
        caughtAt: null,
        failure: null,
      };
      releases.set(c.promotion, release);
      if (!byVersion.has(release.version)) byVersion.set(release.version, release);
    }
    return release;
  }

  const inPeriod = (t: number | null) => t !== null && t >= since && t < until;
  const all = [...releases.values()];
  const deployed = all.filter((r) => inPeriod(r.deployedAt));
  const caught = all.filter((r) => r.deployedAt === null && inPeriod(r.caughtAt));
  const failed = deployed.filter((r) => r.failure !== null);
  const leadTimes = deployed.flatMap((r) => {
    const lead = leadSeconds(r);
    return lead === null ? [] : [lead];
  });
  const recoveries = failed.flatMap(({ failure: f }) =>
    f!.recoveredAt !== null && f!.recoveredAt >= f!.detectedAt ? [(f!.recoveredAt - f!.detectedAt) / 1000] : [],
  );
  const byCause: Record<ChangeFailureCause, number> = { rollback: 0, revert: 0, 'fix-forward': 0 };
  for (const r of failed) byCause[r.failure!.cause]++;
  const { samples, medianSeconds, p90Seconds } = spread(leadTimes);
  const recovery = spread(recoveries);

  return {
    pipeline: query.pipeline,
    stage: query.stage,
    since: query.since,
    until: query.until,
    deploymentFrequency: {
      deployments: deployed.length,
      perDay: deployed.length / ((until - since) / DAY_MS),
      bucket: frequencyBucket(
        deployed.map((r) => r.deployedAt!),
        since,
        until,
      ),
    },
    leadTime: { samples, medianSeconds, p90Seconds, withoutSource: deployed.filter((r) => r.leadFrom === null).length },
    changeFailureRate: {
      failures: failed.length,
      deployments: deployed.length,
      rate: deployed.length > 0 ? failed.length / deployed.length : null,
      byCause,
    },
    canaryCatches: {
      count: caught.length,
      rateIncludingExposure: deployed.length + caught.length > 0 ? (failed.length + caught.length) / (deployed.length + caught.length) : null,
    },
    recovery: { ...recovery, open: failed.filter((r) => r.failure!.recoveredAt === null).length },
    releases: all
      .filter((r) => r.inPeriod)
      .sort((a, b) => a.firstAt - b.firstAt)
      .map((r): DoraRelease => ({
        version: r.version,
        promotion: r.promotion,
        deployedAt: iso(r.deployedAt),
        leadTimeSeconds: leadSeconds(r),
        caught: r.deployedAt === null && r.caughtAt !== null,
        failure: r.failure && { cause: r.failure.cause, detectedAt: iso(r.failure.detectedAt)!, recoveredAt: iso(r.failure.recoveredAt) },
      })),
  };
}

/** A person's `git revert`: a revert without ramp's trailers. */
function isHumanRevert(c: DeliveryCommit): boolean {
  return c.promotion === '' && c.revertOf !== null;
}

function roleOf(c: DeliveryCommit): Role {
  if (c.revertOf !== null) return 'revert';
  if (/drift/i.test(c.step)) return 'drift';
  if (c.step.endsWith('/promote') || c.step.endsWith('/update')) return 'full';
  return 'canary';
}

/** Deployment minus the oldest unshipped source time, in seconds; null without a source time or when not positive (fourkeys). */
function leadSeconds(r: Release): number | null {
  if (r.deployedAt === null || r.leadFrom === null) return null;
  const seconds = (r.deployedAt - r.leadFrom) / 1000;
  return seconds > 0 ? seconds : null;
}

function time(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
