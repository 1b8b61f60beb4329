/**
 * Gateway API: the weights of two backendRefs of an HTTPRoute. In every rule that routes to
 * both the stable and the canary backend, stable gets `100 - weight` and canary `weight`.
 * Rules that name only one of them (e.g. a header match that pins testers to the canary) are
 * left alone.
 */
import { isMap, isSeq, type Document } from 'yaml';
import { ManifestEditError, type FieldEdit } from '../../manifests/yaml-edit.js';
import type { TrafficRoutingSpec } from '../../schema/pipeline.js';
import { asList, asRecord, canaryShare, describeRef, findObject, LiveWeightError, numberValue, refOf, type KubeObject } from './kube-object.js';
import {
  agreeingPair,
  checkWeight,
  documentName,
  editDocument,
  parseDocuments,
  selectDocument,
  selectObject,
  singleRef,
  type RoutingObjectKind,
} from './routing-file.js';
import type { FileTrafficRouter } from './traffic-router.js';

export type GatewayApiRouting = Extract<TrafficRoutingSpec, { kind: 'gatewayAPI' }>;

const HTTP_ROUTE: RoutingObjectKind = { kind: 'HTTPRoute', key: 'gatewayAPI', nameField: 'route' };

/** A backendRef without a weight gets 1 (the Gateway API default). */
const DEFAULT_WEIGHT = 1;

export const gatewayApiRouter: FileTrafficRouter<GatewayApiRouting> = {
  kind: 'gatewayAPI',
  setWeight(source, routing, weight, file) {
    checkWeight(weight, file);
    const doc = selectDocument(parseDocuments(source, file), HTTP_ROUTE, routing.route, between(routing), file);
    return editDocument(source, doc, weightEdits(doc, routing, weight, `HTTPRoute ${documentName(doc)} in ${file}`), file);
  },
  live: {
    objects(routing, desired) {
      return [refOf(selectObject(desired, HTTP_ROUTE, routing.file, routing.route, (o) => splits(o, routing).length > 0, between(routing)))];
    },
    read(routing, objects, refs) {
      const ref = singleRef(refs, HTTP_ROUTE);
      const route = findObject(objects, ref);
      if (route.kind !== HTTP_ROUTE.kind) throw new LiveWeightError(`${describeRef(ref)} is not an HTTPRoute`);
      const { stable, canary } = agreeingPair(splits(route, routing), describeRef(refOf(route)), between(routing));
      return { weight: canaryShare(stable, canary), parts: { [routing.stableBackend]: stable, [routing.canaryBackend]: canary } };
    },
  },
};

const between = (routing: GatewayApiRouting): string => `${routing.stableBackend} and ${routing.canaryBackend}`;

/** The stable and canary weights of each rule of `route` that routes to both. */
function splits(route: KubeObject, routing: GatewayApiRouting): { where: string; stable: number; canary: number }[] {
  return asList(asRecord(route.spec)?.rules).flatMap((rule, i) => {
    const refs = asList(asRecord(rule)?.backendRefs).map(asRecord);
    const stable = refs.find((r) => r?.name === routing.stableBackend);
    const canary = refs.find((r) => r?.name === routing.canaryBackend);
    if (!stable || !canary) return [];
    const weight = (ref: Record<string, unknown>, backend: string): number => {
      if (ref.weight === undefined || ref.weight === null) return DEFAULT_WEIGHT;
      const value = numberValue(ref.weight);
      if (value === undefined)
        throw new LiveWeightError(
          `backendRef ${backend} of ${describeRef(refOf(route))} (spec.rules[${i}]) has the weight ${JSON.stringify(ref.weight)}, which is not a number`,
        );
      return value;
    };
    return [{ where: `spec.rules[${i}]`, stable: weight(stable, routing.stableBackend), canary: weight(canary, routing.canaryBackend) }];
  });
}

function weightEdits(doc: Document, routing: GatewayApiRouting, weight: number, label: string): FieldEdit[] {
  const rules = doc.getIn(['spec', 'rules']);
  const edits: FieldEdit[] = [];
  const seen = { stable: false, canary: false };
  const items = isSeq(rules) ? rules.items : [];
  items.forEach((rule, i) => {
    const refs = isMap(rule) ? rule.get('backendRefs') : undefined;
    if (!isSeq(refs)) return;
    const names = refs.items.map((ref) => (isMap(ref) ? String(ref.get('name')) : undefined));
    const stable = names.indexOf(routing.stableBackend);
    const canary = names.indexOf(routing.canaryBackend);
    seen.stable ||= stable >= 0;
    seen.canary ||= canary >= 0;
    if (stable < 0 || canary < 0) return;
    for (const [j, backend, value] of [
      [stable, routing.stableBackend, 100 - weight],
      [canary, routing.canaryBackend, weight],
    ] as const) {
      const ref = refs.items[j];
      if (!isMap(ref) || !ref.has('weight')) {
        throw new ManifestEditError(
          `backendRef ${backend} of ${label} (spec.rules[${i}]) has no weight. Add "weight: ${value}" to it in the repository so that ramp can change it`,
        );
      }
      edits.push({ path: `spec.rules[${i}].backendRefs[${j}].weight`, value });
    }
  });
  if (edits.length > 0) return edits;
  const missing = [...(seen.stable ? [] : [['stableBackend', routing.stableBackend]]), ...(seen.canary ? [] : [['canaryBackend', routing.canaryBackend]])];
  const what =
    missing.length > 0
      ? `it has no backendRef ${missing.map(([, b]) => b).join(' or ')}`
      : `no rule routes to both ${routing.stableBackend} and ${routing.canaryBackend}`;
  const fix =
    missing.length > 0
      ? `Add the backendRef to the route, or correct trafficRouting.gatewayAPI.${missing.map(([k]) => k).join(' and ')}`
      : 'Put both backendRefs in the rule that serves the traffic';
  throw new ManifestEditError(`cannot set the canary weight in ${label}: ${what}. ${fix}`);
}
