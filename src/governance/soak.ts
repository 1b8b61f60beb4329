/**
 * Soak time (Kargo's requiredSoakTime): the version must have been stable in an earlier stage
 * for a while before this stage starts. Pure, so that the stage workflow may use it: where the
 * version became stable is read from this promotion's records or from ramp's Git trailers.
 */
import type { HistoryEntry } from '../domain/changes.js';

/** The full-promotion commits: a canary's `<attempt>/promote`, a direct stage's `<attempt>/update`. */
const STABLE_STEP = /\/(promote|update)$/;

/**
 * When `version` became stable in `stage`, from ramp's commits (newest first): the newest
 * promote/update commit of that version there that no later commit reverted; null when none.
 */
export function stableSinceFromHistory(entries: readonly HistoryEntry[], stage: string, version: string): string | null {
  const reverted = new Set(entries.flatMap((e) => (e.rollback ? [e.rollback.of] : [])));
  const found = entries.find((e) => e.stage === stage && e.version === version && e.rollback === null && STABLE_STEP.test(e.step) && !reverted.has(e.sha));
  return found?.committedAt ?? null;
}

/** `3 h 12 min`, `45 s`: time left, for people. */
export function formatTimeLeft(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return s > 0 && m < 10 ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}

/** `soaks in staging: 3 h 12 min left (since 2026-01-05T09:00:00Z, 4h in all)`. */
export function soakMessage(after: string, leftMs: number): string {
  return `soaks in ${after}: ${formatTimeLeft(leftMs)} left`;
}
