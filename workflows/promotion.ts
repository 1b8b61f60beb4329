/**
 * A promotion: one release through the stages of a pipeline, in order, each stage a child
 * workflow. A stage that fails is rolled back by the stage itself; the promotion then waits for
 * `retry` (or `abort`), or, with `rollback.scope: promotion`, reverts the earlier stages too.
 *
 * Its messages, all in messages.ts: the status Query, the abort and retry Updates (each with a
 * validator that refuses at once), and the abort Signal for alerts. The state and the flow are
 * in promotion-run.ts.
 */
import { setHandler } from '@temporalio/workflow';
import { abortSignal, abortUpdate, promotionStatusQuery, retryUpdate, type OperatorArgs, type PromotionInput, type PromotionStatus } from './messages.js';
import { PromotionRun } from './promotion-run.js';

export async function promotionWorkflow(input: PromotionInput): Promise<PromotionStatus> {
  const promotion = new PromotionRun(input);
  setHandler(promotionStatusQuery, () => promotion.status);
  // Validators are typed by hand: the SDK's validator parameter is not inferred.
  setHandler(abortUpdate, (args) => promotion.abort(args), { validator: (args: OperatorArgs & { reason: string }) => promotion.validateAbort(args) });
  setHandler(abortSignal, (args) => promotion.abortSignalled(args));
  setHandler(retryUpdate, (args) => promotion.retry(args), { validator: (args: OperatorArgs) => promotion.validateRetry(args) });
  return promotion.run();
}
