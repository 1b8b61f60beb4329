/**
 * `ramp status`: a promotion and its stages for people, in the spirit of `kubectl argo rollouts
 * get rollout`. Pure: status objects in, text out.
 */
import type { ApprovalRecord, Decision } from '../../src/domain/approval.js';
import type { PromotionStatus, StageEvent, StageStatus, StageSummary } from '../../workflows/messages.js';
import { palette } from '../output.js';
import { analysisLines, shownRuns } from './analysis.js';
import { Marker, formatClock, formatTime, paint, promotionMarker, shortSha, stageMarker, stepMarker, truncate, type RenderOptions } from './format.js';
import { operatorHint } from './operator-hint.js';

/** How many of the most recent events `ramp status` shows. */
export const STATUS_EVENTS = 10;

const LABEL = 14;
/** `Label:       value`, the label column 14 wide (and one space at least). */
const fieldLine = (label: string, value: string, indent = '') => {
  const head = `${label}:`;
  return `${indent}${head.length < LABEL ? head.padEnd(LABEL) : `${head} `}${value}`;
};

/** The detailed status of each stage that has one: the live one, else its last finished attempt. */
export function stageStatuses(promotion: PromotionStatus, active: StageStatus | null): Map<string, StageStatus> {
  const statuses = new Map<string, StageStatus>();
  for (const summary of promotion.stages) {
    if (summary.result) statuses.set(summary.name, summary.result);
  }
  if (active && active.promotionId === promotion.promotionId) statuses.set(active.stage, active);
  return statuses;
}

/** How the status is laid out: every detail (`ramp status`), or one screen (`--watch` on a terminal). */
interface Layout {
  /** One line per stage except the one that matters now; the latest analysis, commit and revert only. */
  compact: boolean;
  /** The screen's width: long header values wrap to it instead of being cut. */
  width?: number;
}

/**
 * The full status. With `temporalUi` (the promotion workflow's page in the Temporal UI), a last
 * line `Temporal UI  <url>`.
 */
export function renderStatus(promotion: PromotionStatus, active: StageStatus | null, options: RenderOptions & { temporalUi?: string | null }): string {
  const layout: Layout = { compact: false };
  let out = headerLines(promotion, active, options, layout)
    .map((l) => `${l}\n`)
    .join('');
  out += '\nStages:\n';
  out += stageRows(promotion, active)
    .flatMap((row) => stageBlock(row, options, layout, true))
    .map((l) => `${l}\n`)
    .join('');
  const events = recentEvents(promotion, stageStatuses(promotion, active), STATUS_EVENTS);
  if (events.length > 0)
    out += `\nEvents (last ${events.length}):\n${eventLines(events, options, false)
      .map((l) => `${l}\n`)
      .join('')}`;
  if (options.temporalUi) out += `\nTemporal UI  ${options.temporalUi}\n`;
  return out;
}

/**
 * The status as one screen for `status --watch` on a terminal: at most `rows - 1` lines (the
 * cursor rests on the last row, so the screen never scrolls), none wider than `columns - 1`.
 * The header comes first and always shows; the stage that matters now (the live one, else the
 * failed one) is shown in detail and the others on one line each; the most recent events fill
 * what is left.
 */
export function renderStatusScreen(
  promotion: PromotionStatus,
  active: StageStatus | null,
  options: RenderOptions & { columns: number; rows: number },
): string[] {
  const layout: Layout = { compact: true, width: Math.max(1, options.columns - 1) };
  const budget = Math.max(1, options.rows - 1);
  const header = headerLines(promotion, active, options, layout);
  const rows = stageRows(promotion, active);
  const focus = focusStage(promotion, rows);
  const stages = ['', 'Stages:', ...rows.flatMap((row) => stageBlock(row, options, layout, row.summary.name === focus))];
  let lines = [...header, ...stages];
  if (lines.length > budget) {
    const hidden = lines.length - budget + 1;
    lines = [...lines.slice(0, budget - 1), `… ${hidden} more line${hidden === 1 ? '' : 's'}: ramp status ${promotion.promotionId} shows everything`];
  } else {
    const room = budget - lines.length - 2; // a blank line and the heading
    const events = room > 0 ? recentEvents(promotion, stageStatuses(promotion, active), room) : [];
    if (events.length > 0) lines.push('', `Events (last ${events.length}):`, ...eventLines(events, options, true));
  }
  const width = Math.max(1, options.columns - 1);
  return lines.map((line) => truncate(line, width));
}

/** The stage shown in detail on one screen: the live one, else the last that failed, else none. */
function focusStage(promotion: PromotionStatus, rows: StageRow[]): string | null {
  const live = rows.find((r) => r.live);
  if (live) return live.summary.name;
  if (promotion.finishedAt !== null && promotion.phase === 'Succeeded') return null;
  return [...rows].reverse().find((r) => r.phase === 'Failed' || r.phase === 'RolledBack')?.summary.name ?? null;
}

