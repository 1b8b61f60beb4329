/**
 * A stage's deploy windows, organisation freezes and soak time (docs/governance.md#deploy-windows):
 * before the stage starts it waits for its soak time and for an open window; at each canary
 * step boundary a window that closed does what `onClose` says — never in the middle of a
 * commit. Window edges come from an activity (time-zone data stays out of replay); the
 * workflow sleeps until them. A rollback is exempt (policies may refuse it: stage-policies.ts).
 *
 * Commands (behind the patch `deploy-windows`): every non-rollback stage asks the activity once
 * before it starts — the organisation's windows and freezes are known only to the worker — and
 * again at a step boundary once a known close has passed or the last answer is a minute old (so
 * that a freeze declared mid-canary stops it at the next step). With `soak`, one readHistory
 * when the promotion did not bring the time, and a timer for the rest.
 */
import { condition, patched, proxyActivities } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import { windowWaitMessage, type WindowState } from '../src/domain/deploy-window.js';
import { FailureReason, PauseReason, StagePhase } from '../src/domain/phases.js';
import { formatDuration } from '../src/domain/duration.js';
import { soakMessage, stableSinceFromHistory } from '../src/governance/soak.js';
import { quick } from './activity-options.js';
import { now, StageStop, type StageRecord } from './stage-record.js';

const { deployWindow, readHistory } = proxyActivities<RampActivities>(quick);

export const DEPLOY_WINDOWS_PATCH = 'deploy-windows';

/** How old an answer may get before a step boundary asks again (a freeze declared mid-canary). */
const RECHECK_MS = 60_000;
/** The longest wait between two answers while closed with no known end (a freeze): a lift is seen within it. */
const FROZEN_POLL_MS = 60_000;
/** How often a long soak refreshes its "… left" message. */
const SOAK_REFRESH_MS = 3_600_000;
/** How far back a soak looks for the version's full promotion in Git. */
const SOAK_HISTORY = 200;

export class StageWindows {
  private last: WindowState | null = null;

  /** `longWait`: a safe point in a long wait, to continue as new (stage-rollout.ts). */
  constructor(
    private readonly record: StageRecord,
    private readonly longWait: () => Promise<void> = () => Promise.resolve(),
  ) {}

  private get exempt(): boolean {
    return this.record.input.kind === 'rollback';
  }

  /** Before the stage's gate: waits out the soak time, then for an open window (or an override). A rollback is exempt. */
  async beforeStage(): Promise<void> {
    if (this.exempt || !patched(DEPLOY_WINDOWS_PATCH)) return;
    await this.soak();
    await this.ask();
    await this.waitWhileClosed();
  }

  /** At a canary step boundary (stage-rollout.ts checkpoint()): when the window has closed, what `onClose` says. */
  async atStepBoundary(): Promise<void> {
    if (this.exempt || this.last === null || !this.due()) return;
    await this.ask();
    if (this.open()) return;
    if (this.record.input.stage.windows?.onClose === 'abort') {
      const why = `the deploy window closed mid-canary (${this.last.reason}); onClose: abort stops the stage and rolls it back`;
      throw new StageStop(FailureReason.WindowClosed, why);
    }
    await this.waitWhileClosed();
  }

  /**
   * When a timed pause step ends: with `onClose: pauseAtNextStep`, a window that closed during
   * the pause extends it until the window opens again.
   */
  async atPauseEnd(): Promise<void> {
    if (this.exempt || this.last === null || (this.record.input.stage.windows?.onClose ?? 'pauseAtNextStep') !== 'pauseAtNextStep') return;
    await this.atStepBoundary();
  }

  /** The latest answer about the stage's windows, for policies and status; null before the first (or without the patch). */
  state(): WindowState | null {
    return this.last;
  }

  /** Whether a step boundary should ask again: a known close has passed, or the answer is old. */
  private due(): boolean {
    const last = this.last!;
    const t = Date.now();
    return (last.nextClose !== null && t >= Date.parse(last.nextClose)) || t - Date.parse(last.at) >= RECHECK_MS || !last.open;
  }

