/** `ramp list`: one line per promotion. Pure. */
import { formatTime, table, type RenderOptions } from './format.js';

export interface PromotionRow {
  id: string;
  /** The promotion's phase (Running, Succeeded, ...) or, when it cannot be read, the execution status. */
  phase: string;
  /** ISO-8601. */
  startedAt: string;
  /** ISO-8601, null while running. */
  closedAt: string | null;
  /** The promotion's own message, when it was read. */
  message: string | null;
}

export function renderList(rows: PromotionRow[], options: RenderOptions & { all: boolean; truncated: boolean }): string {
  if (rows.length === 0) {
    return options.all ? 'no promotions\n' : 'no running promotions (ramp list --all shows finished ones too)\n';
  }
  const header = ['PROMOTION', 'PHASE', 'STARTED', ...(options.all ? ['FINISHED'] : []), 'MESSAGE'];
  const body = rows.map((r) => [r.id, r.phase, formatTime(r.startedAt, options), ...(options.all ? [formatTime(r.closedAt, options)] : []), r.message ?? '']);
  const more = options.truncated ? `(showing the ${rows.length} most recent; --limit shows more)\n` : '';
  return table(header, body) + more;
}
