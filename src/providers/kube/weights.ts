/**
 * The traffic routers' weights, desired (Git, at the commit) against live (the cluster): the
 * routers' pure readers (src/providers/traffic/live-weight.ts) applied to both.
 */
import { LiveWeightError, type KubeObject as TrafficObject, type ObjectRef } from '../traffic/kube-object.js';
import { readWeight, routingObjects } from '../traffic/live-weight.js';
import type { TrafficRoutingSpec } from '../../schema/pipeline.js';
import type { DesiredObject, KubeObject } from './objects.js';
import type { WeightCheck } from './stage-sync.js';

export function weightCheckFor(routing: TrafficRoutingSpec): WeightCheck {
  const refsOf = (desired: DesiredObject[]): ObjectRef[] => routingObjects(routing, desired.map(asTrafficObject));
  return {
    objects(desired) {
      return refsOf(desired).map((ref) => ({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } }));
    },
    difference(desired, live) {
      const refs = refsOf(desired);
      const want = readWeight(routing, desired.map(asTrafficObject), refs);
      let have;
      try {
        have = readWeight(routing, live.map(asTrafficObject), refs);
      } catch (err) {
        if (err instanceof LiveWeightError) return `the live objects do not hold the weights: ${err.message}`;
        throw err;
      }
      const same = Object.keys({ ...want.parts, ...have.parts }).every((k) => want.parts[k] === have.parts[k]);
      return same ? null : `Git says ${formatParts(want.parts)} (canary ${want.weight}%), the cluster ${formatParts(have.parts)} (canary ${have.weight}%)`;
    },
  };
}

function asTrafficObject(o: DesiredObject | KubeObject): TrafficObject {
  const desired = isDesired(o);
  const object: KubeObject = desired ? o.object : o;
  const source = desired ? o.source : null;
  return { ...object, ...(source ? { source } : {}) };
}

function isDesired(o: DesiredObject | KubeObject): o is DesiredObject {
  return 'object' in o && typeof o.object === 'object' && o.object !== null && 'kind' in o.object;
}

function formatParts(parts: Record<string, number>): string {
  return Object.entries(parts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
