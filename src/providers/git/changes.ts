/**
 * From what a stage asks (StageChange[], src/domain/changes.ts) to edits of its files: read,
 * plan (pure), apply. Every edit is surgical (src/manifests/yaml-edit.ts), so the commit's diff
 * is exactly the values it meant to change.
 */
import { readFile, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StageChange } from '../../domain/changes.js';
import { renderTemplate } from '../../domain/template.js';
import { editYaml, editYamlObject, ManifestEditError, type FieldEdit, type ObjectSelector } from '../../manifests/yaml-edit.js';
import { fieldRouterFor, TRAFFIC_ROUTERS, trafficRouterFor, type TrafficRouters } from '../traffic/registry.js';
import type { FileRoutingSpec } from '../traffic/traffic-router.js';

/** What a commit writes: the stage directory, the artifact and version, the changes. */
export interface StageEdit {
  stagePath: string;
  /** `artifact.image`, for `{{ramp.image}}`. */
  image: string;
  version: string;
  changes: readonly StageChange[];
}

/** One edit of one file. */
export type ManifestEdit =
  | { kind: 'field'; field: FieldEdit; what: string; object?: ObjectSelector }
  /** The weights in a routing file, written by its router (replicaRatio plans field edits instead). */
  | { kind: 'weight'; routing: FileRoutingSpec; weight: number };

/** The edits of one file, in the order the changes asked for them. */
export interface FileEdits {
  /** Relative to the repository root, with forward slashes. */
  file: string;
  edits: ManifestEdit[];
}

/** Groups the changes into per-file edits; files in order of first mention. Throws ManifestEditError. */
export function planFileEdits(request: StageEdit, routers: TrafficRouters = TRAFFIC_ROUTERS): FileEdits[] {
  const byFile = new Map<string, ManifestEdit[]>();
  const add = (file: string, edit: ManifestEdit): void => {
    const key = stageFile(request.stagePath, file);
    byFile.set(key, [...(byFile.get(key) ?? []), edit]);
  };
  const values = { 'ramp.image': request.image, 'ramp.version': request.version };
  for (const change of request.changes) {
    switch (change.kind) {
      case 'setVersion':
        for (const target of change.targets) {
          if (target.kind === 'kustomizeImage') {
            add(target.file, {
              kind: 'field',
              field: { path: `images[name=${target.name}].newTag`, value: request.version },
              what: `the newTag of image ${target.name}`,
            });
          } else {
            add(target.file, { kind: 'field', field: { path: target.path, value: renderTemplate(target.value, values) }, what: target.path });
          }
        }
        break;
      case 'setWeight': {
        const { routing, weight } = change;
        if ('file' in routing) {
          add(routing.file, { kind: 'weight', routing, weight });
        } else {
          for (const edit of fieldRouterFor(routing, routers).fieldEdits(routing, weight))
            add(edit.file, { kind: 'field', field: edit.field, what: edit.what });
        }
        break;
      }
      case 'scaleCanary':
        add(change.scale.file, { kind: 'field', field: { path: change.scale.path, value: change.replicas }, what: change.scale.path });
        break;
      case 'setField':
        add(change.file, {
          kind: 'field',
          field: { path: change.path, value: change.value },
          what: change.what,
          ...(change.object ? { object: change.object } : {}),
        });
        break;
      default: {
        const unknown: never = change;
        throw new ManifestEditError(`unknown change ${JSON.stringify(unknown)}`);
      }
    }
  }
  return [...byFile].map(([file, edits]) => ({ file, edits }));
}

/** Applies one file's edits to its content. Pure; throws ManifestEditError. */
export function applyFileEdits(source: string, fileEdits: FileEdits, routers: TrafficRouters = TRAFFIC_ROUTERS): string {
  let out = source;
  for (const edit of fileEdits.edits) {
    if (edit.kind === 'weight') {
      out = trafficRouterFor(edit.routing, routers).setWeight(out, edit.routing, edit.weight, fileEdits.file);
      continue;
    }
    try {
      out = edit.object ? editYamlObject(out, edit.object, [edit.field], fileEdits.file) : editYaml(out, [edit.field], fileEdits.file);
    } catch (err) {
      const image = /^images\[name=(.*)\]\.newTag$/.exec(edit.field.path);
      if (err instanceof ManifestEditError && image && /no such field/.test(err.message)) {
        throw new ManifestEditError(
          `cannot set ${edit.what} in ${fileEdits.file}: the kustomization has no images entry named ${image[1]} with a newTag. ` +
            `Add one (images: [{ name: ${image[1]}, newTag: <current version> }]), or write the version with a yamlUpdate target instead`,
        );
      }
      throw err;
    }
  }
  return out;
}

/**
 * A stage file's path relative to the repository root. Refuses paths that leave the repository
 * (the schema already does; this keeps the provider safe on its own).
 */
export function stageFile(stagePath: string, file: string): string {
  const joined = path.posix.normalize(path.posix.join(stagePath, file));
  if (path.posix.isAbsolute(joined) || joined === '..' || joined.startsWith('../')) {
    throw new ManifestEditError(`${file} (in stage path ${stagePath}) is outside the repository. Use a path relative to the stage, without '..'`);
  }
  return joined;
}

/**
 * Reads, edits and writes the stage's files in the clone at `root`. Returns the files whose
 * content changed, relative to `root`; an edit that leaves a file as it was changes nothing.
 */
export async function writeStageEdits(root: string, request: StageEdit, routers: TrafficRouters = TRAFFIC_ROUTERS): Promise<string[]> {
  const planned = planFileEdits(request, routers);
  const realRoot = await realpath(root);
  const updates: { file: string; absolute: string; content: string }[] = [];
  for (const fileEdits of planned) {
    const absolute = await realpath(path.join(root, fileEdits.file)).catch(() => null);
    if (absolute === null) {
      throw new ManifestEditError(`${fileEdits.file} does not exist in the repository. Create it, or correct the stage path or the file name in the pipeline`);
    }
    if (!absolute.startsWith(realRoot + path.sep)) {
      throw new ManifestEditError(`${fileEdits.file} is a link that leads outside the repository; ramp edits only files inside it`);
    }
    const source = await readFile(absolute, 'utf8');
    const content = applyFileEdits(source, fileEdits, routers);
    if (content !== source) updates.push({ file: fileEdits.file, absolute, content });
  }
  // Write only once every edit is known to apply: a failing change leaves no file half-edited.
  for (const update of updates) await writeFile(update.absolute, update.content);
  return updates.map((u) => u.file);
}
