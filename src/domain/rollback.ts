/**
 * Which versions a rollback may go back to: only one that was live in the stage before, as
 * Git's history says — ramp made it stable there (a full promotion or an earlier rollback) and
 * no ramp revert undid that commit. Anything else is a promotion and passes the stage's gates.
 * Pure: the promotion workflow decides with it.
 */
import type { HistoryEntry } from './changes.js';

/** The step keys of commits that made a version stable: `<attempt>/promote` or `<attempt>/update`. */
const STABLE_STEP = /(^|\/)(promote|update)$/;

/** The versions ramp made stable in `stage`, newest first, unique. */
export function versionsLiveIn(history: readonly HistoryEntry[], stage: string): string[] {
  const reverted = new Set(history.flatMap((e) => (e.rollback ? [e.rollback.of] : [])));
  const versions = history
    .filter((e) => e.stage === stage && e.rollback === null && e.version !== null && STABLE_STEP.test(e.step) && !reverted.has(e.sha))
    .map((e) => e.version!);
  return [...new Set(versions)];
}

/** Why a rollback of `stage` to `version` is refused, or null when it may go ahead. */
export function rollbackRefusal(history: readonly HistoryEntry[], pipeline: string, stage: string, version: string): string | null {
  const live = versionsLiveIn(history, stage);
  if (live.includes(version)) return null;
  const known = live.length > 0 ? `versions live there before: ${live.slice(0, 10).join(', ')}${live.length > 10 ? ', …' : ''}` : 'ramp has made no version stable there yet';
  return `${version} was never live in ${stage} (${known}; ramp history ${pipeline} --stage ${stage}). A rollback goes only to a version that was live in the stage before; anything else is a promotion and passes the stage's gates: ramp promote ${pipeline} ${version}`;
}
