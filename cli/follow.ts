/**
 * Reading a promotion's snapshot (its status and its active stage's), and following it until it
 * ends: `promote --wait`, `rollback --wait`, `status --watch`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PauseReason, PromotionPhase, StagePhase } from '../src/domain/phases.js';
import type { PromotionStatus, StageStatus } from '../workflows/messages.js';
import { colorOf, type CommandIo } from './command.js';
import type { RampTemporal } from './connection.js';
import { ExitCode } from './exit-codes.js';
import { json } from './output.js';
import { formatClock, type RenderOptions } from './render/format.js';
import { renderEventLine, sourceWidth, type SourcedEvent } from './render/status.js';

export interface Snapshot {
  promotion: PromotionStatus;
  /** The live status of the stage running now, or null. */
  activeStage: StageStatus | null;
}

/** @default 500 ms for --wait */
export const WAIT_POLL_MS = 500;

/** The promotion's status and, when a stage of it runs, that stage's live status. */
export async function readSnapshot(temporal: RampTemporal, promotionId: string): Promise<Snapshot> {
  const promotion = await temporal.promotionStatus(promotionId);
  const active = promotion.activeStage;
  if (!active) return { promotion, activeStage: null };
  const stage = await temporal.stageStatus(active, promotionId);
  // The environment's workflow id outlives one promotion: make sure it is still this one's.
  return { promotion, activeStage: stage?.promotionId === promotionId ? stage : null };
}

/** Remembers how many events of each source were printed, and hands out the new ones. */
export class EventCursor {
  private readonly seen = new Map<string, number>();

  fresh({ promotion, activeStage }: Snapshot): SourcedEvent[] {
    const out: SourcedEvent[] = [];
    const take = (key: string, source: string, events: StageStatus['events']) => {
      const from = this.seen.get(key) ?? 0;
      for (const event of events.slice(from)) out.push({ source, event });
      this.seen.set(key, Math.max(from, events.length));
    };
    take('promotion', 'promotion', promotion.events);
    for (const summary of promotion.stages) {
      if (summary.result) take(`${summary.name}#${summary.result.attempt}`, summary.name, summary.result.events);
    }
    if (activeStage) take(`${activeStage.stage}#${activeStage.attempt}`, activeStage.stage, activeStage.events);
    return out.sort((a, b) => a.event.at.localeCompare(b.event.at));
  }
}

/** What the promotion waits for, if a person (or the clock) must act, with a key that changes when the wait does. */
export function waitingFor({ promotion, activeStage: s }: Snapshot, options: Pick<RenderOptions, 'timeZone'> = {}): { key: string; message: string } | null {
  const id = promotion.promotionId;
  if (promotion.phase === PromotionPhase.WaitingForEnvironment) {
    return { key: `env|${promotion.waitingFor?.stage}|${promotion.waitingFor?.heldBy}`, message: `${promotion.message}; it starts when that promotion leaves` };
  }
  if (!s) return null;
  const key = `${s.stage}|${s.attempt}|${s.phase}|${s.pauseReason}|${s.currentStep}|${s.approvals.length}`;
  if (s.phase === StagePhase.AwaitingApproval || (s.phase === StagePhase.Paused && s.pauseReason === PauseReason.AwaitingApproval)) {
    return { key, message: `stage ${s.stage} is ${s.message}. Approve with: ramp approve ${id} --stage ${s.stage} --as USER` };
  }
  if (s.phase === StagePhase.Paused && s.pauseReason === PauseReason.CanaryPauseStep) {
    return s.pauseUntil === null
      ? { key, message: `stage ${s.stage} is paused at step ${s.currentStep + 1} until resumed: ramp resume ${id}` }
      : { key, message: `stage ${s.stage} is paused at step ${s.currentStep + 1} until ${formatClock(s.pauseUntil, options)} (ramp resume ${id} continues now)` };
  }
  if (s.phase === StagePhase.Paused) return { key, message: `stage ${s.stage} is ${s.message}` };
  return null;
}

/**
 * Follows a promotion, printing each new event as a line, until it ends (0 Succeeded, 1 Aborted)
 * or fails (1, with how to retry). Waits for people are announced once and waited through.
 */
export async function follow(temporal: RampTemporal, promotionId: string, io: CommandIo, options: { json: boolean }): Promise<ExitCode> {
  const render = { color: colorOf(io) };
  const cursor = new EventCursor();
  const pollMs = temporal.settings.pollMs ?? WAIT_POLL_MS;
  let announced = '';
  for (;;) {
    const snapshot = await readSnapshot(temporal, promotionId);
    const { promotion } = snapshot;
    if (!options.json) for (const event of cursor.fresh(snapshot)) io.stdout(renderEventLine(event, { ...render, sourceWidth: sourceWidth(promotion) }));

    if (promotion.phase === PromotionPhase.Succeeded || promotion.phase === PromotionPhase.Aborted || promotion.phase === PromotionPhase.Failed) {
      if (options.json) io.stdout(json(snapshot));
      else io.stdout(`promotion ${promotionId} ${promotion.phase}: ${promotion.message}\n`);
      return promotion.phase === PromotionPhase.Succeeded ? ExitCode.Ok : ExitCode.Failure;
    }
    const wait = waitingFor(snapshot);
    if (wait && wait.key !== announced) (options.json ? io.stderr : io.stdout)(`waiting: ${wait.message}\n`);
    announced = wait?.key ?? '';
    await sleep(pollMs);
  }
}
