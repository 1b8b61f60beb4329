/**
 * Istio: the weights of two destinations of a VirtualService (networking.istio.io). In every
 * `spec.http` route (or only those named in `routes`) whose `route` list has both the stable
 * and the canary destination, stable gets `100 - weight` and canary `weight`. A destination
 * matches by `host`, and by `subset` when the routing gives one. Routes that name only one of
 * them (e.g. a header match that pins testers to the canary) are left alone.
 */
import type { Document } from 'yaml';
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

export type IstioRouting = Extract<TrafficRoutingSpec, { kind: 'istio' }>;
type Destination = IstioRouting['stable'];

const VIRTUAL_SERVICE: RoutingObjectKind = { kind: 'VirtualService', key: 'istio', nameField: 'virtualService' };

/** `web-canary`, or `web/v2` with a subset: how messages and LiveWeight.parts name a destination. */
export function destinationLabel(destination: Destination): string {
  return destination.subset === undefined ? destination.host : `${destination.host}/${destination.subset}`;
}

export const istioRouter: FileTrafficRouter<IstioRouting> = {
  kind: 'istio',
  setWeight(source, routing, weight, file) {
    checkWeight(weight, file);
    const doc = selectDocument(parseDocuments(source, file), VIRTUAL_SERVICE, routing.virtualService, between(routing), file);
    return editDocument(source, doc, weightEdits(doc, routing, weight, `VirtualService ${documentName(doc)} in ${file}`), file);
  },
  live: {
    objects(routing, desired) {
      const routesBoth = (o: KubeObject) => httpRoutes(o.spec, routing).some((r) => r.stable.length > 0 && r.canary.length > 0);
      return [refOf(selectObject(desired, VIRTUAL_SERVICE, routing.file, routing.virtualService, routesBoth, between(routing)))];
    },
    read(routing, objects, refs) {
      const ref = singleRef(refs, VIRTUAL_SERVICE);
      const service = findObject(objects, ref);
      if (service.kind !== VIRTUAL_SERVICE.kind) throw new LiveWeightError(`${describeRef(ref)} is not a VirtualService`);
      const label = describeRef(refOf(service));
      const pairs = httpRoutes(service.spec, routing).flatMap((route) => {
        if (route.stable.length === 0 || route.canary.length === 0) return [];
        const [stable, canary] = pick(route, routing, label, (message) => new LiveWeightError(message));
        // An Istio destination without a weight gets 0 (the API's default) when the route has several.
        const weightOf = (j: number): number => {
          const value = route.entries[j]!.weight;
          if (value === undefined || value === null) return 0;
          const number = numberValue(value);
          if (number === undefined)
            throw new LiveWeightError(`destination ${j} of ${label} (${route.where}) has the weight ${JSON.stringify(value)}, which is not a number`);
          return number;
        };
        return [{ where: route.where, stable: weightOf(stable), canary: weightOf(canary) }];
      });
      const { stable, canary } = agreeingPair(pairs, label, between(routing));
      return { weight: canaryShare(stable, canary), parts: { [destinationLabel(routing.stable)]: stable, [destinationLabel(routing.canary)]: canary } };
    },
  },
};

const between = (routing: IstioRouting): string => `${destinationLabel(routing.stable)} and ${destinationLabel(routing.canary)}`;

interface HttpRoute {
  index: number;
  name: string | undefined;
  /** `spec.http[1] "primary"`, for messages. */
  where: string;
  entries: Record<string, unknown>[];
  /** Indexes into `entries` of the destinations that match the stable / the canary. */
  stable: number[];
  canary: number[];
}

function matches(entry: Record<string, unknown>, want: Destination): boolean {
  const destination = asRecord(entry.destination);
  return destination?.host === want.host && (want.subset === undefined || destination.subset === want.subset);
}

/** The spec's http routes that the routing selects (all, or those named in `routes`). */
function httpRoutes(spec: unknown, routing: IstioRouting): HttpRoute[] {
  return asList(asRecord(spec)?.http).flatMap((item, index) => {
    const http = asRecord(item);
    const name = typeof http?.name === 'string' ? http.name : undefined;
    if (routing.routes !== undefined && (name === undefined || !routing.routes.includes(name))) return [];
    const entries = asList(http?.route).map((e) => asRecord(e) ?? {});
    const where = `spec.http[${index}]${name === undefined ? '' : ` "${name}"`}`;
    const which = (want: Destination) => entries.flatMap((e, j) => (matches(e, want) ? [j] : []));
    return [{ index, name, where, entries, stable: which(routing.stable), canary: which(routing.canary) }];
  });
}

