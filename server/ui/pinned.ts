/**
 * What a promotion pinned when it started — its pipeline (stages, gates, access block) and what
 * is known of the release's source — read from the promotion workflow's start input (the first
 * event of its current run's history). The pages decide who may do what against these, as the
 * workflows do; the snapshot (GET /api/v1/promotions/{id}) does not carry them.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { RampTemporal } from '../../cli/connection.js';
import type { PromotionInput } from '../../workflows/messages.js';

/** The parts of the pinned input the pages use. */
export type PinnedRelease = Pick<PromotionInput, 'pipeline' | 'release' | 'requestedBy' | 'kind'>;

/** Start inputs never change within a run: kept by run id (a bounded number of them). */
const cache = new Map<string, PinnedRelease>();
const CACHE_SIZE = 200;

/**
 * The promotion's pinned input, or null when it cannot be read (no such workflow, history not
 * readable): the pages then fall back to what the snapshot says, and the server still decides.
 */
export async function readPinned(temporal: RampTemporal, promotionId: string): Promise<PinnedRelease | null> {
  try {
    const { runId } = await temporal.client.workflow.getHandle(promotionId).describe();
    const key = `${promotionId}\u0000${runId}`;
    const known = cache.get(key);
    if (known) return known;
    const history = await temporal.client.workflowService.getWorkflowExecutionHistory({
      namespace: temporal.settings.namespace,
      execution: { workflowId: promotionId, runId },
      maximumPageSize: 1,
    });
    const payload = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) return null;
    const input = defaultPayloadConverter.fromPayload<PromotionInput>(payload);
    const pinned: PinnedRelease = { pipeline: input.pipeline, release: input.release, requestedBy: input.requestedBy, kind: input.kind };
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, pinned);
    return pinned;
  } catch {
    return null;
  }
}
