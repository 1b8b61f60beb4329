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
}
