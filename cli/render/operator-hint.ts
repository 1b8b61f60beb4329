/**
 * What a promotion waits for when a person (or the clock) must act, and the exact commands that
 * answer it. One function for `ramp status` (its Waiting / To … lines) and `--wait` / `--watch`
 * (one `waiting:` line per wait). Pure.
 */
import { PauseReason, PromotionPhase, StagePhase } from '../../src/domain/phases.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { inconclusiveWhy } from './analysis.js';
import { formatClock, type RenderOptions } from './format.js';

export interface OperatorAction {
  /** What the command does, as a verb: `approve`, `resume now`, `roll back`. */
  does: string;
  /** The command to type, with placeholders in capitals (USER) or `"..."`. */
  command: string;
}

export interface OperatorHint {
  /** Changes when the wait does (another stage, step, attempt or approval): announce once per key. */
  key: string;
  /** The situation in a sentence: `stage production is waiting for 1 approval(s) from alice`. */
  situation: string;
  actions: OperatorAction[];
}

export function operatorHint(
  snapshot: { promotion: PromotionStatus; activeStage: StageStatus | null },
  options: Pick<RenderOptions, 'timeZone' | 'throughServer'> = {},
): OperatorHint | null {
  const hint = hintFor(snapshot, options);
  // Through ramp server `--as` is refused: who acts is who logged in.
  if (!hint || !options.throughServer) return hint;
  return { ...hint, actions: hint.actions.map((a) => ({ ...a, command: a.command.replace(' --as USER', '') })) };
}

function hintFor(snapshot: { promotion: PromotionStatus; activeStage: StageStatus | null }, options: Pick<RenderOptions, 'timeZone'>): OperatorHint | null {
  const { promotion, activeStage: s } = snapshot;
  const id = promotion.promotionId;
  const abort = (does: string): OperatorAction => ({ does, command: `ramp abort ${id} --reason "..."` });

  if (promotion.phase === PromotionPhase.WaitingForEnvironment) {
    return {
      key: `env|${promotion.waitingFor?.stage}|${promotion.waitingFor?.heldBy}`,
      situation: `${promotion.message}; it starts when that promotion leaves`,
      actions: [],
    };
  }
  if (promotion.phase === PromotionPhase.Failed) {
    const failed = [...promotion.stages].reverse().find((stage) => stage.phase === StagePhase.Failed || stage.phase === StagePhase.RolledBack);
    const why = failed?.result?.failure?.message;
    return {
      key: `failed|${failed?.name}|${failed?.attempt}`,
      situation: failed
        ? `stage ${failed.name} failed (attempt ${failed.attempt})${why ? `: ${why}` : ''}; the promotion waits for a retry`
        : promotion.message,
      actions: [{ does: 'retry', command: `ramp retry ${id} --as USER` }, abort('give up')],
    };
  }
  if (!s || s.promotionId !== id) return null;

  const key = `${s.stage}|${s.attempt}|${s.phase}|${s.pauseReason}|${s.currentStep}|${s.approvals.length}`;
  const stage = `stage ${s.stage}`;
  if (s.phase === StagePhase.AwaitingApproval || (s.phase === StagePhase.Paused && s.pauseReason === PauseReason.AwaitingApproval)) {
    return {
      key,
      situation: `${stage} is ${s.message}`,
      actions: [
        { does: 'approve', command: `ramp approve ${id} --stage ${s.stage} --as USER` },
        { does: 'reject', command: `ramp reject ${id} --stage ${s.stage} --as USER --reason "..."` },
      ],
    };
  }
  if (s.phase !== StagePhase.Paused) return null;
  switch (s.pauseReason) {
    case PauseReason.CanaryPauseStep:
      return s.pauseUntil === null
        ? { key, situation: `${stage} is paused at step ${s.currentStep + 1} until resumed`, actions: [{ does: 'resume', command: `ramp resume ${id}` }] }
        : {
            key,
            situation: `${stage} is paused at step ${s.currentStep + 1} until ${formatClock(s.pauseUntil, options)}`,
            actions: [{ does: 'resume now', command: `ramp resume ${id}` }],
          };
    case PauseReason.InconclusiveAnalysis: {
      const why = inconclusiveWhy(s.analyses);
      return {
        key,
        situation: `${stage} is paused: analysis inconclusive${why ? ` (${why})` : ''}`,
        actions: [{ does: 'continue', command: `ramp resume ${id} --stage ${s.stage} --as USER` }, abort('roll back')],
      };
    }
    case PauseReason.HistoryRewritten:
      return {
        key,
        situation: `${stage} wrote nothing: the branch no longer holds its commits (force-push?); restore the branch, then check again`,
        actions: [{ does: 'check again', command: `ramp resume ${id} --stage ${s.stage}` }, abort('give up')],
      };
    case PauseReason.UserPaused:
      return { key, situation: `${stage} is ${s.message}`, actions: [{ does: 'resume', command: `ramp resume ${id} --stage ${s.stage}` }] };
    default:
      return { key, situation: `${stage} is ${s.message}`, actions: [] };
  }
}

/** The hint as one line for `--wait`: `stage production is …. To approve: ramp approve …; To reject: ramp reject …`. */
export function hintLine(hint: OperatorHint): string {
  return hint.actions.length === 0 ? hint.situation : `${hint.situation}. ${hint.actions.map((a) => `To ${a.does}: ${a.command}`).join('; ')}`;
}
