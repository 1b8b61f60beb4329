/**
 * Kubernetes objects as ramp handles them: plain JSON, read from a stage's manifests or from
 * the API server. Identity is (apiVersion group, kind, namespace, name).
 */
import { parseAllDocuments } from 'yaml';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number; annotations?: Record<string, string>; [key: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** An object rendered from a stage's manifests, with the file it came from when known. */
export interface DesiredObject {
  object: KubeObject;
  /** Relative to the stage directory; null when a renderer (kustomize) does not say. */
  source: string | null;
}

/** `Deployment web-staging/web-stable` (`Kind name` for cluster-scoped objects). */
export function describeObject(o: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** The API group of an apiVersion (`apps/v1` → `apps`, `v1` → ``). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** A key that is equal for the same object whatever the version it is read at. */
export function objectKey(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  return `${groupOf(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** Parses a multi-document YAML file into objects; empty documents and `List`s are flattened away. */
export function parseManifests(text: string, file: string): KubeObject[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new ManifestError(`${file}: not YAML documents`);
  const objects: KubeObject[] = [];
  docs.forEach((doc, i) => {
    const error = doc.errors[0];
    if (error) throw new ManifestError(`${file}: document ${i + 1}: ${error.message}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    for (const item of flatten(value)) objects.push(checkObject(item, `${file}: document ${i + 1}`));
  });
  return objects;
}

function flatten(value: unknown): unknown[] {
  if (isRecord(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) return value.items.flatMap(flatten);
  return [value];
}

function checkObject(value: unknown, where: string): KubeObject {
  if (!isRecord(value)) throw new ManifestError(`${where} is not a Kubernetes object (a mapping with apiVersion, kind and metadata.name)`);
  const { apiVersion, kind, metadata } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    throw new ManifestError(
      `${where} has no ${typeof apiVersion !== 'string' ? 'apiVersion' : 'kind'}; every manifest needs apiVersion, kind and metadata.name`,
    );
  }
  if (!isRecord(metadata) || typeof metadata.name !== 'string' || metadata.name === '') {
    throw new ManifestError(`${where} (${kind}) has no metadata.name; give it a name`);
  }
  return value as KubeObject;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
