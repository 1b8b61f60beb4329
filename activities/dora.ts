/**
 * DORA's read (docs/dora.md): a stage's commits in the pipeline's GitOps repository over a period,
 * read on the worker (which holds the repository credentials) through the same `git log` as
 * `ramp history` (GitOpsRepository.rampLog), and the four keys computed from them.
 */
import { computeDora, DEFAULT_HORIZON_DAYS } from '../src/dora/compute.js';
import { readDelivery } from '../src/dora/read-delivery.js';
import type { DoraQuery, DoraReport } from '../src/dora/report.js';
import type { GitOpsRepositories } from '../src/providers/git/index.js';
import type { RepositorySpec } from '../src/schema/pipeline.js';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../src/domain/failure-types.js';
import { asActivityFailure } from './git.js';

/** At most this many commits (ramp's, of every stage, and reverts) are read for one period; more: the read is refused, not cut. */
export const DELIVERY_COMMITS_LIMIT = 20_000;

export interface DeliveryQuery extends DoraQuery {
  repository: RepositorySpec;
  /** @default DELIVERY_COMMITS_LIMIT */
  limit?: number;
}

export function createDoraActivities({ repositories }: { repositories: GitOpsRepositories }) {
  return {
    /** The stage's DORA report over [since, until), from ramp's commits on the branch. */
    async readDelivery(query: DeliveryQuery): Promise<DoraReport> {
      const { repository, limit, ...dora } = query;
      // From a horizon before the period: a release written to the stage before `since` and deployed in it keeps its source.
      const since = Date.parse(dora.since);
      const readFrom = Number.isNaN(since) ? dora.since : new Date(since - DEFAULT_HORIZON_DAYS * 86_400_000).toISOString();
      const most = limit ?? DELIVERY_COMMITS_LIMIT;
      const entries = await asActivityFailure(() =>
        repositories.get(repository).rampLog({ stage: dora.stage, since: readFrom, until: dora.until, limit: most, withReverts: true }),
      );
      // A cut history would give wrong figures without a word: refuse instead.
      if (entries.length >= most) {
        throw ApplicationFailure.nonRetryable(
          `the period from ${readFrom} (${DEFAULT_HORIZON_DAYS} days before --since, for the sources of releases written earlier) to ${dora.until} holds ${most} or more of ramp's commits in the repository, more than one read takes: ask for a shorter period (--since, --until)`,
          FailureType.DeliveryPeriodUnreadable,
        );
      }
      try {
        return computeDora(readDelivery(entries), dora);
      } catch (error) {
        if (error instanceof RangeError) throw ApplicationFailure.nonRetryable(error.message, FailureType.DeliveryPeriodUnreadable);
        throw error;
      }
    },
  };
}
