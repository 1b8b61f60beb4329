/**
 * Whether a verified approval link may decide now (docs/approval-links.md): the signed-in person
 * is the approver it names, and the release still waits at the gate, commit and attempt it was
 * signed for. Pure: the routes read the snapshot, these functions judge it; every refusal is a
 * sentence for the person, with what to do next.
 */
import { actorIs, type Actor } from '../../src/identity/actor.js';
import type { ApprovalLinkClaims } from '../../src/identity/approval-link.js';
import type { DecisionTarget } from '../../src/identity/decision.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';

/** Why a link refuses, as the page says it: the HTTP status, a title, the sentence and the next step. */
export interface LinkRefusal {
  status: 400 | 401 | 403 | 404 | 409 | 410;
  /** A stable word for the audit log: invalid, expired, wrong-person, moved-on, reused, refused, forged-request, not-signed-in, incomplete-form, not-enabled. */
  kind: string;
  title: string;
  message: string;
  hint: string;
}

const DECIDE_ELSEWHERE = 'open the release page, or ask for a new link';

/** A link whose token did not verify: expired (410) or anything else — altered, foreign, malformed (400). */
export function invalidLinkRefusal(reason: string): LinkRefusal {
  if (/expired/.test(reason)) return { status: 410, kind: 'expired', title: 'This approval link has expired', message: reason, hint: DECIDE_ELSEWHERE };
  return {
    status: 400,
    kind: 'invalid',
    title: 'This is not a valid approval link',
    message: reason,
    hint: 'use the link exactly as it was sent, or ask for a new one',
  };
}

/** Why `actor` may not use a link made for `claims.approver`, or null. */
export function approverRefusal(claims: Pick<ApprovalLinkClaims, 'approver'>, actor: Actor): LinkRefusal | null {
  if (actorIs(actor, claims.approver)) return null;
  return {
    status: 403,
    kind: 'wrong-person',
    title: 'This approval link is for someone else',
    message: `this link was sent to ${claims.approver}; you are signed in as ${actor.name}${actor.email ? ` (${actor.email})` : ''}`,
    hint: `sign in as ${claims.approver} (log out first), or decide on the release page if you are an approver yourself`,
  };
}

export interface ReleaseState {
  promotion: Pick<PromotionStatus, 'promotionId' | 'pipeline' | 'version' | 'phase' | 'finishedAt'>;
  activeStage: Pick<StageStatus, 'stage' | 'attempt' | 'phase' | 'approvals'> | null;
}

/**
 * Why the release no longer waits for what `target` names (409: it has moved on), or null when
 * it waits at that stage, attempt, gate and commit now.
 */
export function movedOnRefusal(target: DecisionTarget, state: ReleaseState): LinkRefusal | null {
  const moved = (message: string): LinkRefusal => ({
    status: 409,
    kind: 'moved-on',
    title: 'This release has moved on',
    message,
    hint: `the link no longer decides anything; see the release page for what ${target.pipeline} ${target.version} waits for now`,
  });
  const { promotion, activeStage } = state;
  if (promotion.pipeline !== target.pipeline || promotion.version !== target.version)
    return moved(`the link is for ${target.pipeline} ${target.version}, but ${target.promotionId} is ${promotion.pipeline} ${promotion.version}`);
  if (promotion.finishedAt !== null || !activeStage)
    return moved(
      `${target.pipeline} ${target.version} is no longer running a stage (it is ${promotion.phase}); the ${target.gate} approval of ${target.stage} was decided or ended`,
    );
  if (activeStage.stage !== target.stage) return moved(`${target.pipeline} ${target.version} is at stage ${activeStage.stage} now, not ${target.stage}`);
  if (target.attempt !== null && activeStage.attempt !== target.attempt)
    return moved(`stage ${target.stage} is on attempt ${activeStage.attempt} now; the link was for attempt ${target.attempt}`);
  const pending = activeStage.approvals.filter((a) => a.outcome === 'Pending').at(-1);
  if (!pending) return moved(`stage ${target.stage} is not waiting for an approval now (it is ${activeStage.phase})`);
  if (pending.gate !== target.gate) return moved(`stage ${target.stage} waits at its ${pending.gate} approval now; the link was for ${target.gate}`);
  const commit = pending.commit ?? null;
  if (commit !== target.commit)
    return moved(
      `the ${pending.gate} approval is bound to commit ${short(commit)} now; the link was for ${short(target.commit)} (the release changed since the link was sent)`,
    );
  return null;
}

function short(commit: string | null): string {
  return commit === null ? '(none)' : commit.slice(0, 12);
}
