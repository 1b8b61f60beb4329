/** Runs one promotion on a test worker: start it, let the test act on its stages, return its end. */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RampActivities } from '../../activities/contract.js';
import type { PipelineSpec } from '../../src/schema/pipeline.js';
import { promotionWorkflowId, stageWorkflowId, type PromotionStatus } from '../../workflows/messages.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { createTestWorker, type TestWorkerOptions } from '../harness/temporal.js';
import { recordWorkflows } from '../replay/record.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';

export interface During {
  /** The stage workflow of the named stage (its id is stable: pipeline/stage). */
  stage: (name: string) => WorkflowHandle;
  promotionId: string;
}

/** Promotes `version` through `pipeline` with these activities; `during` runs while it does. */
export async function runPromotion(
  env: TestWorkflowEnvironment,
  activities: RampActivities,
  pipeline: PipelineSpec,
  version = '1.1.0',
  during?: (d: During) => Promise<void>,
  /** With RAMP_RECORD_HISTORIES=1: save every workflow of the run as this replay shape (test/replay). */
  record?: string,
  /** The worker's sinks, e.g. one that records the workflows' facts (workflows/observe.ts). */
  sinks?: TestWorkerOptions['sinks'],
): Promise<PromotionStatus> {
  const { worker, taskQueue } = await createTestWorker(env, { activities, ...(sinks ? { sinks } : {}) });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue,
      workflowId: promotionWorkflowId(pipeline.name, version),
      args: [{ apiVersion: 'ramp/v1', pipeline, version, requestedBy: 'rm', kind: 'promote' }],
    });
    await during?.({ stage: (name) => env.client.workflow.getHandle(stageWorkflowId(pipeline.name, name)), promotionId: handle.workflowId });
    const result = await promotionOutcome(handle.result());
    if (record) await recordWorkflows(env, record, pipeline.name);
    return result;
  });
}
