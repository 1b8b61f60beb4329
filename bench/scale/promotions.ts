/**
 * The scale bench's promotions: pipelines of one stage over the example GitOps layout, each in
 * its own environment folder of one shared repository, started the way the CLI starts them
 * (promotionWorkflow with a PromotionInput), a bounded number at a time.
 */
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { EXAMPLE_GITOPS_DIR, seedRepository } from '../../dev/seed-repository.js';
import { sleep } from '../../scripts/lib/proc.js';
import { benchPipeline } from '../pipeline.js';
import type { PipelineSpec } from '../../src/schema/pipeline.js';
import { promotionWorkflowId } from '../../workflows/messages.js';

/** The user every gate names and the bench approves as. */
export const APPROVER = 'bench';
/** Who asks for the promotions: not the approver (four-eyes). */
export const REQUESTER = 'bench-requester';

/**
 * One stage `staging` in `envs/<folder>`: an approval gate before the version is written
 * (`gate`), then either a direct update or a canary of `steps`.
 */
export function scalePipeline(name: string, url: string, folder: string, opts: { gate?: boolean; steps?: string[] }): PipelineSpec {
  return benchPipeline(name, url, [
    { name: 'staging', path: `envs/${folder}`, ...(opts.gate ? { approvers: [APPROVER] } : {}), ...(opts.steps ? { steps: opts.steps } : {}) },
  ]);
}

/** A bare repository with `folders` copies of examples/gitops/envs/staging (envs/<folder>). */
export async function seedFolders(dir: string, folders: string[]): Promise<string> {
  const seed = path.join(dir, 'seed');
  for (const folder of folders) await cp(path.join(EXAMPLE_GITOPS_DIR, 'envs/staging'), path.join(seed, `envs/${folder}`), { recursive: true });
  const { url } = await seedRepository(path.join(dir, 'gitops.git'), { seedDir: seed, message: `Seed ${folders.length} environments` });
  await rm(seed, { recursive: true, force: true });
  return url;
}

/** Starts the promotion of `version` through `spec` on `taskQueue`; returns its workflow id. */
export async function startPromotion(client: Client, taskQueue: string, spec: PipelineSpec, version: string): Promise<string> {
  const workflowId = promotionWorkflowId(spec.name, version);
  await client.workflow.start('promotionWorkflow', {
    taskQueue,
    workflowId,
    args: [{ apiVersion: 'ramp/v1', pipeline: spec, version, requestedBy: REQUESTER, kind: 'promote' }],
  });
  return workflowId;
}

/** Runs `task` over `items`, `width` at a time. */
export async function pool<T, R>(items: readonly T[], width: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}

/** Polls `check` every `everyMs` until it gives a value; fails after `deadlineMs` naming `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, everyMs: number, deadlineMs: number): Promise<T> {
  const started = performance.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() - started > deadlineMs) throw new Error(`${what}: not after ${deadlineMs / 1000} s (see the worker's log in the bench's directory)`);
    await sleep(everyMs);
  }
}

/** How many running stages visibility shows in `phase` (each part runs on a Temporal of its own). */
export async function stagesIn(client: Client, phase: string): Promise<number> {
  const { count } = await client.workflow.count(`ExecutionStatus = "Running" AND RampKind = "stage" AND RampPhase = "${phase}"`);
  return count;
}
