/**
 * Gateway API: the weights of two backendRefs of an HTTPRoute. In every rule that routes to
 * both the stable and the canary backend, stable gets `100 - weight` and canary `weight`.
 * Rules that name only one of them (e.g. a header match that pins testers to the canary) are
 * left alone.
 */
import { isMap, isSeq, parseAllDocuments, type Document } from 'yaml';
import { editYaml, ManifestEditError, type FieldEdit } from '../../manifests/yaml-edit.js';
import type { TrafficRoutingSpec } from '../../schema/pipeline.js';
import type { TrafficRouter } from './traffic-router.js';

export type GatewayApiRouting = Extract<TrafficRoutingSpec, { kind: 'gatewayAPI' }>;

export const gatewayApiRouter: TrafficRouter<GatewayApiRouting> = {
  kind: 'gatewayAPI',
  setWeight(source, routing, weight, file) {
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw new ManifestEditError(`cannot set a canary weight of ${weight} in ${file}: a weight is a whole percentage from 0 to 100`);
    }
    const docs = parseAllDocuments(source);
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) {
      // editYaml reports the parse error with its location.
      return editYaml(source, [], file);
    }
    const doc = findRoute(docs, routing, file);
    const name = routeName(doc);
    const edits = weightEdits(doc, routing, weight, `HTTPRoute ${name} in ${file}`);
    const range = doc.contents?.range;
    if (!range) throw new ManifestEditError(`HTTPRoute ${name} in ${file} is empty`);
    const [start, , end] = range;
    return source.slice(0, start) + editYaml(source.slice(start, end), edits, file) + source.slice(end);
  },
};

function routeName(doc: Document): string {
  const name = doc.getIn(['metadata', 'name']);
  return typeof name === 'string' ? name : '(unnamed)';
}

function findRoute(docs: Document[], routing: GatewayApiRouting, file: string): Document {
  const routes = docs.filter((d) => d.get('kind') === 'HTTPRoute');
  const names = routes.map(routeName);
  if (routing.route !== undefined) {
    const index = names.indexOf(routing.route);
    if (index >= 0) return routes[index]!;
    throw new ManifestEditError(
      `${file} holds no HTTPRoute named ${routing.route}${names.length > 0 ? ` (it holds ${names.join(', ')})` : ''}. ` +
        'Correct trafficRouting.gatewayAPI.route, or point trafficRouting.gatewayAPI.file at the file that holds the route',
    );
  }
  if (routes.length === 1) return routes[0]!;
  if (routes.length === 0) {
    throw new ManifestEditError(
      `${file} holds no HTTPRoute. Point trafficRouting.gatewayAPI.file at the file of the HTTPRoute that splits traffic between ${routing.stableBackend} and ${routing.canaryBackend}`,
    );
  }
  throw new ManifestEditError(`${file} holds ${routes.length} HTTPRoutes (${names.join(', ')}). Name the one ramp edits in trafficRouting.gatewayAPI.route`);
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
    for (const [j, backend, value] of [[stable, routing.stableBackend, 100 - weight], [canary, routing.canaryBackend, weight]] as const) {
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
  const missing = [
    ...(seen.stable ? [] : [['stableBackend', routing.stableBackend]]),
    ...(seen.canary ? [] : [['canaryBackend', routing.canaryBackend]]),
  ];
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
