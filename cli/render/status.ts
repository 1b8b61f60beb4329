/**
 * `ramp status`: a promotion and its stages for people, in the spirit of `kubectl argo rollouts
 * get rollout`. Pure: status objects in, text out.
 */
import type { ApprovalRecord } from '../../src/domain/approval.js';
import type { PromotionStatus, StageEvent, StageStatus, StageSummary } from '../../workflows/messages.js';
import { palette } from '../output.js';
import { Marker, formatClock, formatTime, paint, promotionMarker, shortSha, stageMarker, stepMarker, type RenderOptions } from './format.js';

/** How many of the most recent events `ramp status` shows. */
export const STATUS_EVENTS = 10;

const LABEL = 14;
const field = (label: string, value: string, indent = '') => `${indent}${`${label}:`.padEnd(LABEL)}${value}\n`;

/** The detailed status of each stage that has one: the live one, else its last finished attempt. */
export function stageStatuses(promotion: PromotionStatus, active: StageStatus | null): Map<string, StageStatus> {
  const statuses = new Map<string, StageStatus>();
  for (const summary of promotion.stages) {
    if (summary.result) statuses.set(summary.name, summary.result);
  }
  if (active && active.promotionId === promotion.promotionId) statuses.set(active.stage, active);
  return statuses;
}

export function renderStatus(promotion: PromotionStatus, active: StageStatus | null, options: RenderOptions): string {
  const c = palette(options.color);
  const marker = promotionMarker(promotion.phase);
  let out = '';
  out += field('Promotion', c.bold(promotion.promotionId));
  out += field('Pipeline', promotion.pipeline);
  out += field('Version', promotion.version);
  if (promotion.kind !== 'promote') out += field('Kind', promotion.kind);
  out += field('Phase', paint(marker, `${marker} ${promotion.phase}`, options.color));
  out += field('Message', promotion.message);
  out += field('Requested by', promotion.requestedBy);
  out += field('Started', formatTime(promotion.startedAt, options));
  out += field('Finished', formatTime(promotion.finishedAt, options));

  const statuses = stageStatuses(promotion, active);
  const rows = promotion.stages.map((summary) => {
    const live = active !== null && active.promotionId === promotion.promotionId && active.stage === summary.name && promotion.activeStage?.name === summary.name;
    const status = statuses.get(summary.name) ?? null;
    return { summary, status, live, phase: status && live ? status.phase : summary.phase };
  });
  const widths = { name: Math.max(...rows.map((r) => r.summary.name.length)), phase: Math.max(...rows.map((r) => r.phase.length)) };
  out += '\nStages:\n';
  for (const row of rows) out += stageBlock(row, widths, options);

  const events = recentEvents(promotion, statuses, STATUS_EVENTS);
  if (events.length > 0) {
    out += `\nEvents (last ${events.length}):\n`;
    const source = Math.max(...events.map((e) => e.source.length));
    const kind = Math.max(...events.map((e) => e.event.kind.length));
    const actor = Math.max(1, ...events.map((e) => (e.event.actor ?? '').length));
    for (const { source: s, event } of events) {
      out += `  ${formatTime(event.at, options)}  ${s.padEnd(source)}  ${event.kind.padEnd(kind)}  ${(event.actor ?? '-').padEnd(actor)}  ${event.message}\n`;
    }
  }
  return out;
}

interface StageRow {
  summary: StageSummary;
  /** The live status (active stage) or the last attempt's result. */
  status: StageStatus | null;
  live: boolean;
  phase: StageSummary['phase'];
}