function headerLines(promotion: PromotionStatus, active: StageStatus | null, options: RenderOptions, layout: Layout): string[] {
  const c = palette(options.color);
  const marker = promotionMarker(promotion.phase);
  const lines = [fieldLine('Promotion', c.bold(promotion.promotionId))];
  if (!layout.compact) lines.push(fieldLine('Pipeline', promotion.pipeline), fieldLine('Version', promotion.version));
  if (promotion.kind !== 'promote') lines.push(fieldLine('Kind', promotion.kind));
  lines.push(
    fieldLine('Phase', paint(marker, `${marker} ${promotion.phase}`, options.color)),
    fieldLine('Message', promotion.message),
    fieldLine('Requested by', promotion.requestedBy),
    fieldLine('Started', formatTime(promotion.startedAt, options)),
  );
  if (!layout.compact || promotion.finishedAt !== null) lines.push(fieldLine('Finished', formatTime(promotion.finishedAt, options)));
  const hint = operatorHint({ promotion, activeStage: active }, options);
  if (hint) {
    // What it waits for must be read whole: wrapped on a screen, not cut.
    const wrapped = layout.width ? wrap(hint.situation, layout.width - LABEL) : [hint.situation];
    wrapped.forEach((part, i) => lines.push(i === 0 ? fieldLine('Waiting', part) : `${' '.repeat(LABEL)}${part}`));
    for (const action of hint.actions) lines.push(fieldLine(`To ${action.does}`, action.command));
  }
  return lines;
}

interface StageRow {
  summary: StageSummary;
  /** The live status (active stage) or the last attempt's result. */
  status: StageStatus | null;
  live: boolean;
  phase: StageSummary['phase'];
  /** The widths of the name and phase columns, over every stage. */
  widths: { name: number; phase: number };
}

function stageRows(promotion: PromotionStatus, active: StageStatus | null): StageRow[] {
  const statuses = stageStatuses(promotion, active);
  const rows = promotion.stages.map((summary) => {
    const live =
      active !== null && active.promotionId === promotion.promotionId && active.stage === summary.name && promotion.activeStage?.name === summary.name;
    const status = statuses.get(summary.name) ?? null;
    return { summary, status, live, phase: status && live ? status.phase : summary.phase };
  });
  const widths = { name: Math.max(...rows.map((r) => r.summary.name.length)), phase: Math.max(...rows.map((r) => r.phase.length)) };
  return rows.map((row) => ({ ...row, widths }));
}

function stageBlock({ summary, status, live, phase, widths }: StageRow, options: RenderOptions, layout: Layout, detailed: boolean): string[] {
  const c = palette(options.color);
  const marker = stageMarker(phase);
  const attempt = status?.attempt ?? summary.attempt;
  const tail = `${attempt > 0 ? `  attempt ${attempt}` : ''}${live ? '  (active)' : ''}`;
  const head = `  ${paint(marker, marker, options.color)} ${c.bold(summary.name.padEnd(widths.name))}  ${paint(marker, tail ? phase.padEnd(widths.phase) : phase, options.color)}${tail}`;
  if (!status) return [head];
  if (!detailed) return [`${head}${c.dim(`  ${status.message}`)}`];

  const indent = '      ';
  const out = [head, fieldLine('Message', status.message, indent)];
  if (status.strategy === 'canary') {
    const done = status.steps.filter((s) => s.status === 'Succeeded').length;
    const skipped = status.steps.filter((s) => s.status === 'Skipped').length;
    // After a rollback the weight last written was reverted with everything else.
    const weight = status.phase === 'RolledBack' ? '' : `, canary weight ${status.canaryWeight}%`;
    out.push(fieldLine('Strategy', `canary, step ${done}/${status.steps.length}${skipped > 0 ? ` (${skipped} skipped)` : ''}${weight}`, indent));
    if (status.pauseUntil) out.push(fieldLine('Paused until', formatTime(status.pauseUntil, options), indent));
    const paused = status.phase === 'Paused' || status.phase === 'AwaitingApproval';
    const markers = status.steps.map((step) => stepMarker(step.status, paused));
    if (layout.compact) {
      const current = status.steps[Math.min(status.currentStep, status.steps.length - 1)];
      const at = current && status.currentStep < status.steps.length ? `  ${current.index + 1}. ${current.label}` : '';
      out.push(fieldLine('Steps', `${markers.map((m) => paint(m, m, options.color)).join(' ')}${at}`, indent));
    } else {
      status.steps.forEach((step, i) =>
        out.push(
          `${indent}${i === 0 ? 'Steps:'.padEnd(LABEL) : ' '.repeat(LABEL)}${paint(markers[i]!, markers[i]!, options.color)} ${step.index + 1}. ${step.label}`,
        ),
      );
    }
  } else {
    out.push(fieldLine('Strategy', 'direct', indent));
  }
  out.push(
    ...list(
      'Analysis',
      shownRuns(status.analyses, layout.compact).flatMap((run) => analysisLines(run, options.color)),
      indent,
    ),
  );
  out.push(
    ...list(
      'Commits',
      latest(
        status.commits.map((k) => `${shortSha(k.sha)}  ${k.step}`),
        layout,
      ),
      indent,
    ),
  );
  out.push(
    ...list(
      'Reverts',
      latest(
        status.reverts.map((r) => `${shortSha(r.sha)}  reverts ${shortSha(r.reverted)}`),
        layout,
      ),
      indent,
    ),
  );
  if (status.live) out.push(fieldLine('Live', `${shortSha(status.live.sha)}  ${status.live.message}`, indent));
  out.push(
    ...list(
      'Overrides',
      (status.overrides ?? []).map(
        (o) => `${paint(Marker.overridden, Marker.overridden, options.color)} ${o.actor} ${o.kind === 'Skip' ? 'skipped' : 'resumed past'} ${o.what}`,
      ),
      indent,
    ),
  );
  // Policy decisions that applied (deny, warn, require-approval); allowed ones are only in --json.
  out.push(
    ...list(
      'Policies',
      (status.policyDecisions ?? []).filter((d) => d.matched).map((d) => `${d.effect} ${d.policy} (${d.hash.slice(0, 12)}) at ${d.checkpoint}: ${d.message}`),
      indent,
    ),
  );
  out.push(
    ...list(
      'Approvals',
      status.approvals.flatMap((a) => (layout.compact ? approvalLines(a, options).slice(0, 1) : approvalLines(a, options))),
      indent,
    ),
  );
  if (status.failure) out.push(fieldLine('Failure', `${status.failure.reason}: ${status.failure.message}`, indent));
  return out;
}

