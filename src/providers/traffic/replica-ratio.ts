/**
 * replicaRatio: no router object. A Service selects both the stable and the canary workload,
 * so traffic follows the replicas: the canary workload gets ceil(replicas * weight / 100)
 * replicas and the stable one the rest (src/domain/plan.ts, replicaSplit). Two plain field
 * edits, one per workload file.
 */
import { replicaSplit } from '../../domain/stage-writes.js';
import type { TrafficRoutingSpec } from '../../schema/pipeline.js';
import {
  canaryShare,
  describeRef,
  findObject,
  fromFile,
  LiveWeightError,
  numberValue,
  refOf,
  valueAtPath,
  type KubeObject,
  type ObjectRef,
} from './kube-object.js';
import { checkWeight } from './routing-file.js';
import type { FieldTrafficRouter } from './traffic-router.js';

export type ReplicaRatioRouting = Extract<TrafficRoutingSpec, { kind: 'replicaRatio' }>;

export const replicaRatioRouter: FieldTrafficRouter<ReplicaRatioRouting> = {
  kind: 'replicaRatio',
  fieldEdits(routing, weight) {
    checkWeight(weight, `${routing.stableFile} and ${routing.canaryFile}`);
    const { stable, canary } = replicaSplit(routing.replicas, weight);
    return [
      { file: routing.stableFile, field: { path: routing.path, value: stable }, what: `${routing.path} (the stable replicas)` },
      { file: routing.canaryFile, field: { path: routing.path, value: canary }, what: `${routing.path} (the canary replicas)` },
    ];
  },
  live: {
    /** The stable and the canary workload, in that order: in each file, the first object with `path` (the one ramp edits). */
    objects(routing, desired) {
      if (!desired.some((o) => o.source !== undefined)) {
        throw new LiveWeightError(
          'the objects carry no source file, so ramp cannot tell which workloads replicaRatio.stableFile and canaryFile hold. Set source on the objects read from the stage',
        );
      }
      const [stable, canary] = (['stableFile', 'canaryFile'] as const).map((key) => {
        const inFile = fromFile(desired, routing[key]);
        const workload = inFile.find((o) => valueAtPath(o, routing.path) !== undefined);
        if (workload) return refOf(workload);
        throw new LiveWeightError(
          `${routing[key]} holds no object with ${routing.path}${inFile.length > 0 ? ` (it holds ${inFile.map((o) => describeRef(refOf(o))).join(', ')})` : ''}. ` +
            `Correct trafficRouting.replicaRatio.${key} or path`,
        );
      });
      if (stable!.kind === canary!.kind && stable!.name === canary!.name) {
        throw new LiveWeightError(
          `replicaRatio.stableFile and canaryFile both hold ${describeRef(stable!)}. The stable and the canary are two workloads with different names`,
        );
      }
      return [stable!, canary!];
    },
    read(routing, objects, refs) {
      if (refs.length !== 2)
        throw new LiveWeightError(
          `trafficRouting.replicaRatio reads two workloads (stable, canary), but ${refs.length} were named. Pass the refs that objects() returned`,
        );
      const [stable, canary] = [replicasOf(objects, refs[0]!, routing), replicasOf(objects, refs[1]!, routing)];
      return { weight: canaryShare(stable.replicas, canary.replicas), parts: { [stable.name]: stable.replicas, [canary.name]: canary.replicas } };
    },
  },
};

function replicasOf(objects: readonly KubeObject[], ref: ObjectRef, routing: ReplicaRatioRouting): { name: string; replicas: number } {
  const workload = findObject(objects, ref);
  const label = describeRef(refOf(workload));
  const value = valueAtPath(workload, routing.path);
  const replicas = numberValue(value);
  if (replicas === undefined) {
    throw new LiveWeightError(
      value === undefined
        ? `${label} has no ${routing.path}. Correct trafficRouting.replicaRatio.path`
        : `${routing.path} of ${label} is ${JSON.stringify(value)}, not a replica count`,
    );
  }
  return { name: ref.name, replicas };
}
