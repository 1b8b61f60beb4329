/**
 * ramp's commits as DORA reads them: `git log` entries (src/providers/git/git-log.ts) mapped to
 * DeliveryCommit, newest first as given. Pure. Kept: ramp's commits (a `Ramp-Promotion`
 * trailer) and every revert (`This reverts commit <sha>.`), ramp's or a person's — a person's
 * revert has no trailers, so its promotion and stage are '' and it is matched by the commit it
 * reverts (docs/dora.md). Every other commit says nothing about delivery and is dropped.
 */
import type { LogEntry } from '../providers/git/git-log.js';
import type { DeliveryCommit } from './report.js';

export function readDelivery(entries: readonly LogEntry[]): DeliveryCommit[] {
  return entries.flatMap((e) => (e.promotion === null && e.reverts === null ? [] : [toDeliveryCommit(e)]));
}

export function toDeliveryCommit(e: LogEntry): DeliveryCommit {
  return {
    sha: e.sha,
    committedAt: e.committedAt,
    promotion: e.promotion ?? '',
    stage: e.stage ?? '',
    step: e.step ?? '',
    version: e.version,
    revertOf: e.reverts,
    source: e.sourceCommit === null && e.sourceTime === null ? null : { commit: e.sourceCommit, time: e.sourceTime },
    fixes: e.fixes,
    detectedAt: e.detectedAt,
  };
}
