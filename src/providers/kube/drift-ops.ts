/**
 * Drift against a real cluster: find it (Git's head vs the live objects), restore Git's state
 * (server-side apply of the drifted objects, taking their fields back), or plan the commit that
 * writes the live values into Git (an operator accepted the drift).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { StageChange } from '../../domain/changes.js';
import type { DriftReport } from '../../domain/drift.js';
import { readYamlField } from '../../manifests/yaml-edit.js';
import type { DriftSpec, SyncSpec } from '../../schema/pipeline.js';
import type { GitOpsRepository } from '../git/gitops-repository.js';
import type { KubeCluster } from './cluster.js';
import { findDrift, watchedObjects, type ObjectDrift } from './drift.js';
import { isRecord, objectKey, type KubeObject } from './objects.js';
import { desiredState } from './desired.js';
import { kustomizationIn } from './render.js';

export interface DriftTarget {
  stagePath: string;
  sync: SyncSpec;
  fields: DriftSpec['fields'];
}

export type { DriftReport };

export interface DriftDeps {
  repository: GitOpsRepository;
  cluster: KubeCluster;
  kustomize?: string;
}

export async function detectDrift(target: DriftTarget, deps: DriftDeps): Promise<DriftReport> {
  const { sha, objects } = await desiredState(deps, target.stagePath, target.sync.namespace, null);
  const watched = watchedObjects(objects, target.fields);
  const live = new Map<string, KubeObject | null>();
  for (const { object } of watched) live.set(objectKey(object), await deps.cluster.get(object));
  return { sha, compared: watched.length, drifts: findDrift(watched, live, target.fields) };
}

/** Applies Git's state (at `sha`) of the drifted objects. Returns what was applied. */
export async function restoreDrift(target: DriftTarget, deps: DriftDeps, sha: string, drifts: readonly ObjectDrift[]): Promise<string[]> {
  const { objects: desired } = await desiredState(deps, target.stagePath, target.sync.namespace, sha);
  const wanted = new Set(
    drifts.map((d) => objectKey({ apiVersion: d.ref.apiVersion, kind: d.ref.kind, metadata: { name: d.ref.name, namespace: d.ref.namespace } })),
  );
  const applied: string[] = [];
  for (const { object } of desired) {
    if (!wanted.has(objectKey(object))) continue;
    await deps.cluster.apply(object);
    applied.push(`${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`);
  }
  return applied;
}

/** A drift ramp cannot write back to Git; the message says why and what to do. */
export class DriftAcceptError extends Error {
  override name = 'DriftAcceptError';
}

/**
 * The changes that write the live values of `drifts` into the stage's files at `sha`: each field
 * in the file that defines its object, or — for an image a kustomization overrides — the
 * kustomization's `images` entry. Throws DriftAcceptError for what cannot be written surgically.
 */
export async function acceptChanges(
  target: Pick<DriftTarget, 'stagePath'>,
  repository: GitOpsRepository,
  sha: string,
  drifts: readonly ObjectDrift[],
): Promise<StageChange[]> {
  const { dir } = await repository.snapshot(sha);
  const stageDir = path.join(dir, target.stagePath);
  const changes: StageChange[] = [];
  for (const drift of drifts) {
    if (drift.missing) {
      throw new DriftAcceptError(
        `${drift.object} is missing from the cluster; ramp cannot accept a deletion. Delete it from Git by hand, or reject the drift to recreate it`,
      );
    }
    if (drift.source === null) {
      throw new DriftAcceptError(
        `ramp does not know which file of ${target.stagePath} defines ${drift.object} (a base, a generator or a name prefix?). Write the change to Git by hand, or reject the drift`,
      );
    }
    const text = await readFile(path.join(stageDir, drift.source), 'utf8');
    const doc = parseAllDocuments(text);
    const own = (Array.isArray(doc) ? doc : []).find((d) => d.get('kind') === drift.ref.kind && d.getIn(['metadata', 'name']) === drift.ref.name);
    const ownText = own ? String(own) : text;
    for (const field of drift.fields) {
      if (typeof field.live !== 'string' && typeof field.live !== 'number') {
        throw new DriftAcceptError(
          `${drift.object} ${field.path} is ${field.live === undefined ? 'unset' : 'not a single value'} in the cluster; ramp writes back only single values. Edit Git by hand, or reject the drift`,
        );
      }
      const inFile: unknown = readYamlField(ownText, field.path);
      if (inFile === field.desired || inFile === undefined || !/\.image$/.test(field.path)) {
        changes.push({
          kind: 'setField',
          file: drift.source,
          object: { kind: drift.ref.kind, name: drift.ref.name },
          path: field.path,
          value: field.live,
          what: `${drift.object} ${field.path}`,
        });
        continue;
      }
      // The file says one image, Git's rendering another: a kustomization `images` entry overrides it.
      changes.push(await kustomizeImageChange(stageDir, typeof inFile === 'string' ? inFile : JSON.stringify(inFile), String(field.live), drift.object));
    }
  }
  return changes;
}

async function kustomizeImageChange(stageDir: string, fileImage: string, liveImage: string, object: string): Promise<StageChange> {
  const kustomizationFile = kustomizationIn(stageDir);
  if (kustomizationFile === undefined) {
    throw new DriftAcceptError(
      `${object} runs ${liveImage}, but the image in its file differs from Git's rendering and there is no kustomization to write it to. Edit Git by hand, or reject the drift`,
    );
  }
  const kustomization = parseAllDocuments(await readFile(path.join(stageDir, kustomizationFile), 'utf8'));
  const first: unknown = Array.isArray(kustomization) ? kustomization[0]?.toJS() : undefined;
  const images = isRecord(first) && Array.isArray(first.images) ? first.images.filter(isRecord) : [];
  const name = splitImage(fileImage).name;
  const entry = images.find((i) => i.name === name);
  const live = splitImage(liveImage);
  if (!entry || typeof entry.newTag !== 'string' || String(entry.newName ?? entry.name) !== live.name) {
    throw new DriftAcceptError(
      `${object} runs ${liveImage}; ramp can write back only a new tag of ${name} in the kustomization's images. Edit Git by hand, or reject the drift`,
    );
  }
  return { kind: 'setField', file: kustomizationFile, object: null, path: `images[name=${name}].newTag`, value: live.tag, what: `the newTag of image ${name}` };
}

function splitImage(image: string): { name: string; tag: string } {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? { name: image.slice(0, at), tag: image.slice(at + 1) } : { name: image, tag: 'latest' };
}