/** Words into lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/** Every line, or on one screen the newest with how many came before. */
function latest(lines: string[], layout: Layout): string[] {
  if (!layout.compact || lines.length <= 1) return lines;
  return [`${lines.at(-1)!}  (latest of ${lines.length})`];
}

function list(label: string, lines: string[], indent: string): string[] {
  return lines.map((line, i) => `${indent}${i === 0 ? `${label}:`.padEnd(LABEL) : ' '.repeat(LABEL)}${line}`);
}

function approvalLines(record: ApprovalRecord, options: RenderOptions): string[] {
  const head = `${record.gate}: ${record.outcome}, ${record.approvals.length}/${record.minApprovals} from ${record.eligible.join(', ') || '(nobody)'}${record.deadline && record.outcome === 'Pending' ? `, until ${formatTime(record.deadline, options)}` : ''}`;
  const decisions = [
    ...record.approvals.map((d) => ({
      at: d.at,
      line: `  ${paint(Marker.succeeded, Marker.succeeded, options.color)} ${d.actor} approved${via(d)}${d.comment ? `: ${d.comment}` : ''}`,
    })),
    ...(record.rejection
      ? [
          {
            at: record.rejection.at,
            line: `  ${paint(Marker.failed, Marker.failed, options.color)} ${record.rejection.actor} rejected${via(record.rejection)}${record.rejection.comment ? `: ${record.rejection.comment}` : ''}`,
          },
        ]
      : []),
    ...record.refused.map((d) => ({
      at: d.at,
      line: `  ${paint(Marker.failed, Marker.failed, options.color)} ${d.actor} tried to ${d.action}${via(d)}, refused: ${d.reason}`,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return [head, ...decisions.map((d) => d.line)];
}

/**
 * ` via link`: where a decision was taken, when it was not the CLI (the default, and what every
 * record from before channels means); `--json` carries the channel of every decision.
 */
function via(decision: Decision): string {
  return decision.channel && decision.channel !== 'cli' ? ` via ${decision.channel}` : '';
}

/** The events table: date and time (or the time of day only, on one screen), source, kind, actor, message. */
function eventLines(events: SourcedEvent[], options: RenderOptions, clock: boolean): string[] {
  const source = Math.max(...events.map((e) => e.source.length));
  const kind = Math.max(...events.map((e) => e.event.kind.length));
  const actor = Math.max(1, ...events.map((e) => (e.event.actor ?? '').length));
  return events.map(
    ({ source: s, event }) =>
      `  ${clock ? formatClock(event.at, options) : formatTime(event.at, options)}  ${s.padEnd(source)}  ${event.kind.padEnd(kind)}  ${(event.actor ?? '-').padEnd(actor)}  ${event.message}`,
  );
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
