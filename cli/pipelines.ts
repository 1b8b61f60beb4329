/**
 * Pipelines named on the command line: a name looked up in the pipelines directory, or a path.
 * Loaded and validated here, in the CLI (habit 7): workflows receive the normalised spec.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UserError } from '../src/errors.js';
import { loadPipelineFile } from '../src/schema/load.js';
import type { PipelineSpec } from '../src/schema/pipeline.js';
import { colorOf, envOf, type CommandIo } from './command.js';
import { renderFindings } from './render/findings.js';

const FILE = /\.ya?ml$/;

/** The pipelines directory: $RAMP_PIPELINES_DIR, else ./pipelines. */
export function pipelinesDir(io: CommandIo): string {
  const dir = envOf(io).RAMP_PIPELINES_DIR?.trim();
  return resolve(io.cwd, dir ? dir : 'pipelines');
}

const isFile = async (path: string) => (await stat(path).catch(() => null))?.isFile() ?? false;

/** The file `pipeline` names: a path (with a `/` or a .yaml/.yml ending), else `<dir>/<name>.yaml|.yml`. */
export async function pipelineFile(pipeline: string, io: CommandIo): Promise<string> {
  if (pipeline.includes('/') || FILE.test(pipeline) || isAbsolute(pipeline)) {
    const path = resolve(io.cwd, pipeline);
    if (await isFile(path)) return path;
    throw new UserError(`cannot read pipeline file ${pipeline}: no such file`);
  }
  const dir = pipelinesDir(io);
  const candidates = [join(dir, `${pipeline}.yaml`), join(dir, `${pipeline}.yml`)];
  for (const candidate of candidates) {
    if (await isFile(candidate)) return candidate;
  }
  throw new UserError(`no pipeline named ${pipeline}: looked for ${candidates.map((c) => display(io, c)).join(' and ')}. Pass a file path, or set RAMP_PIPELINES_DIR`);
}

/**
 * Loads and validates the pipeline. When it is invalid, prints the findings as `ramp validate`
 * does (to stderr) and throws, so nothing is started.
 */
export async function loadPipeline(pipeline: string, io: CommandIo): Promise<PipelineSpec> {
  const file = await pipelineFile(pipeline, io);
  const label = display(io, file);
  const result = await loadPipelineFile(file, label);
  if (!result.ok) {
    io.stderr(renderFindings([result], colorOf(io)));
    throw new UserError(`pipeline ${label} is invalid, so nothing was started. Fix it (ramp validate ${label}) and run again`);
  }
  return result.spec;
}

/** Paths under the working directory relative to it, others absolute. */
function display(io: CommandIo, path: string): string {
  const rel = relative(io.cwd, path);
  return rel.startsWith('..') ? path : rel;
}
