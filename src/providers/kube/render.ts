/**
 * What a stage's manifests say, as objects: `kustomize build` when the stage directory holds a
 * kustomization, else every YAML file in it (sorted, recursively). The directory is a snapshot
 * of one commit (src/providers/git/snapshots.ts), so the objects are the desired state at it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { isRecord, ManifestError, parseManifests, type DesiredObject } from './objects.js';

const run = promisify(execFile);

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The kustomization file in `dir` (the name kustomize would read), or undefined. */
export function kustomizationIn(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.find((f) => existsSync(path.join(dir, f)));
}

export interface RenderOptions {
  /** The kustomize binary (RAMP_KUSTOMIZE); default `kustomize` on PATH. */
  kustomize?: string | undefined;
}

/** Renders `<root>/<stagePath>`. Throws ManifestError naming the file and what to fix. */
export async function renderStage(root: string, stagePath: string, options: RenderOptions = {}): Promise<DesiredObject[]> {
  const dir = path.join(root, stagePath);
  if (!existsSync(dir)) throw new ManifestError(`the stage directory ${stagePath} does not exist at this commit; correct the stage path`);
  const kustomization = kustomizationIn(dir);
  return kustomization ? kustomizeBuild(dir, kustomization, stagePath, options.kustomize ?? 'kustomize') : plainManifests(dir, stagePath);
}

async function kustomizeBuild(dir: string, kustomization: string, stagePath: string, kustomize: string): Promise<DesiredObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await run(kustomize, ['build', '--load-restrictor=LoadRestrictionsNone', dir], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new ManifestError(
        `${stagePath} holds a kustomization, but the worker has no kustomize binary (${kustomize}). Install kustomize 5 or set RAMP_KUSTOMIZE`,
      );
    }
    throw new ManifestError(`kustomize build ${stagePath} failed: ${(e.stderr ?? e.message).trim()}`);
  }
  const sources = await resourceFiles(dir, kustomization);
  return parseManifests(stdout, `kustomize build ${stagePath}`).map((object) => ({
    object,
    source: sources.get(`${object.kind}/${object.metadata.name}`) ?? null,
  }));
}

/**
 * Best effort: which of the kustomization's own resource files defines each `Kind/name`, so
 * that a change to a live object can be written back to the file it came from. Objects from
 * bases, generators or renamed by a prefix stay unknown.
 */
async function resourceFiles(dir: string, file: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const [kustomization] = parseManifestsLoose(await readFile(path.join(dir, file), 'utf8'));
  const resources = isRecord(kustomization) && Array.isArray(kustomization.resources) ? kustomization.resources : [];
  for (const resource of resources) {
    if (typeof resource !== 'string' || !/\.ya?ml$/.test(resource) || resource.includes('..')) continue;
    const text = await readFile(path.join(dir, resource), 'utf8').catch(() => null);
    if (text === null) continue;
    for (const object of parseManifestsLoose(text)) {
      if (isRecord(object) && isRecord(object.metadata)) found.set(`${String(object.kind)}/${String(object.metadata.name)}`, resource);
    }
  }
  return found;
}

function parseManifestsLoose(text: string): unknown[] {
  try {
    return parseAllDocuments(text).flatMap((d) => (Array.isArray(d) ? [] : [d.toJS() as unknown]));
  } catch {
    return [];
  }
}

async function plainManifests(dir: string, stagePath: string): Promise<DesiredObject[]> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
  if (files.length === 0) throw new ManifestError(`${stagePath} holds no YAML manifests at this commit`);
  const objects: DesiredObject[] = [];
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    for (const object of parseManifests(text, `${stagePath}/${file}`)) objects.push({ object, source: file });
  }
  return objects;
}
