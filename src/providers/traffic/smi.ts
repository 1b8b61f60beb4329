/**
 * SMI (split.smi-spec.io): the weights of two `spec.backends` entries of a TrafficSplit. The
 * stable backend gets `100 - weight`, the canary `weight`; other backends are left alone.
 */
import { isMap, isSeq, type Document } from 'yaml';
import { ManifestEditError, type FieldEdit } from '../../manifests/yaml-edit.js';
import type { TrafficRoutingSpec } from '../../schema/pipeline.js';
import { asList, asRecord, canaryShare, describeRef, findObject, LiveWeightError, numberValue, refOf, type KubeObject } from './kube-object.js';
import { checkWeight, documentName, editDocument, parseDocuments, selectDocument, selectObject, singleRef, type RoutingObjectKind } from './routing-file.js';
import type { FileTrafficRouter } from './traffic-router.js';

export type SmiRouting = Extract<TrafficRoutingSpec, { kind: 'smi' }>;

const TRAFFIC_SPLIT: RoutingObjectKind = { kind: 'TrafficSplit', key: 'smi', nameField: 'trafficSplit' };

export const smiRouter: FileTrafficRouter<SmiRouting> = {
  kind: 'smi',
  setWeight(source, routing, weight, file) {
    checkWeight(weight, file);
    const doc = selectDocument(parseDocuments(source, file), TRAFFIC_SPLIT, routing.trafficSplit, between(routing), file);
    return editDocument(source, doc, weightEdits(doc, routing, weight, `TrafficSplit ${documentName(doc)} in ${file}`), file);
  },
  live: {
    objects(routing, desired) {
      return [refOf(selectObject(desired, TRAFFIC_SPLIT, routing.file, routing.trafficSplit, (o) => backends(o, routing) !== undefined, between(routing)))];
    },
    read(routing, objects, refs) {
      const ref = singleRef(refs, TRAFFIC_SPLIT);
      const split = findObject(objects, ref);
      if (split.kind !== TRAFFIC_SPLIT.kind) throw new LiveWeightError(`${describeRef(ref)} is not a TrafficSplit`);
      const found = backends(split, routing);
      if (!found) throw new LiveWeightError(`${describeRef(refOf(split))} has no backend ${between(routing)} in spec.backends`);
      const { stable, canary } = found;
      return { weight: canaryShare(stable, canary), parts: { [routing.stableBackend]: stable, [routing.canaryBackend]: canary } };
    },
  },
};

const between = (routing: SmiRouting): string => `${routing.stableBackend} and ${routing.canaryBackend}`;

/** The two backends' weights; undefined unless the split has both. A missing weight is 0. */
function backends(split: KubeObject, routing: SmiRouting): { stable: number; canary: number } | undefined {
  const entries = asList(asRecord(split.spec)?.backends).map(asRecord);
  const weightOf = (service: string): number | undefined => {
    const entry = entries.find((b) => b?.service === service);
    if (!entry) return undefined;
    if (entry.weight === undefined || entry.weight === null) return 0;
    const value = numberValue(entry.weight);
    if (value === undefined)
      throw new LiveWeightError(`backend ${service} of ${describeRef(refOf(split))} has the weight ${JSON.stringify(entry.weight)}, which is not a number`);
    return value;
  };
  const stable = weightOf(routing.stableBackend);
  const canary = weightOf(routing.canaryBackend);
  return stable === undefined || canary === undefined ? undefined : { stable, canary };
}

function weightEdits(doc: Document, routing: SmiRouting, weight: number, label: string): FieldEdit[] {
  const list = doc.getIn(['spec', 'backends']);
  const items = isSeq(list) ? list.items : [];
  const services = items.map((b) => (isMap(b) ? String(b.get('service')) : undefined));
  const stable = services.indexOf(routing.stableBackend);
  const canary = services.indexOf(routing.canaryBackend);
  const missing = [...(stable >= 0 ? [] : [['stableBackend', routing.stableBackend]]), ...(canary >= 0 ? [] : [['canaryBackend', routing.canaryBackend]])];
  if (missing.length > 0) {
    throw new ManifestEditError(
      `cannot set the canary weight in ${label}: it has no backend ${missing.map(([, b]) => b).join(' or ')} in spec.backends. ` +
        `Add the backend to the TrafficSplit, or correct trafficRouting.smi.${missing.map(([k]) => k).join(' and ')}`,
    );
  }
  return (
    [
      [stable, routing.stableBackend, 100 - weight],
      [canary, routing.canaryBackend, weight],
    ] as const
  ).map(([j, service, value]) => {
    const entry = items[j];
    if (!isMap(entry) || !entry.has('weight')) {
      throw new ManifestEditError(
        `backend ${service} of ${label} (spec.backends[${j}]) has no weight. Add "weight: ${value}" to it in the repository so that ramp can change it`,
      );
    }
    return { path: `spec.backends[${j}].weight`, value };
  });
}