  private async ask(): Promise<void> {
    const { pipeline, stage } = this.record.input;
    this.last = await deployWindow({ pipeline, stage: stage.name, windows: stage.windows ?? null, at: now() });
    this.record.status.window = this.last;
  }

  /** Open, or closed but overridden for this closed period. */
  private open(): boolean {
    const last = this.last!;
    if (last.open) return true;
    const override = this.record.requests.windowOverride;
    return !!override && (override.until === null || Date.parse(override.until) > Date.now());
  }

  /** While closed (and not overridden): Paused/DeployWindowClosed, sleep until it opens, ask again. */
  private async waitWhileClosed(): Promise<void> {
    if (this.open()) return;
    const before = this.record.status.phase;
    const requests = this.record.requests;
    // For ramp_gate_wait_seconds: an organisation freeze, or the stage's own windows.
    const gate = this.last!.window === 'freeze' ? 'freeze' : 'window';
    this.record.facts.waitStarted(gate);
    while (!this.open()) {
      const last = this.last!;
      this.record.status.pauseUntil = last.nextOpen;
      this.record.setPhase(StagePhase.Paused, windowWaitMessage(last), PauseReason.DeployWindowClosed);
      const opensIn = last.nextOpen === null ? FROZEN_POLL_MS : Math.min(Math.max(1_000, Date.parse(last.nextOpen) - Date.now()), 7 * 86_400_000);
      const given = requests.windowOverride;
      await condition(() => requests.abort !== null || requests.windowOverride !== given, opensIn);
      this.record.status.pauseUntil = null;
      if (requests.abort !== null) this.record.facts.waitEnded(gate);
      this.record.checkpointAbort();
      if (requests.windowOverride !== given) break;
      await this.longWait();
      await this.ask();
    }
    this.record.facts.waitEnded(gate);
    const override = requests.windowOverride;
    const message = this.last!.open
      ? `the deploy window is open (${this.last!.reason})`
      : `going through the closed window: overridden by ${override?.actor ?? 'someone'}`;
    this.record.setPhase(before === StagePhase.Paused ? StagePhase.Progressing : before, message);
    if (this.last!.open) this.record.event('window-opened', message);
  }

  /** Waits until the version has been stable in `soak.after` for `soak.for`; fails when it never was. */
  private async soak(): Promise<void> {
    const soak = this.record.input.stage.soak;
    if (!soak) return;
    const { version, repository } = this.record.input;
    let since = this.record.status.soak?.since ?? this.record.input.soakSince ?? null;
    if (since === null) {
      const history = await readHistory({ repository, stage: soak.after, limit: SOAK_HISTORY });
      since = stableSinceFromHistory(history, soak.after, version);
    }
    if (since === null) {
      throw new StageStop(
        FailureReason.NotSoaked,
        `${version} was never promoted to ${soak.after} (no full promotion there that was not reverted), where it must soak for ${formatDuration(soak.for)} before ${this.record.input.stage.name}. Promote it through ${soak.after} first`,
      );
    }
    const until = Date.parse(since) + soak.for;
    this.record.status.soak = { after: soak.after, since, until: new Date(until).toISOString() };
    if (Date.now() >= until) return;
    const requests = this.record.requests;
    this.record.facts.waitStarted('soak');
    while (Date.now() < until) {
      this.record.status.pauseUntil = new Date(until).toISOString();
      this.record.setPhase(StagePhase.Paused, soakMessage(soak.after, until - Date.now()), PauseReason.Soaking);
      // The message says the time left: refreshed every hour of a long soak.
      if (await condition(() => requests.abort !== null, Math.min(until - Date.now(), SOAK_REFRESH_MS))) break;
    }
    this.record.status.pauseUntil = null;
    this.record.facts.waitEnded('soak');
    this.record.checkpointAbort();
    this.record.event('soaked', `${version} soaked in ${soak.after} since ${since}`);
    this.record.setPhase(StagePhase.Progressing, `soaked in ${soak.after}`);
  }
}
