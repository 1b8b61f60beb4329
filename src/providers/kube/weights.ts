/**
 * The traffic routers' weights, desired (Git, at the commit) against live (the cluster): the
 * routers' pure readers (src/providers/traffic/live-weight.ts) applied to both.
 */
import { LiveWeightError, type KubeObject as TrafficObject, type ObjectRef } from '../traffic/kube-object.js';
import { readWeight, routingObjects } from '../traffic/live-weight.js';
import type { TrafficRoutingSpec } from '../../schema/pipeline.js';
import type { DesiredObject } from './objects.js';
import type { WeightCheck } from './stage-sync.js';

export function weightCheckFor(routing: TrafficRoutingSpec): WeightCheck {
  const refsOf = (desired: DesiredObject[]): ObjectRef[] => routingObjects(routing, desired.map(fromGit));
  return {
    objects(desired) {
      return refsOf(desired).map((ref) => ({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
      }));
    },
    difference(desired, live) {
      const refs = refsOf(desired);
      const want = readWeight(routing, desired.map(fromGit), refs);
      let have;
      try {
        have = readWeight(routing, live, refs);
      } catch (err) {
        if (err instanceof LiveWeightError) return `the live objects do not hold the weights: ${err.message}`;
        throw err;
      }
      const same = Object.keys({ ...want.parts, ...have.parts }).every((k) => want.parts[k] === have.parts[k]);
      return same ? null : `Git says ${formatParts(want.parts)} (canary ${want.weight}%), the cluster ${formatParts(have.parts)} (canary ${have.weight}%)`;
    },
  };
}

/** A desired object as the routers read it: with the file it came from (routers pick by file). */
function fromGit({ object, source }: DesiredObject): TrafficObject {
  return { ...object, ...(source ? { source } : {}) };
}

function formatParts(parts: Record<string, number>): string {
  return Object.entries(parts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
