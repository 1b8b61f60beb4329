/**
 * How a promotion that did not succeed ends: its workflow fails with a non-retryable
 * ApplicationFailure of type `PromotionAborted` whose details carry the final PromotionStatus,
 * so Temporal (its UI, `ExecutionStatus = "Failed"` queries, metrics) never shows it as a green
 * COMPLETED. A succeeded promotion completes with its status as the result. Readers take the
 * status from either with `promotionOutcome` (docs/temporal.md).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { PromotionStatus } from './messages.js';

export const PROMOTION_ABORTED = 'PromotionAborted';

/** The patch that made aborted promotions fail: histories recorded before it still complete. */
export const PROMOTION_FAILS_PATCH = 'ramp-promotion-aborted-fails';

export function promotionAborted(status: PromotionStatus): ApplicationFailure {
  return ApplicationFailure.create({
    message: `promotion ${status.promotionId} ${status.phase}: ${status.message}`,
    type: PROMOTION_ABORTED,
    nonRetryable: true,
    details: [status],
  });
}

/** The final status carried by a `PromotionAborted` failure anywhere in `error`'s causes, else null. */
export function abortedStatusOf(error: unknown): PromotionStatus | null {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure && e.type === PROMOTION_ABORTED) {
      const status = e.details?.[0];
      return isPromotionStatus(status) ? status : null;
    }
  }
  return null;
}

/** A promotion's final status from its result: the result itself, or the status its `PromotionAborted` failure carries. */
export async function promotionOutcome(result: Promise<PromotionStatus>): Promise<PromotionStatus> {
  try {
    return await result;
  } catch (error) {
    const status = abortedStatusOf(error);
    if (status) return status;
    throw error;
  }
}

function isPromotionStatus(value: unknown): value is PromotionStatus {
  return typeof value === 'object' && value !== null && 'promotionId' in value && 'phase' in value && 'stages' in value;
}
