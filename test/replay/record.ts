/**
 * Golden histories for the replay test: with RAMP_RECORD_HISTORIES=1, the workflow tests save
 * the histories of a promotion and its stages under test/replay/histories/<shape>/.
 * Re-record only on purpose (a change guarded by patched(), or a new shape).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PipelineSpec } from '../../src/schema/pipeline.js';
import { stageWorkflowId } from '../../workflows/messages.js';

export const HISTORIES_DIR = new URL('./histories/', import.meta.url);

export async function recordHistories(env: TestWorkflowEnvironment, shape: string, promotion: WorkflowHandle, pipeline: PipelineSpec): Promise<void> {
  if (process.env.RAMP_RECORD_HISTORIES !== '1') return;
  const dir = new URL(`${shape}/`, HISTORIES_DIR);
  await mkdir(dir, { recursive: true });
  const save = async (name: string, handle: WorkflowHandle) => {
    // The protobuf JSON form, as `temporal workflow show --output json` writes it.
    const history = JSON.parse(historyToJSON(await handle.fetchHistory())) as unknown;
    await writeFile(new URL(`${name}.json`, dir), `${JSON.stringify({ workflowId: handle.workflowId, history }, null, 1)}\n`);
  };
  await save('promotion', promotion);
  for (const stage of pipeline.stages) {
    const handle = env.client.workflow.getHandle(stageWorkflowId(pipeline.name, stage.name));
    try {
      await handle.describe();
    } catch {
      continue; // the stage never ran
    }
    await save(`stage-${stage.name}`, handle);
  }
}
