/** `ramp list`: one line per promotion. Pure. */
import { formatTime, table, type RenderOptions } from './format.js';

export interface PromotionRow {
  id: string;
  /**
   * What it is doing: the promotion's phase (Running, WaitingForEnvironment, Failed, Succeeded,
   * Aborted), its stage's while the stage waits (AwaitingApproval, Paused, Inconclusive,
   * AwaitingConfirmation, RollingBack), or how the run ended when it did otherwise (terminated, ...).
   */
  phase: string;
  /** The stage it is in (or last was), when known. */
  stage: string | null;
  /** Whom it waits for: approvers, `operator` (resume, retry or abort), `webhook`, or the promotion holding the environment. */
  waitingFor: string[];
  /** ISO-8601. */
  startedAt: string;
  /** ISO-8601, null while running. */
  closedAt: string | null;
  /** A finished promotion's closing message (a running one's: `ramp status`). */
  message: string | null;
}

export function renderList(rows: PromotionRow[], options: RenderOptions & { all: boolean; truncated: boolean; filtered?: boolean }): string {
  if (rows.length === 0) {
    if (options.filtered) return 'no promotions match\n';
    return options.all ? 'no promotions\n' : 'no running promotions (ramp list --all shows finished ones too)\n';
  }
  const header = ['PROMOTION', 'PHASE', 'STAGE', 'WAITING FOR', 'STARTED', ...(options.all ? ['FINISHED', 'MESSAGE'] : [])];
  const body = rows.map((r) => [
    r.id,
    r.phase,
    r.stage ?? '-',
    r.waitingFor.length > 0 ? r.waitingFor.join(', ') : '-',
    formatTime(r.startedAt, options),
    ...(options.all ? [formatTime(r.closedAt, options), r.message ?? ''] : []),
  ]);
  const more = options.truncated ? `(showing the ${rows.length} most recent; --limit shows more)\n` : '';
  return table(header, body) + more;
}
