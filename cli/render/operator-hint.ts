/**
 * What a promotion waits for when a person (or the clock) must act, and the exact commands that
 * answer it. One function for `ramp status` (its Waiting / To … lines) and `--wait` / `--watch`
 * (one `waiting:` line per wait). Pure.
 */
import { PauseReason, PromotionPhase, StagePhase } from '../../src/domain/phases.js';
import { overrideApprovers } from '../../src/domain/override.js';
import { formatEntry, grantees, Permission } from '../../src/domain/permissions.js';
import type { AccessSpec, StageSpec } from '../../src/schema/pipeline.js';
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
  /** Who can unblock it, in words: `an approver of the gate (group:sre) approves or rejects`. */
  who: string;
  actions: OperatorAction[];
}

/**
 * What the promotion pinned, when the caller knows it (the release page reads it; `ramp status`
 * does not): the access block and the stages, to name who may operate and who may override.
 */
export interface PinnedAccess {
  access: AccessSpec | null;
  stages: readonly Pick<StageSpec, 'name' | 'approval' | 'strategy' | 'overrides'>[];
}

export function operatorHint(
  snapshot: { promotion: PromotionStatus; activeStage: StageStatus | null },
  options: Pick<RenderOptions, 'timeZone' | 'throughServer'> = {},
  pinned: PinnedAccess | null = null,
): OperatorHint | null {
  const hint = hintFor(snapshot, options, pinned);
  // Through ramp server `--as` is refused: who acts is who logged in.
  if (!hint || !options.throughServer) return hint;
  return { ...hint, actions: hint.actions.map((a) => ({ ...a, command: a.command.replace(' --as USER', '') })) };
}

