/**
 * Drift: where the live objects differ from the desired state in Git. Pure. Compared are the
 * fields ramp manages — every workload's container images and replica count, every traffic
 * weight of the routing kinds — plus the fields a stage lists (`drift.fields`). A desired object
 * missing from the cluster is drift too. Fields Git does not set are not compared (the
 * cluster's defaults and controllers own them).
 */
import type { FieldDrift, ObjectDrift } from '../../domain/drift.js';
import { parseYamlPath, type YamlPathSegment } from '../../domain/yaml-path.js';
import type { DriftSpec } from '../../schema/pipeline.js';
import { isWorkload } from './health.js';
import { describeObject, isRecord, objectKey, type DesiredObject, type KubeObject } from './objects.js';

export type { FieldDrift, ObjectDrift };

const ROUTING_KINDS: Record<string, string> = {
  HTTPRoute: 'gateway.networking.k8s.io',
  VirtualService: 'networking.istio.io',
  TrafficSplit: 'split.smi-spec.io',
};

/** The managed and listed paths of one desired object, with the desired values. */
export function comparedFields(object: KubeObject, extra: DriftSpec['fields'] = []): { path: string; value: unknown }[] {
  const fields: { path: string; value: unknown }[] = [];
  if (isWorkload(object)) {
    const spec = isRecord(object.spec) ? object.spec : {};
    if (spec.replicas !== undefined) fields.push({ path: 'spec.replicas', value: spec.replicas });
    const podSpec = isRecord(spec.template) && isRecord(spec.template.spec) ? spec.template.spec : {};
    for (const list of ['initContainers', 'containers'] as const) {
      for (const c of Array.isArray(podSpec[list]) ? podSpec[list] : []) {
        if (isRecord(c) && typeof c.name === 'string') fields.push({ path: `spec.template.spec.${list}[name=${c.name}].image`, value: c.image });
      }
    }
  }
  const group = ROUTING_KINDS[object.kind];
  if (group !== undefined && object.apiVersion.startsWith(`${group}/`)) {
    for (const path of leafPaths(object.spec, 'spec')) if (path.endsWith('.weight')) fields.push({ path, value: valueAt(object, path) });
  }
  for (const field of extra) {
    if (field.kind !== object.kind || (field.name !== undefined && field.name !== object.metadata.name)) continue;
    const value = valueAt(object, field.path);
    if (value !== undefined && !fields.some((f) => f.path === field.path)) fields.push({ path: field.path, value });
  }
  return fields;
}

/** Compares each desired object with its live counterpart (null = not in the cluster). */
export function findDrift(desired: readonly DesiredObject[], live: ReadonlyMap<string, KubeObject | null>, extra: DriftSpec['fields'] = []): ObjectDrift[] {
  const drifts: ObjectDrift[] = [];
  for (const { object, source } of desired) {
    const fields = comparedFields(object, extra);
    if (fields.length === 0) continue;
    const ref = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    };
    const found = live.get(objectKey(object));
    if (found === undefined) continue; // not read (e.g. its kind is not served); reported elsewhere
    if (found === null) {
      drifts.push({ object: describeObject(object), ref, source, missing: true, fields: [] });
      continue;
    }
    const differing = fields.flatMap(({ path, value }) => {
      const actual = valueAt(found, path);
      return sameValue(value, actual) ? [] : [{ path, desired: value, live: actual }];
    });
    if (differing.length > 0) drifts.push({ object: describeObject(object), ref, source, missing: false, fields: differing });
  }
  return drifts;
}

/** The objects drift compares: those with at least one compared field. */
export function watchedObjects(desired: readonly DesiredObject[], extra: DriftSpec['fields'] = []): DesiredObject[] {
  return desired.filter((d) => comparedFields(d.object, extra).length > 0);
}

/** A value named by a YAML path in a plain object; undefined when absent. */
export function valueAt(object: unknown, path: string): unknown {
  const parsed = parseYamlPath(path);
  if (!parsed.ok) return undefined;
  return parsed.segments.reduce<unknown>((node, segment) => step(node, segment), object);
}

function step(node: unknown, segment: YamlPathSegment): unknown {
  if (segment.kind === 'key') return isRecord(node) ? node[segment.key] : undefined;
  if (!Array.isArray(node)) return undefined;
  if (segment.kind === 'index') return node[segment.index];
  return node.find((item) => isRecord(item) && String(item[segment.field]) === segment.value);
}

/** Paths of every scalar under `value`, list items by index (routes have no unique names). */
function leafPaths(value: unknown, prefix: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, `${prefix}[${i}]`));
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => leafPaths(v, `${prefix}.${k}`));
  return [prefix];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b;
  if (typeof a === 'string' && typeof b === 'number') return a === String(b);
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (isRecord(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical(value[k])]),
    );
  return value;
}
