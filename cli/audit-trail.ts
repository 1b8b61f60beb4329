/**
 * `ramp audit` straight to Temporal: which trails to read (the pipeline's GitOps repository, or
 * every pipeline's in the pipelines directory, once per repository and branch), read or verified by
 * the short helper workflows of workflows/audit-read.ts on a worker (it holds the credentials).
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../src/errors.js';
import { loadPipelineFile } from '../src/schema/load.js';
import type { PipelineSpec, RepositorySpec } from '../src/schema/pipeline.js';
import type { AuditRecord } from '../src/audit/record.js';
import type { auditReadWorkflow, auditVerifyWorkflow } from '../workflows/audit-read.js';
import type { AuditRequest, AuditTrailVerification } from './backend.js';
import type { CommandIo } from './command.js';
import { innermostMessage, seconds, type RampTemporal } from './connection.js';
import { loadPipeline, pipelinesDir } from './pipelines.js';

/** How long reading or verifying one trail may take (a first clone, every version of the file). */
const AUDIT_TIMEOUT_MS = 300_000;

/** One trail: a repository and branch, and the pipelines whose decisions it holds. */
interface Trail {
  repository: RepositorySpec;
  pipelines: string[];
}

/** The trails of `pipeline`, or of every valid pipeline in the pipelines directory. */
export async function auditTrails(io: CommandIo, pipeline: string | undefined): Promise<Trail[]> {
  const specs: PipelineSpec[] = [];
  if (pipeline !== undefined) specs.push(await loadPipeline(pipeline, io));
  else {
    const dir = pipelinesDir(io);
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /\.ya?ml$/.test(f)).sort();
    for (const file of files) {
      const loaded = await loadPipelineFile(join(dir, file));
      if (loaded.ok) specs.push(loaded.spec);
    }
    if (specs.length === 0) throw new UserError(`no valid pipeline in ${dir}: name one with --pipeline, or set RAMP_PIPELINES_DIR`);
  }
  const trails = new Map<string, Trail>();
  for (const spec of specs) {
    const key = `${spec.repository.url}\n${spec.repository.branch}`;
    const trail = trails.get(key) ?? { repository: spec.repository, pipelines: [] };
    trail.pipelines.push(spec.name);
    trails.set(key, trail);
  }
  return [...trails.values()];
}

export async function readAuditTrails(temporal: RampTemporal, io: CommandIo, request: AuditRequest): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for (const trail of await auditTrails(io, request.pipeline)) {
    const read = await runHelper<typeof auditReadWorkflow>(temporal, 'auditReadWorkflow', trail.repository, {
      repository: trail.repository,
      ...(request.pipeline !== undefined ? { pipeline: trail.pipelines[0]! } : {}),
      ...(request.since !== undefined ? { since: request.since } : {}),
    });
    records.push(...read.records);
  }
  // Several trails: one list in time order (each trail is in order already).
  return records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

export async function verifyAuditTrails(temporal: RampTemporal, io: CommandIo, pipeline: string | undefined): Promise<AuditTrailVerification[]> {
  const results: AuditTrailVerification[] = [];
  for (const trail of await auditTrails(io, pipeline)) {
    const { trail: where, verification } = await runHelper<typeof auditVerifyWorkflow>(temporal, 'auditVerifyWorkflow', trail.repository, trail.repository);
    results.push({ trail: where, pipelines: trail.pipelines, verification });
  }
  return results;
}

async function runHelper<W extends (arg: never) => Promise<unknown>>(
  temporal: RampTemporal,
  type: string,
  repository: RepositorySpec,
  arg: Parameters<W>[0],
): Promise<Awaited<ReturnType<W>>> {
  const { settings } = temporal;
  await temporal.requireWorker();
  const workflowId = `audit-${randomUUID().slice(0, 8)}`;
  try {
    return (await temporal.client.workflow.execute(type, {
      taskQueue: settings.taskQueue,
      workflowId,
      args: [arg],
      // Nobody polls the queue → the run times out instead of waiting for ever.
      workflowExecutionTimeout: Math.max(AUDIT_TIMEOUT_MS, settings.updateTimeoutMs),
    })) as Awaited<ReturnType<W>>;
  } catch (error) {
    const explained = await temporal.explain(error, { kind: 'promotion', id: workflowId });
    if (explained instanceof UserError) throw explained;
    const why = innermostMessage(error);
    const slow = /timed? ?out/i.test(why)
      ? ` (no answer within ${seconds(AUDIT_TIMEOUT_MS)}: is the worker on task queue ${settings.taskQueue} busy or stuck?)`
      : '';
    throw new UserError(`could not read the audit trail of ${repository.url} (branch ramp/audit): ${why}${slow}`);
  }
}
