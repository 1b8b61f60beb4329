/**
 * Kubernetes objects as plain data, for reading the weight a routing holds (live-weight.ts):
 * the same code reads the objects rendered from a stage's manifests and the objects read back
 * from a cluster, so a caller can compare the two. No Kubernetes client here.
 */
import { parseYamlPath, type YamlPathSegment } from '../../domain/yaml-path.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: unknown;
  status?: unknown;
  /**
   * The file the object was read from, relative to the stage path as the pipeline names files
   * (`canary.yaml`). Set on objects read from a stage's manifests; absent on objects read from
   * a cluster.
   */
  source?: string;
}

/** What a caller GETs from the API server: the identity of one object. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * The weight a routing holds: the canary's share in percent (rounded) and the raw values it is
 * made of, keyed by backend, destination or workload name (e.g. `{ web-stable: 90, web-canary: 10 }`).
 */
export interface LiveWeight {
  weight: number;
  parts: Record<string, number>;
}

/** The objects do not hold what the routing names. The message says what is missing and where. */
export class LiveWeightError extends Error {
  override readonly name = 'LiveWeightError';
}

export function refOf(object: KubeObject): ObjectRef {
  const { apiVersion, kind } = object;
  const { name, namespace } = object.metadata;
  return namespace === undefined ? { apiVersion, kind, name } : { apiVersion, kind, name, namespace };
}

/** `HTTPRoute web`, or `HTTPRoute shop/web` with a namespace. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? '' : `${ref.namespace}/`}${ref.name}`;
}

/**
 * Whether `object` is the object `ref` names: same API group, kind and name, and the same
 * namespace when both say one (manifests often leave it to the deploy tool). The version is
 * ignored: the API server serves an object under each version of its group.
 */
export function isObject(object: KubeObject, ref: ObjectRef): boolean {
  const { namespace } = object.metadata;
  return (
    object.kind === ref.kind &&
    object.metadata.name === ref.name &&
    apiGroup(object.apiVersion) === apiGroup(ref.apiVersion) &&
    (namespace === undefined || ref.namespace === undefined || namespace === ref.namespace)
  );
}

/** The one object among `objects` that `ref` names; throws LiveWeightError when none or several. */
export function findObject(objects: readonly KubeObject[], ref: ObjectRef): KubeObject {
  const found = objects.filter((o) => isObject(o, ref));
  if (found.length === 1) return found[0]!;
  if (found.length === 0)
    throw new LiveWeightError(`${describeRef(ref)} is not among the objects read. Read it (GET ${ref.apiVersion} ${describeRef(ref)}) and pass it in`);
  throw new LiveWeightError(
    `${describeRef(ref)} names ${found.length} objects (${found.map((o) => describeRef(refOf(o))).join(', ')}). Give the objects their namespaces`,
  );
}

/** The objects read from `file` (stage-relative), compared after dropping `./` and empty segments. */
export function fromFile(objects: readonly KubeObject[], file: string): KubeObject[] {
  const wanted = normaliseFile(file);
  return objects.filter((o) => o.source !== undefined && normaliseFile(o.source) === wanted);
}

function normaliseFile(file: string): string {
  return file
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

function apiGroup(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The canary's share in percent, rounded; 0 when neither side gets anything. */
export function canaryShare(stable: number, canary: number): number {
  return stable + canary === 0 ? 0 : Math.round((100 * canary) / (stable + canary));
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/**
 * A weight or replica count as the API writes it: a number, or a numeric string (an SMI
 * v1alpha1 weight is a quantity such as `500m`). Undefined when it is neither.
 */
export function numberValue(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)(m?)\s*$/.exec(value);
  if (!match) return undefined;
  return match[2] === 'm' ? Number(match[1]) / 1000 : Number(match[1]);
}

/**
 * The value at a YAML path (src/domain/yaml-path.ts, as pipelines write them) in a plain
 * object; undefined when the path does not lead anywhere.
 */
export function valueAtPath(root: unknown, path: string): unknown {
  const parsed = parseYamlPath(path);
  return parsed.ok ? valueAtSegments(root, parsed.segments) : undefined;
}

function isScalarText(value: unknown, text: string): boolean {
  return (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && String(value) === text;
}

function valueAtSegments(root: unknown, segments: readonly YamlPathSegment[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (segment.kind === 'key') node = asRecord(node)?.[segment.key];
    else if (segment.kind === 'index') node = Array.isArray(node) ? (node as unknown[])[segment.index] : undefined;
    else node = asList(node).find((item) => isScalarText(asRecord(item)?.[segment.field], segment.value));
    if (node === undefined || node === null) return undefined;
  }
  return node;
}
