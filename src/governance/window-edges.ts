/**
 * Is a stage's deploy window open at an instant, and when does that change (Kargo's semantics):
 * closed while any deny window or a freeze is active, or while allow windows exist and none is
 * active. Pure given the schedules (window-schedule.ts); the activity (activities/windows.ts)
 * calls it, so time-zone rules never run in workflow code.
 */
import type { FreezeState } from '../domain/freeze.js';
import type { WindowState } from '../domain/deploy-window.js';
import { scheduleOf, type Schedule, type ScheduledWindow } from './window-schedule.js';
import { formatLocal } from './window-time.js';

/** How far ahead the next edge is looked for; beyond it the answer is "no known end". */
export const HORIZON_MS = 400 * 86_400_000;
const MAX_EDGES = 5_000;

interface Active {
  window: ScheduledWindow;
  end: number;
}

interface Evaluated {
  window: ScheduledWindow;
  schedule: Schedule;
}

function activeAt(w: Evaluated, t: number): Active | null {
  const start = w.schedule.latestStart(t);
  if (start === null) return null;
  const end = w.schedule.end(start);
  return end > t ? { window: w.window, end } : null;
}

function freezeActive(freeze: FreezeState | null, t: number): boolean {
  return freeze !== null && (freeze.until === null || Date.parse(freeze.until) > t);
}

interface Moment {
  open: boolean;
  denies: Active[];
  allows: Active[];
  frozen: boolean;
}

function momentAt(windows: Evaluated[], freeze: FreezeState | null, t: number): Moment {
  const denies = windows.filter((w) => w.window.kind === 'deny').flatMap((w) => activeAt(w, t) ?? []);
  const allows = windows.filter((w) => w.window.kind === 'allow').flatMap((w) => activeAt(w, t) ?? []);
  const frozen = freezeActive(freeze, t);
  const hasAllow = windows.some((w) => w.window.kind === 'allow');
  return { open: !frozen && denies.length === 0 && (!hasAllow || allows.length > 0), denies, allows, frozen };
}

/** The first instant after `t` at which any window starts or ends, or the freeze ends. */
function nextEdge(windows: Evaluated[], freeze: FreezeState | null, t: number): number | null {
  let best: number | null = null;
  const consider = (ms: number | null) => {
    if (ms !== null && ms > t && (best === null || ms < best)) best = ms;
  };
  for (const w of windows) {
    consider(activeAt(w, t)?.end ?? null);
    consider(w.schedule.nextStart(t));
  }
  if (freeze?.until) consider(Date.parse(freeze.until));
  return best;
}

/** The first instant after `at` at which open/closed flips (within the horizon), or null. */
function nextFlip(windows: Evaluated[], freeze: FreezeState | null, at: number, open: boolean): { at: number; moment: Moment } | null {
  let t = at;
  for (let i = 0; i < MAX_EDGES; i++) {
    const edge = nextEdge(windows, freeze, t);
    if (edge === null || edge - at > HORIZON_MS) return null;
    const moment = momentAt(windows, freeze, edge);
    if (moment.open !== open) return { at: edge, moment };
    t = edge;
  }
  return null;
}

const named = (w: ScheduledWindow) => `${w.scope === 'organisation' ? 'organisation ' : ''}${w.kind} window ${w.name}${w.reason ? ` (${w.reason})` : ''}`;

/** Why it is closed, for people: the freeze, the deny windows, or the missing allow window. */
function closedReason(moment: Moment, windows: Evaluated[], freeze: FreezeState | null): string {
  if (moment.frozen && freeze) {
    return `the organisation is frozen by ${freeze.declaredBy.name}: ${freeze.reason}${freeze.until ? '' : ' (until lifted)'}`;
  }
  if (moment.denies.length > 0) return `in the ${moment.denies.map((d) => named(d.window)).join(', ')}`;
  const allows = windows.filter((w) => w.window.kind === 'allow').map((w) => w.window.name);
  return `outside the allow window${allows.length > 1 ? 's' : ''} ${allows.join(', ')}`;
}

function openReason(moment: Moment, windows: Evaluated[]): string {
  if (moment.allows.length > 0) return `in the ${moment.allows.map((a) => named(a.window)).join(', ')}`;
  return windows.length === 0 ? 'no deploy windows' : 'no deny window is active';
}

/** The time zone people of this stage read times in: the first window's, else UTC. */
function displayZone(windows: ScheduledWindow[], fallback: string): string {
  return windows[0]?.timeZone ?? fallback;
}

/**
 * The window state at `at` (ms): open or closed, why, and the next flip. Throws when a window's
 * rule does not parse (validation catches that before a pipeline runs).
 */
export function windowState(windows: readonly ScheduledWindow[], freeze: FreezeState | null, at: number, timeZone = 'UTC'): WindowState {
  const evaluated = windows.map((window) => ({ window, schedule: scheduleOf(window) }));
  const moment = momentAt(evaluated, freeze, at);
  const zone = displayZone([...windows], timeZone);
  const flip = windows.length === 0 && !freeze?.until ? null : nextFlip(evaluated, freeze, at, moment.open);
  const base = { at: new Date(at).toISOString(), timeZone: zone };
  if (moment.open) {
    return {
      ...base,
      open: true,
      reason: openReason(moment, evaluated),
      nextOpen: null,
      nextClose: flip ? new Date(flip.at).toISOString() : null,
      nextCloseLocal: flip ? formatLocal(flip.at, zone) : null,
      nextOpenLocal: null,
      nextCloseReason: flip ? closedReason(flip.moment, evaluated, freeze) : null,
      window: moment.allows[0]?.window.name ?? null,
    };
  }
  // Which window opens: the allow window active after the flip, else the one whose end frees it.
  const blocking = moment.frozen ? 'freeze' : (moment.denies[0]?.window.name ?? null);
  return {
    ...base,
    open: false,
    reason: closedReason(moment, evaluated, freeze),
    nextOpen: flip ? new Date(flip.at).toISOString() : null,
    nextOpenLocal: flip ? formatLocal(flip.at, zone) : null,
    nextClose: null,
    nextCloseLocal: null,
    nextCloseReason: null,
    window: flip?.moment.allows[0]?.window.name ?? blocking,
  };
}
