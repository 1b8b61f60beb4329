/**
 * The server's pipelines: a name a caller sends is looked up in the server's own pipelines
 * directory (`<dir>/<name>.yaml` or `.yml`), loaded and validated there. Callers never send a
 * pipeline spec, so its access block and repository are the administrators', not the caller's.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPipelineFile } from '../src/schema/load.js';
import type { PipelineSpec } from '../src/schema/pipeline.js';
import { ApiError } from './errors.js';

const isFile = async (path: string) => (await stat(path).catch(() => null))?.isFile() ?? false;

/** The pipeline `name` (already checked to be a plain name) from `dir`; 404 when there is none. */
export async function loadServerPipeline(dir: string, name: string): Promise<PipelineSpec> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new ApiError(404, `no pipeline named ${JSON.stringify(name)} on this server`);
  for (const file of [join(dir, `${name}.yaml`), join(dir, `${name}.yml`)]) {
    if (!(await isFile(file))) continue;
    const result = await loadPipelineFile(file, `${name}${file.slice(file.lastIndexOf('.'))}`);
    if (!result.ok) {
      const first = result.errors[0];
      throw new ApiError(409, `pipeline ${name} on this server is invalid${first ? ` (${first.line}:${first.column} ${first.message})` : ''}`, {
        hint: `whoever runs the server fixes it: ramp validate ${name}.yaml in its pipelines directory`,
      });
    }
    return result.spec;
  }
  throw new ApiError(404, `no pipeline named ${name} on this server`, { hint: "check the name; the server's pipelines directory holds <name>.yaml" });
}