function stageBlock({ summary, status, live, phase }: StageRow, widths: { name: number; phase: number }, options: RenderOptions): string {
  const c = palette(options.color);
  const marker = stageMarker(phase);
  const attempt = status?.attempt ?? summary.attempt;
  const tail = `${attempt > 0 ? `  attempt ${attempt}` : ''}${live ? '  (active)' : ''}`;
  let out = `  ${paint(marker, marker, options.color)} ${c.bold(summary.name.padEnd(widths.name))}  ${paint(marker, tail ? phase.padEnd(widths.phase) : phase, options.color)}${tail}\n`;
  if (!status) return out;

  const indent = '      ';
  out += field('Message', status.message, indent);
  if (status.strategy === 'canary') {
    const done = status.steps.filter((s) => s.status === 'Succeeded').length;
    const skipped = status.steps.filter((s) => s.status === 'Skipped').length;
    // After a rollback the weight last written was reverted with everything else.
    const weight = status.phase === 'RolledBack' ? '' : `, canary weight ${status.canaryWeight}%`;
    out += field('Strategy', `canary, step ${done}/${status.steps.length}${skipped > 0 ? ` (${skipped} skipped)` : ''}${weight}`, indent);
    if (status.pauseUntil) out += field('Paused until', formatTime(status.pauseUntil, options), indent);
    status.steps.forEach((step, i) => {
      const m = stepMarker(step.status, status.phase === 'Paused' || status.phase === 'AwaitingApproval');
      out += `${indent}${i === 0 ? 'Steps:'.padEnd(LABEL) : ' '.repeat(LABEL)}${paint(m, m, options.color)} ${step.index + 1}. ${step.label}\n`;
    });
  } else {
    out += field('Strategy', 'direct', indent);
  }
  out += list('Commits', status.commits.map((k) => `${shortSha(k.sha)}  ${k.step}`), indent);
  out += list('Reverts', status.reverts.map((r) => `${shortSha(r.sha)}  reverts ${shortSha(r.reverted)}`), indent);
  if (status.live) out += field('Live', `${shortSha(status.live.sha)}  ${status.live.message}`, indent);
  out += list('Approvals', status.approvals.flatMap((a) => approvalLines(a, options)), indent);
  if (status.failure) out += field('Failure', `${status.failure.reason}: ${status.failure.message}`, indent);
  return out;
}

function list(label: string, lines: string[], indent: string): string {
  if (lines.length === 0) return '';
  return lines.map((line, i) => `${indent}${i === 0 ? `${label}:`.padEnd(LABEL) : ' '.repeat(LABEL)}${line}\n`).join('');
}

function approvalLines(record: ApprovalRecord, options: RenderOptions): string[] {
  const head = `${record.gate}: ${record.outcome}, ${record.approvals.length}/${record.minApprovals} from ${record.eligible.join(', ') || '(nobody)'}${record.deadline && record.outcome === 'Pending' ? `, until ${formatTime(record.deadline, options)}` : ''}`;
  const decisions = [
    ...record.approvals.map((d) => ({ at: d.at, line: `  ${paint(Marker.succeeded, Marker.succeeded, options.color)} ${d.actor} approved${d.comment ? `: ${d.comment}` : ''}` })),
    ...(record.rejection ? [{ at: record.rejection.at, line: `  ${paint(Marker.failed, Marker.failed, options.color)} ${record.rejection.actor} rejected${record.rejection.comment ? `: ${record.rejection.comment}` : ''}` }] : []),
    ...record.refused.map((d) => ({ at: d.at, line: `  ${paint(Marker.failed, Marker.failed, options.color)} ${d.actor} tried to ${d.action}, refused: ${d.reason}` })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return [head, ...decisions.map((d) => d.line)];
}

export interface SourcedEvent {
  /** `promotion` or the stage's name. */
  source: string;
  event: StageEvent;
}

/** The promotion's and its stages' events merged oldest first; the last `limit` of them. */
export function recentEvents(promotion: PromotionStatus, statuses: Map<string, StageStatus>, limit: number): SourcedEvent[] {
  const all: SourcedEvent[] = [
    ...promotion.events.map((event) => ({ source: 'promotion', event })),
    ...[...statuses.values()].flatMap((s) => s.events.map((event) => ({ source: s.stage, event }))),
  ];
  // Stable: events of the same instant keep their order within each source.
  all.sort((a, b) => a.event.at.localeCompare(b.event.at));
  return all.slice(-limit);
}

/**
 * One event as a line, for `--wait`: `23:30:45  production  approved (carol): carol approved ...`,
 * the source padded to `sourceWidth` (the longest stage name, or `promotion`).
 */
export function renderEventLine({ source, event }: SourcedEvent, options: RenderOptions & { sourceWidth?: number }): string {
  const c = palette(options.color);
  return `${c.dim(formatClock(event.at, options))}  ${source.padEnd(options.sourceWidth ?? 0)}  ${event.kind}${event.actor ? ` (${event.actor})` : ''}: ${event.message}\n`;
}

/** The width of the source column of event lines for this promotion. */
export function sourceWidth(promotion: PromotionStatus): number {
  return Math.max('promotion'.length, ...promotion.stages.map((s) => s.name.length));
}
