/**
 * The audit trail's activities (docs/governance.md#audit-trail): append decisions to the hash-chained
 * `audit.jsonl` on the branch `ramp/audit` of a GitOps repository, and read or verify it, on the
 * worker's cached clone (which holds the credentials). The chain (seq, prev, hash) is computed
 * here, at append time, in the branch's order; an entry whose id is already there is skipped, so
 * retried activities and replayed workflows never write a decision twice.
 */
import { Context } from '@temporalio/activity';
import { appendOnlyViolation, chainEntries, formatAuditLine, readTrail, verifyTrail, type Verification } from '../src/audit/chain.js';
import { AUDIT_BRANCH, AUDIT_FILE, type AuditEntry, type AuditRecord } from '../src/audit/record.js';
import type { RepositorySpec } from '../src/schema/pipeline.js';
import type { GitOpsRepositories } from '../src/providers/git/index.js';
import { displayUrl } from '../src/providers/git/credentials.js';
import { toApplicationFailure } from './git.js';
import { heartbeating } from './heartbeat.js';

export interface AuditActivityDeps {
  repositories: GitOpsRepositories;
  /** Where decisions without a pipeline repository go (organisation-wide: freezes); null: nowhere (they stay in their workflow's record). */
  auditRepository?: RepositorySpec | null;
}

export interface AppendAuditRequest {
  /** The pipeline's GitOps repository; null for organisation-wide decisions (the worker's audit repository, if any). */
  repository: RepositorySpec | null;
  entries: AuditEntry[];
}

export interface AppendAuditResult {
  /** Records newly on the trail (entries already there are skipped). */
  appended: number;
  /** The commit that landed, or null (nothing new, or no audit repository for organisation decisions). */
  sha: string | null;
  /** Where the trail is (URL without credentials), or null when there is none for these entries. */
  trail: string | null;
}

export interface AuditReadRequest {
  repository: RepositorySpec;
  /** Only records bound to this pipeline. */
  pipeline?: string;
  /** ISO-8601: only records at or after. */
  since?: string;
  /** At most this many, the newest. @default 10000 */
  limit?: number;
}

export interface AuditReadResult {
  records: AuditRecord[];
  /** More records matched than `limit` (the oldest were left out). */
  truncated: boolean;
}

export interface AuditVerification {
  /** The repository (URL without credentials) and branch. */
  trail: string;
  verification: Verification;
}

const DEFAULT_READ_LIMIT = 10_000;

export function createAuditActivities({ repositories, auditRepository = null }: AuditActivityDeps) {
  return {
    /** Appends `entries` (those not on the trail yet) as one commit; retried on push conflicts with other workers. */
    async appendAudit(request: AppendAuditRequest): Promise<AppendAuditResult> {
      const repository = request.repository ?? auditRepository;
      if (repository === null || request.entries.length === 0) return { appended: 0, sha: null, trail: null };
      let appended = 0;
      const { sha } = await heartbeating(
        () =>
          repositories.get(repository, 'audit').appendToBranch({
            branch: AUDIT_BRANCH,
            file: AUDIT_FILE,
            append: (current) => {
              const records = chainEntries(current, request.entries);
              appended = records.length;
              if (records.length === 0) return null;
              return { text: records.map((r) => `${formatAuditLine(r)}\n`).join(''), message: commitMessage(records) };
            },
          }),
        toApplicationFailure,
      );
      const trail = `${displayUrl(repository.url)} (branch ${AUDIT_BRANCH})`;
      Context.current().log.info('audit: appended', { trail, appended, sha, ids: request.entries.map((e) => e.id) });
      return { appended, sha, trail };
    },

    /** The trail's records (of a pipeline, since a time), oldest first. */
    async readAudit(request: AuditReadRequest): Promise<AuditReadResult> {
      const file = await heartbeating(
        () => repositories.get(request.repository, 'audit').readBranchFile({ branch: AUDIT_BRANCH, file: AUDIT_FILE, history: false }),
        toApplicationFailure,
      );
      const since = request.since === undefined ? null : Date.parse(request.since);
      const matching = readTrail(file.text).filter(
        (r) => (request.pipeline === undefined || r.bound.pipeline === request.pipeline) && (since === null || Date.parse(r.at) >= since),
      );
      const limit = request.limit ?? DEFAULT_READ_LIMIT;
      return { records: matching.slice(-limit), truncated: matching.length > limit };
    },

    /** Whether the whole trail is intact: every record chained and hashed, and every commit of the branch only appended. */
    async verifyAudit(repository: RepositorySpec): Promise<AuditVerification> {
      const file = await heartbeating(
        () => repositories.get(repository, 'audit').readBranchFile({ branch: AUDIT_BRANCH, file: AUDIT_FILE, history: true }),
        toApplicationFailure,
      );
      const chain = verifyTrail(file.text);
      const verification = chain.intact ? (appendOnlyViolation(file.versions) ?? chain) : chain;
      return { trail: `${displayUrl(repository.url)} (branch ${AUDIT_BRANCH})`, verification };
    },
  };
}

export type AuditActivities = ReturnType<typeof createAuditActivities>;

/** `audit: 2 records from promotion-web-1.2.0 (approved, override)`. */
function commitMessage(records: readonly AuditRecord[]): string {
  const workflows = [...new Set(records.map((r) => r.workflowId))];
  const kinds = [...new Set(records.map((r) => r.kind))];
  const first = records[0]!.seq;
  const last = records.at(-1)!.seq;
  return (
    `audit: ${records.length} record${records.length === 1 ? '' : 's'} (${first === last ? `#${first}` : `#${first}-${last}`}) from ${workflows.join(', ')}: ${kinds.join(', ')}\n\n` +
    records.map((r) => `${r.seq} ${r.id} ${r.kind}`).join('\n') +
    '\n'
  );
}
