/**
 * Golden histories for the replay test: with RAMP_RECORD_HISTORIES=1, the workflow tests save
 * the histories of a promotion and its stages under test/replay/histories/<shape>/ — every
 * workflow of the test (stages, analysis children, drift watches, every run of a continue-as-new)
 * with `recordWorkflows`. `npm run replay:record` re-records them all; do it only on purpose (a
 * change guarded by patched(), or a new shape), and commit the histories.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
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

/**
 * Saves the history of every execution whose workflow id starts with `prefix` (a test's unique
 * pipeline name): the promotion, its stages, their analysis children and drift watches, and
 * each run of a workflow that continued as new.
 */
export async function recordWorkflows(env: TestWorkflowEnvironment, shape: string, prefix: string, ...morePrefixes: string[]): Promise<void> {
  if (process.env.RAMP_RECORD_HISTORIES !== '1') return;
  const dir = new URL(`${shape}/`, HISTORIES_DIR);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const executions: { workflowId: string; runId: string; startTime: Date; prefix: string }[] = [];
  for (const p of [prefix, ...morePrefixes]) {
    for await (const e of env.client.workflow.list({ query: `WorkflowId STARTS_WITH "${p}"` })) executions.push({ ...e, prefix: p });
  }
  if (executions.length === 0) throw new Error(`recordWorkflows(${shape}): no workflow id starts with ${prefix}`);
  executions.sort((a, b) => a.workflowId.localeCompare(b.workflowId) || a.startTime.getTime() - b.startTime.getTime());
  const runs = new Map<string, number>();
  for (const { workflowId, runId, prefix: matched } of executions) {
    const run = (runs.get(workflowId) ?? 0) + 1;
    runs.set(workflowId, run);
    const history = JSON.parse(historyToJSON(await env.client.workflow.getHandle(workflowId, runId).fetchHistory())) as unknown;
    // Other prefixes' workflows keep their whole id (e.g. the notification workflow `notify:<promotion>`).
    const rest = matched === prefix ? workflowId.slice(prefix.length) : workflowId;
    const name = `${rest.replace(/[^A-Za-z0-9@.,_-]+/g, '_') || 'root'}.run${run}.json`;
    await writeFile(new URL(name, dir), `${JSON.stringify({ workflowId, history }, null, 1)}\n`);
  }
}
