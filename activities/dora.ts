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
import { asActivityFailure } from './git.js';

/** At most this many of the stage's commits are read over the period. */
export const DELIVERY_COMMITS_LIMIT = 5_000;

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
      const entries = await asActivityFailure(() =>
        repositories
          .get(repository)
          .rampLog({ stage: dora.stage, since: readFrom, until: dora.until, limit: limit ?? DELIVERY_COMMITS_LIMIT, withReverts: true }),
      );
      return computeDora(readDelivery(entries), dora);
    },
  };
}
