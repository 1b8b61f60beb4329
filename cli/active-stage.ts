/**
 * The stage a stage command (approve, reject, pause, resume, skip) goes to: the promotion's
 * active one, checked against the stage the operator named. Whichever way the command travels
 * (Temporal or ramp server), the same refusals in the same words.
 */
import { UserError } from '../src/errors.js';
import type { PromotionStatus } from '../workflows/messages.js';

export function activeStageFor(
  promotionId: string,
  promotion: Pick<PromotionStatus, 'stages' | 'activeStage' | 'phase' | 'message'>,
  wanted: string | undefined,
  verb: string,
): { name: string; workflowId: string } {
  const names = promotion.stages.map((s) => s.name);
  if (wanted !== undefined && !names.includes(wanted)) {
    throw new UserError(`promotion ${promotionId} has no stage ${wanted}; its stages: ${names.join(', ')}`);
  }
  const active = promotion.activeStage;
  if (!active) {
    throw new UserError(
      `promotion ${promotionId} has no active stage (phase ${promotion.phase}: ${promotion.message})${wanted ? `, not ${wanted}` : ''}; there is nothing to ${verb}`,
    );
  }
  if (wanted !== undefined && active.name !== wanted) {
    throw new UserError(`promotion ${promotionId} is at stage ${active.name}, not ${wanted}`);
  }
  return active;
}
