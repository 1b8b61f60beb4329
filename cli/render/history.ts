/** `ramp history`: ramp's commits read back from the GitOps repository, newest first. Pure. */
import type { HistoryEntry } from '../../workflows/messages.js';
import { formatTime, shortSha, table, type RenderOptions } from './format.js';

export function renderHistory(entries: HistoryEntry[], options: RenderOptions): string {
  if (entries.length === 0) return 'no ramp commits found\n';
  return table(
    ['WHEN', 'STAGE', 'VERSION', 'PROMOTION', 'STEP', 'COMMIT', 'APPROVED BY', 'BY', 'NOTE'],
    entries.map((e) => [
      formatTime(e.committedAt, options),
      e.stage,
      e.version ?? '-',
      e.promotion,
      e.step,
      shortSha(e.sha),
      e.approvedBy.length > 0 ? e.approvedBy.join(', ') : '-',
      e.requestedBy ?? '-',
      e.rollback ? `rollback of ${shortSha(e.rollback.of)}: ${e.rollback.reason}` : '',
    ]),
  );
}
