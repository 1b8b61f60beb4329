/** Small pieces shared by the renderers: times, short shas, status markers, tables. */
import type { PromotionPhase, StagePhase, StepStatus } from '../../src/domain/phases.js';
import { palette } from '../output.js';

export interface RenderOptions {
  /** ANSI colours (a terminal without NO_COLOR). */
  color: boolean;
  /** Times in the machine's zone (people) or UTC (tests, logs). @default 'local' */
  timeZone?: 'local' | 'utc';
  /** Through ramp server, which knows who you are: the commands a status suggests have no `--as USER`. */
  throughServer?: boolean;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `2026-11-21 23:30:45`, or `-` for null. */
export function formatTime(iso: string | null, options: Pick<RenderOptions, 'timeZone'>): string {
  if (iso === null) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return options.timeZone === 'utc'
    ? `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
    : `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** `23:30:45`: the time of day only, for lines printed as they happen. */
export function formatClock(iso: string, options: Pick<RenderOptions, 'timeZone'>): string {
  return formatTime(iso, options).slice(11);
}

/** Seven hex digits, as `git log --oneline` shows them. */
export const shortSha = (sha: string): string => sha.slice(0, 7);

/** The markers of `kubectl argo rollouts get rollout`. */
export const Marker = {
  succeeded: '✔',
  running: '◌',
  paused: '‖',
  failed: '✖',
  skipped: '↷',
  /** Not passed: a person overrode the verdict. */
  overridden: '⚠',
  pending: '·',
} as const;
export type Marker = (typeof Marker)[keyof typeof Marker];

export function stageMarker(phase: StagePhase | 'Pending' | 'Skipped'): Marker {
  switch (phase) {
    case 'Promoted':
      return Marker.succeeded;
    case 'Progressing':
    case 'Promoting':
    case 'RollingBack':
      return Marker.running;
    case 'Paused':
    case 'AwaitingApproval':
      return Marker.paused;
    case 'RolledBack':
    case 'Failed':
      return Marker.failed;
    case 'Skipped':
      return Marker.skipped;
    case 'Pending':
      return Marker.pending;
    default: {
      const unknown: never = phase;
      return unknown;
    }
  }
}

export function promotionMarker(phase: PromotionPhase): Marker {
  switch (phase) {
    case 'Succeeded':
      return Marker.succeeded;
    case 'Running':
      return Marker.running;
    case 'WaitingForEnvironment':
      return Marker.paused;
    case 'Failed':
    case 'Aborted':
      return Marker.failed;
    default: {
      const unknown: never = phase;
      return unknown;
    }
  }
}

/** A step's marker; a running step of a paused stage shows as paused. */
export function stepMarker(status: StepStatus, stagePaused: boolean): Marker {
  switch (status) {
    case 'Succeeded':
      return Marker.succeeded;
    case 'Running':
      return stagePaused ? Marker.paused : Marker.running;
    case 'Failed':
      return Marker.failed;
    case 'Skipped':
      return Marker.skipped;
    case 'Overridden':
      return Marker.overridden;
    case 'Pending':
      return Marker.pending;
    default: {
      const unknown: never = status;
      return unknown;
    }
  }
}

/** Colours a marker (and its text) by what it means. */
export function paint(marker: Marker, text: string, color: boolean): string {
  const c = palette(color);
  switch (marker) {
    case Marker.succeeded:
      return c.green(text);
    case Marker.running:
    case Marker.paused:
    case Marker.overridden:
      return c.yellow(text);
    case Marker.failed:
      return c.red(text);
    default:
      return c.dim(text);
  }
}

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return (
    all
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/y;
// eslint-disable-next-line no-control-regex
const SGR_ALL = /\u001b\[[0-9;]*m/g;

/** Characters on screen, colour codes left out. */
export const visibleLength = (line: string): number => [...line.replace(SGR_ALL, '')].length;

/**
 * A line cut to `width` characters on screen (ANSI colour codes take none), ending in `…` when
 * cut, with the colour reset if one was open.
 */
export function truncate(line: string, width: number): string {
  if (visibleLength(line) <= width) return line;
  let shown = 0;
  let out = '';
  let coloured = false;
  for (let i = 0; i < line.length && shown < width - 1;) {
    SGR.lastIndex = i;
    const code = SGR.exec(line);
    if (code) {
      out += code[0];
      coloured = code[0] !== '\u001b[0m' && code[0] !== '\u001b[m';
      i += code[0].length;
      continue;
    }
    const char = String.fromCodePoint(line.codePointAt(i)!);
    out += char;
    shown += 1;
    i += char.length;
  }
  return `${out}…${coloured ? '\u001b[0m' : ''}`;
}
