/**
 * The weight a stage's traffic routing holds, read from plain Kubernetes objects (pure). To
 * check that the weight written to Git is live:
 *
 *   const desired = readKubeObjects(text, 'route.yaml');          // for each stage file
 *   const refs = routingObjects(routing, desired);                // what to GET
 *   const want = readWeight(routing, desired, refs);
 *   const live = readWeight(routing, await getAll(refs), refs);   // the objects from the cluster
 *   // want.weight === live.weight (or compare want.parts with live.parts)
 */
import { parseAllDocuments } from 'yaml';
import type { TrafficRoutingSpec } from '../../schema/pipeline.js';
import { asRecord, LiveWeightError, type KubeObject, type LiveWeight, type ObjectRef } from './kube-object.js';
import { liveReaderFor } from './registry.js';

/**
 * The objects that hold the routing's weight, found among the stage's desired objects (with
 * their `source` files): the HTTPRoute, VirtualService or TrafficSplit, or for replicaRatio
 * the stable and the canary workload. Throws LiveWeightError.
 */
export function routingObjects(routing: TrafficRoutingSpec, desired: readonly KubeObject[]): ObjectRef[] {
  return liveReaderFor(routing).objects(routing, desired);
}

/**
 * The weight held by the objects `refs` names, found among `objects` (desired or live).
 * `refs` defaults to routingObjects(routing, objects), which needs desired objects; for
 * objects read from a cluster pass the refs found in the desired ones. Throws LiveWeightError.
 */
export function readWeight(
  routing: TrafficRoutingSpec,
  objects: readonly KubeObject[],
  refs: readonly ObjectRef[] = routingObjects(routing, objects),
): LiveWeight {
  return liveReaderFor(routing).read(routing, objects, refs);
}

/**
 * The Kubernetes objects of a manifest file (`file` relative to the stage path), each with
 * `source: file`. Documents without apiVersion, kind and metadata.name (a kustomization, an
 * empty document) are skipped. Throws LiveWeightError on invalid YAML.
 */
export function readKubeObjects(source: string, file: string): KubeObject[] {
  const docs = parseAllDocuments(source);
  const list = Array.isArray(docs) ? docs : [];
  const broken = list.find((d) => d.errors.length > 0);
  if (broken) throw new LiveWeightError(`${file} is not valid YAML (${broken.errors[0]!.message.split('\n')[0]})`);
  return list.flatMap((doc) => {
    const value = asRecord(doc.toJS());
    const metadata = asRecord(value?.metadata);
    if (typeof value?.apiVersion !== 'string' || typeof value.kind !== 'string' || typeof metadata?.name !== 'string') return [];
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
    return [
      {
        apiVersion: value.apiVersion,
        kind: value.kind,
        metadata: namespace === undefined ? { name: metadata.name } : { name: metadata.name, namespace },
        ...(value.spec === undefined ? {} : { spec: value.spec }),
        ...(value.status === undefined ? {} : { status: value.status }),
        source: file,
      },
    ];
  });
}
