/**
 * A stage's deploy windows, organisation freezes and soak time (docs/governance.md): before the
 * stage starts it waits for its soak time and for an open window; at each canary step boundary
 * a window that closed does what `onClose` says — never in the middle of a commit. Window edges
 * come from an activity (time-zone data stays out of replay); the workflow sleeps until them.
 * STUB written by the lead for issue 12; the windows helper owns and completes it.
 */
import type { WindowState } from '../src/domain/deploy-window.js';
import type { StageRecord } from './stage-record.js';

export class StageWindows {
  constructor(private readonly record: StageRecord) {}

  /** Before the stage's gate: waits out the soak time, then for an open window (or an override). A rollback is exempt. */
  beforeStage(): Promise<void> {
    void this.record;
    return Promise.resolve();
  }

  /** At a canary step boundary (stage-rollout.ts checkpoint()): when the window has closed, what `onClose` says. */
  atStepBoundary(): Promise<void> {
    return Promise.resolve();
  }

  /** The latest answer about the stage's windows, for policies and status; null without windows. */
  state(): WindowState | null {
    return null;
  }
}