function hintFor(
  snapshot: { promotion: PromotionStatus; activeStage: StageStatus | null },
  options: Pick<RenderOptions, 'timeZone'>,
  pinned: PinnedAccess | null,
): OperatorHint | null {
  const { promotion, activeStage: s } = snapshot;
  const id = promotion.promotionId;
  const operators = (stage: string | null, does: string) => `${operatorsOf(promotion.pipeline, stage, pinned)} ${does}`;
  const abort = (does: string): OperatorAction => ({ does, command: `ramp abort ${id} --reason "..."` });

  if (promotion.phase === PromotionPhase.WaitingForEnvironment) {
    return {
      key: `env|${promotion.waitingFor?.stage}|${promotion.waitingFor?.heldBy}`,
      situation: `${promotion.message}; it starts when that promotion leaves`,
      who: `nobody needs to act; ${operatorsOf(promotion.pipeline, promotion.waitingFor?.stage ?? null, pinned)} can abort the promotion that holds it`,
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
      who: operators(failed?.name ?? null, 'retries it or gives up (abort)'),
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
      who: approversOf(s),
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
        ? {
            key,
            situation: `${stage} is paused at step ${s.currentStep + 1} until resumed`,
            who: operators(s.stage, 'resumes it'),
            actions: [{ does: 'resume', command: `ramp resume ${id}` }],
          }
        : {
            key,
            situation: `${stage} is paused at step ${s.currentStep + 1} until ${formatClock(s.pauseUntil, options)}`,
            who: `the clock resumes it; ${operators(s.stage, 'may resume it sooner')}`,
            actions: [{ does: 'resume now', command: `ramp resume ${id}` }],
          };
    case PauseReason.InconclusiveAnalysis: {
      const why = inconclusiveWhy(s.analyses);
      return {
        key,
        situation: `${stage} is paused: analysis inconclusive${why ? ` (${why})` : ''}`,
        who: `${overridersOf(s.stage, pinned)} continues past it; ${operators(s.stage, 'may abort (roll back)')}`,
        actions: [{ does: 'continue', command: `ramp resume ${id} --stage ${s.stage} --as USER` }, abort('roll back')],
      };
    }
    case PauseReason.HistoryRewritten:
      return {
        key,
        situation: `${stage} wrote nothing: the branch no longer holds its commits (force-push?); restore the branch, then check again`,
        who: `whoever can push to the GitOps branch restores it; then ${operators(s.stage, 'checks again (resume)')}`,
        actions: [{ does: 'check again', command: `ramp resume ${id} --stage ${s.stage}` }, abort('give up')],
      };
    case PauseReason.UserPaused:
      return {
        key,
        situation: `${stage} is ${s.message}`,
        who: operators(s.stage, 'resumes it'),
        actions: [{ does: 'resume', command: `ramp resume ${id} --stage ${s.stage}` }],
      };
    case PauseReason.DeployWindowClosed:
      return {
        key,
        situation: `${stage} ${s.message}`,
        who: `the clock (it goes on by itself when the window opens); ${overrideHoldersOf(s.stage, pinned)} may override the closed window, with a reason`,
        actions: [{ does: 'override the window', command: `ramp window-override ${id} --stage ${s.stage} --as USER --reason "..."` }, abort('give up')],
      };
    case PauseReason.Soaking:
      return {
        key,
        situation: s.soak
          ? `${stage} soaks in ${s.soak.after} until ${formatClock(s.soak.until, options)}: the version must be stable there for a while before ${s.stage} starts`
          : `${stage} ${s.message}`,
        who: `the clock (it goes on by itself); ${operators(s.stage, 'may abort')}`,
        actions: [abort('give up')],
      };
    case PauseReason.AwaitingConfirmation:
      return { key, situation: `${stage} is ${s.message}`, who: `the webhook's service, by answering 2xx (it is asked again every interval)`, actions: [] };
    default:
      return { key, situation: `${stage} is ${s.message}`, who: operators(s.stage, 'may act on it'), actions: [] };
  }
}

/** The sentence of a page: what it waits for, then who can unblock it. */
export function waitingSentence(hint: OperatorHint): string {
  return `${hint.situation}. Who can unblock it: ${hint.who}`;
}

/** Who may operate the stage (null: the whole promotion): the access block's grantees when pinned, else in words. */
function operatorsOf(pipeline: string, stage: string | null, pinned: PinnedAccess | null): string {
  if (!pinned) return `anyone who may operate ${pipeline}`;
  if (!pinned.access) return 'anyone (the pipeline has no access block)';
  const who = grantees(pinned.access, Permission.Operate, stage).map(formatEntry);
  return who.length > 0 ? who.join(', ') : `nobody (the access block grants operate on ${stage ?? pipeline} to nobody)`;
}

/** Who may override a stage's deploy window: the access block's `override` grantees (administer included) when pinned. */
function overrideHoldersOf(stage: string, pinned: PinnedAccess | null): string {
  if (!pinned) return 'anyone with the override permission';
  if (!pinned.access) return 'anyone (the pipeline has no access block)';
  const who = grantees(pinned.access, Permission.Override, stage).map(formatEntry);
  return who.length > 0 ? who.join(', ') : `nobody (the access block grants override on ${stage} to nobody)`;
}

/** The gate's approvers as the record wrote them (the access block's granted ones included). */
function approversOf(s: StageStatus): string {
  const gate = s.approvals.filter((a) => a.outcome === 'Pending').at(-1);
  const who = gate ? (gate.approvers ?? gate.eligible) : [];
  return who.length > 0
    ? `an approver (${who.join(', ')}) approves or rejects`
    : "nobody: the gate has no approvers (check the pipeline and the worker's groups file)";
}

/** Who may override the stage's verdicts: its approvers, or anyone who may operate (overrides: anyone, or no gates). */
function overridersOf(stage: string, pinned: PinnedAccess | null): string {
  const spec = pinned?.stages.find((x) => x.name === stage);
  if (!spec) return 'an approver of the stage';
  const entries = overrideApprovers(spec, pinned?.access ?? null);
  return entries === null ? 'anyone who may operate it' : `an approver of ${stage} (${entries.map(formatEntry).join(', ')})`;
}

/** The hint as one line for `--wait`: `stage production is …. To approve: ramp approve …; To reject: ramp reject …`. */
export function hintLine(hint: OperatorHint): string {
  return hint.actions.length === 0 ? hint.situation : `${hint.situation}. ${hint.actions.map((a) => `To ${a.does}: ${a.command}`).join('; ')}`;
}
