/**
 * Pipelines named on the command line: a name looked up in the pipelines directory, or a path.
 * Loaded and validated here, in the CLI (habit 7): workflows receive the normalised spec.
 *
 * Next to a running dev stack (`ramp dev`, `npm start`) a name is first looked up among the
 * pipelines the stack serves (cli/dev-stack.ts), unless RAMP_PIPELINES_DIR says where to look;
 * the CLI says so on stderr. pipelines/web.yaml stays what a real setup looks like.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../src/errors.js';
import { loadPipelineFile } from '../src/schema/load.js';
import type { PipelineSpec } from '../src/schema/pipeline.js';
import { colorOf, envOf, type CommandIo } from './command.js';
import { devStackInUse, displayPath as display, hostDoesNotResolve, repositoryHost, sayDevStack, type DevStack } from './dev-stack.js';
import { renderFindings } from './render/findings.js';

const FILE = /\.ya?ml$/;

/** The pipelines directory: $RAMP_PIPELINES_DIR, else ./pipelines. */
export function pipelinesDir(io: CommandIo): string {
  const dir = envOf(io).RAMP_PIPELINES_DIR?.trim();
  return resolve(io.cwd, dir ? dir : 'pipelines');
}

const isFile = async (path: string) => (await stat(path).catch(() => null))?.isFile() ?? false;

export const isPath = (pipeline: string) => pipeline.includes('/') || FILE.test(pipeline) || isAbsolute(pipeline);

/** `<dir>/<name>.yaml` or `.yml`, whichever exists, or null; `tried` collects what was looked for. */
async function named(dir: string, name: string, tried: string[]): Promise<string | null> {
  for (const candidate of [join(dir, `${name}.yaml`), join(dir, `${name}.yml`)]) {
    tried.push(candidate);
    if (await isFile(candidate)) return candidate;
  }
  return null;
}

/** The file `pipeline` names: a path (with a `/` or a .yaml/.yml ending), else `<dir>/<name>.yaml|.yml`. */
export async function pipelineFile(pipeline: string, io: CommandIo): Promise<string> {
  if (isPath(pipeline)) {
    const path = resolve(io.cwd, pipeline);
    if (await isFile(path)) return path;
    throw new UserError(`cannot read pipeline file ${pipeline}: no such file`);
  }
  const tried: string[] = [];
  const file = await named(pipelinesDir(io), pipeline, tried);
  if (file) return file;
  throw new UserError(
    `no pipeline named ${pipeline}: looked for ${tried.map((c) => display(io, c)).join(' and ')}. Pass a file path, or set RAMP_PIPELINES_DIR`,
  );
}

/**
 * Loads and validates the pipeline. When it is invalid, prints the findings as `ramp validate`
 * does (to stderr) and throws, so nothing is started.
 */
export async function loadPipeline(pipeline: string, io: CommandIo): Promise<PipelineSpec> {
  const stack = devStackInUse(io);
  const served = stack && !isPath(pipeline) && !envOf(io).RAMP_PIPELINES_DIR?.trim() ? await named(stack.pipelinesDir, pipeline, []) : null;
  const file = served ?? (await pipelineFile(pipeline, io));
  const label = display(io, file);
  const result = await loadPipelineFile(file, label);
  if (!result.ok) {
    io.stderr(renderFindings([result], colorOf(io)));
    throw new UserError(`pipeline ${label} is invalid, so nothing was started. Fix it (ramp validate ${label}) and run again`);
  }
  if (stack && !served) await refuseUnreachable(label, result.spec, stack);
  if (stack) {
    sayDevStack(io, stack);
    io.stderr(`ramp: ${served ? servedNote(pipeline, label, stack) : foreignNote(label, result.spec, stack)}\n`);
  }
  return result.spec;
}

/**
 * The dev stack's worker runs on this machine: a repository whose host does not resolve here can
 * only fail there (with a message about credentials, as like as not). Say so before starting.
 */
async function refuseUnreachable(label: string, spec: PipelineSpec, stack: DevStack): Promise<void> {
  const host = repositoryHost(spec.repository.url);
  if (host === null || !(await hostDoesNotResolve(host))) return;
  throw new UserError(
    `${label} points at ${spec.repository.url}, but ${host} does not resolve on this machine, where the dev stack's worker runs (ramp dev, pid ${stack.pid}): ` +
      `it cannot reach that repository, whatever credential it has. Nothing was started. ` +
      `Point spec.repository.url at a GitOps repository this machine reaches, or use the dev stack's own pipeline by name (${stack.pipelines.join(', ')}) without RAMP_PIPELINES_DIR`,
  );
}

function servedNote(pipeline: string, label: string, stack: DevStack): string {
  return `pipeline ${pipeline} is ${label} (${stack.pipelineSource} on its local GitOps repository); RAMP_PIPELINES_DIR=pipelines uses ./pipelines instead`;
}

/** A pipeline that is not the stack's: say where its repository is, before the worker fails on it. */
function foreignNote(label: string, spec: PipelineSpec, stack: DevStack): string {
  const { url, secretRef } = spec.repository;
  if (url === stack.repository.url) return `${label} uses its GitOps repository`;
  const credential = secretRef ? ` with the credential "${secretRef}"` : '';
  return (
    `${label} points at ${url}, not at the dev stack's GitOps repository ${stack.repository.url}. ` +
    `The dev stack's worker must reach that repository${credential}, or the promotion fails there. ` +
    `To promote on the dev stack, name one of its pipelines (${stack.pipelines.join(', ')}) without RAMP_PIPELINES_DIR: ramp promote ${stack.pipelines[0] ?? spec.name} <version>`
  );
}
