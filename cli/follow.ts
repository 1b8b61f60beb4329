/**
 * Reading a promotion's snapshot (its status and its active stage's), and following it until it
 * ends: `promote --wait`, `rollback --wait`, `status --watch`.
 */
import { UserError } from '../src/errors.js';
import { PromotionPhase } from '../src/domain/phases.js';
import type { PromotionStatus, StageStatus } from '../workflows/messages.js';
import { colorOf, type CommandIo } from './command.js';
import type { RampBackend } from './backend.js';
import { ExitCode } from './exit-codes.js';
import { HttpBackend } from './http-backend.js';
import { json } from './output.js';
import { hintLine, operatorHint } from './render/operator-hint.js';
import { renderEventLine, sourceWidth, type SourcedEvent } from './render/status.js';

export interface Snapshot {
  promotion: PromotionStatus;
  /** The live status of the stage running now, or null. */
  activeStage: StageStatus | null;
}

/** @default 500 ms for --wait */
export const WAIT_POLL_MS = 500;

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

/**
 * Follows a promotion, printing each new event as a line, until it ends (0 Succeeded, 1 Aborted)
 * or fails (1, with how to retry). Waits for people are announced once and waited through.
 */
export async function follow(backend: RampBackend, promotionId: string, io: CommandIo, options: { json: boolean }): Promise<ExitCode> {
  const render = { color: colorOf(io) };
  const cursor = new EventCursor();
  let announced = '';
  for await (const snapshot of backend.snapshots(promotionId, backend.pollMs ?? WAIT_POLL_MS)) {
    const { promotion } = snapshot;
    if (!options.json) for (const event of cursor.fresh(snapshot)) io.stdout(renderEventLine(event, { ...render, sourceWidth: sourceWidth(promotion) }));

    const wait = operatorHint(snapshot, { throughServer: backend instanceof HttpBackend });
    if (promotion.phase === PromotionPhase.Succeeded || promotion.phase === PromotionPhase.Aborted || promotion.phase === PromotionPhase.Failed) {
      if (options.json) io.stdout(json(snapshot));
      else io.stdout(`promotion ${promotionId} ${promotion.phase}: ${promotion.message}\n`);
      // A failed promotion waits for a retry: say how to answer it.
      if (wait) (options.json ? io.stderr : io.stdout)(`waiting: ${hintLine(wait)}\n`);
      return promotion.phase === PromotionPhase.Succeeded ? ExitCode.Ok : ExitCode.Failure;
    }
    if (wait && wait.key !== announced) (options.json ? io.stderr : io.stdout)(`waiting: ${hintLine(wait)}\n`);
    announced = wait?.key ?? '';
  }
  throw new UserError(`the status of ${promotionId} stopped coming before the promotion ended; see ramp status ${promotionId}`);
}
