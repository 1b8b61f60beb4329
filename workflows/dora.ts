/**
 * Reads a stage's DORA report from the GitOps repository's commits, on a worker (which holds the
 * repository credentials), for `ramp dora`, the API and the web page. A short workflow: one
 * activity. It marks itself `RampKind = "helper"`, so that views of promotions can leave it out
 * (docs/temporal.md).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import type { DeliveryQuery } from '../activities/dora.js';
import type { DoraReport } from '../src/dora/report.js';
import { quick } from './activity-options.js';
import { RampKind, publishAttributes } from './search-attributes.js';

const { readDelivery } = proxyActivities<RampActivities>(quick);

export async function doraWorkflow(query: DeliveryQuery): Promise<DoraReport> {
  publishAttributes([{ key: RampKind, value: 'helper' }]);
  return readDelivery(query);
}