/** The stable and canary entry of a route that has both; refuses a route where either is ambiguous. */
function pick(route: HttpRoute, routing: IstioRouting, label: string, fail: (message: string) => Error): [number, number] {
  for (const [role, found] of [
    ['stable', route.stable],
    ['canary', route.canary],
  ] as const) {
    if (found.length > 1) {
      throw fail(
        `${found.length} destinations of ${label} (${route.where}, route[${found.join('], route[')}]) match the ${role} destination ${destinationLabel(routing[role])}. ` +
          `Give trafficRouting.istio.${role} the subset that tells them apart`,
      );
    }
  }
  const [stable, canary] = [route.stable[0]!, route.canary[0]!];
  if (stable === canary) {
    throw fail(
      `destination route[${stable}] of ${label} (${route.where}) matches both the stable and the canary destination. ` +
        'Give trafficRouting.istio.stable and canary different hosts or subsets',
    );
  }
  return [stable, canary];
}

function weightEdits(doc: Document, routing: IstioRouting, weight: number, label: string): FieldEdit[] {
  const spec = asRecord(doc.toJS())?.spec;
  const routes = httpRoutes(spec, routing);
  if (routing.routes !== undefined) {
    const names = new Set(routes.map((r) => r.name));
    const unknown = routing.routes.filter((name) => !names.has(name));
    if (unknown.length > 0) {
      const all = asList(asRecord(spec)?.http).flatMap((h) => {
        const name = asRecord(h)?.name;
        return typeof name === 'string' ? [name] : [];
      });
      throw new ManifestEditError(
        `${label} has no http route named ${unknown.join(' or ')} (${all.length > 0 ? `its named http routes are ${all.join(', ')}` : 'none of its http routes has a name'}). ` +
          'Correct trafficRouting.istio.routes, or leave routes out to edit every route that has both destinations',
      );
    }
  }
  const edits: FieldEdit[] = [];
  for (const route of routes) {
    const missing = [...(route.stable.length > 0 ? [] : [routing.stable]), ...(route.canary.length > 0 ? [] : [routing.canary])];
    if (missing.length > 0) {
      if (routing.routes === undefined) continue;
      throw new ManifestEditError(
        `cannot set the canary weight in ${label}: http route ${route.name} (${route.where}) has no destination ${missing.map(destinationLabel).join(' or ')}. ` +
          `Route it to both ${between(routing)}, or leave it out of trafficRouting.istio.routes`,
      );
    }
    const [stable, canary] = pick(route, routing, label, (message) => new ManifestEditError(`cannot set the canary weight: ${message}`));
    for (const [j, destination, value] of [
      [stable, routing.stable, 100 - weight],
      [canary, routing.canary, weight],
    ] as const) {
      if (!('weight' in route.entries[j]!)) {
        throw new ManifestEditError(
          `destination ${destinationLabel(destination)} of ${label} (${route.where}) has no weight. ` +
            `Add "weight: ${value}" beside its destination (in route[${j}]) in the repository so that ramp can change it`,
        );
      }
      edits.push({ path: `spec.http[${route.index}].route[${j}].weight`, value });
    }
  }
  if (edits.length > 0) return edits;
  const seen = { stable: routes.some((r) => r.stable.length > 0), canary: routes.some((r) => r.canary.length > 0) };
  const missing = [...(seen.stable ? [] : [['stable', routing.stable] as const]), ...(seen.canary ? [] : [['canary', routing.canary] as const])];
  const what =
    missing.length > 0
      ? `no http route has the destination ${missing.map(([, d]) => destinationLabel(d)).join(' or ')}`
      : `no http route routes to both ${between(routing)}`;
  const fix =
    missing.length > 0
      ? `Add the destination to the route, or correct trafficRouting.istio.${missing.map(([k]) => k).join(' and ')}`
      : 'Put both destinations in the http route that serves the traffic';
  throw new ManifestEditError(`cannot set the canary weight in ${label}: ${what}. ${fix}`);
}
