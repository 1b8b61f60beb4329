/**
 * Reads ramp's history from the GitOps repository's trailers, on a worker (which holds the
 * repository credentials), for `ramp history`. A short workflow: one activity. It marks itself
 * `RampKind = "helper"`, so that views of promotions can leave it out (docs/temporal.md).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import type { HistoryEntry, HistoryQuery } from '../src/domain/changes.js';
import { quick } from './activity-options.js';
import { RampKind, publishAttributes } from './search-attributes.js';

const { readHistory } = proxyActivities<RampActivities>(quick);

export async function historyWorkflow(query: HistoryQuery): Promise<HistoryEntry[]> {
  publishAttributes([{ key: RampKind, value: 'helper' }]);
  return readHistory(query);
}
