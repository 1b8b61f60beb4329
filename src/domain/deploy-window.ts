/**
 * What a stage knows about its deploy windows at one instant (docs/governance.md): computed by
 * an activity (time-zone rules never run in workflow code), recorded in history, shown by
 * status and the page, and given to policies as `window`. Kargo's status shape.
 */
export interface WindowState {
  /** May the stage write now? */
  open: boolean;
  /** Why (closed: which deny window or freeze, or "outside allow window X"; open: which allow window, or "no windows"). */
  reason: string;
  /** ISO-8601: when it opens next, if closed; null when open, or closed with no known end (a freeze without end). */
  nextOpen: string | null;
  /** ISO-8601: when it closes next, if open; null when no close is coming. */
  nextClose: string | null;
  /** ISO-8601: the instant this was computed for. */
  at: string;
  /** The time zone the local times below are in (the stage's first window's; absent in answers from before). */
  timeZone?: string;
  /** `nextOpen` as people there read it: `Mon 2026-01-05 09:00 Europe/Berlin`. */
  nextOpenLocal?: string | null;
  /** `nextClose` likewise. */
  nextCloseLocal?: string | null;
  /** Open: why it closes at `nextClose` (Kargo's nextCloseReason). */
  nextCloseReason?: string | null;
  /** Closed: the allow window that opens next (or the deny window or `freeze` holding it); open: the allow window it is in. */
  window?: string | null;
}

/** `waits for the deploy window business-hours: opens Mon 2026-01-05 09:00 Europe/Berlin`: the waiting sentence. */
export function windowWaitMessage(state: WindowState): string {
  const what = state.window && state.window !== 'freeze' ? `the deploy window ${state.window}` : 'the deploy window';
  const when = state.nextOpenLocal ? `opens ${state.nextOpenLocal}` : 'no known opening (ramp window-override to go through)';
  return `waits for ${what}: ${when}; closed ${state.reason}`;
}
