/**
 * What the file routers (Gateway API, Istio, SMI) share: finding the one routing object a
 * routing names, in a file's YAML documents or among plain objects, and editing one document
 * of a multi-document file surgically.
 */
import { parseAllDocuments, type Document } from 'yaml';
import { editYaml, ManifestEditError, type FieldEdit } from '../../manifests/yaml-edit.js';
import { describeRef, fromFile, LiveWeightError, refOf, type KubeObject } from './kube-object.js';

/** How a routing names its object: the manifest kind, its `trafficRouting` key, the name field. */
export interface RoutingObjectKind {
  /** `HTTPRoute` */
  kind: string;
  /** `gatewayAPI` */
  key: string;
  /** `route`: the routing field holding the object's metadata.name. */
  nameField: string;
}

/** A canary weight is a whole percentage; `where` names the file(s) for the message. */
export function checkWeight(weight: number, where: string): void {
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
    throw new ManifestEditError(`cannot set a canary weight of ${weight} in ${where}: a weight is a whole percentage from 0 to 100`);
  }
}

/** The file's YAML documents; a syntax error is reported by the YAML editor, with its location. */
export function parseDocuments(source: string, file: string): Document[] {
  const docs = parseAllDocuments(source);
  if (Array.isArray(docs) && docs.every((d) => d.errors.length === 0)) return docs;
  editYaml(source, [], file);
  throw new ManifestEditError(`${file} is not valid YAML. Fix the file in the repository`);
}

export function documentName(doc: Document): string {
  const name = doc.getIn(['metadata', 'name']);
  return typeof name === 'string' ? name : '(unnamed)';
}

/**
 * The document of kind `what.kind` named `name`, or the only one of its kind when `name` is
 * not given. `between` names the two tracks for the message (`web-stable and web-canary`).
 */
export function selectDocument(docs: readonly Document[], what: RoutingObjectKind, name: string | undefined, between: string, file: string): Document {
  const { kind, key, nameField } = what;
  const found = docs.filter((d) => d.get('kind') === kind);
  const names = found.map(documentName);
  if (name !== undefined) {
    const index = names.indexOf(name);
    if (index >= 0) return found[index]!;
    throw new ManifestEditError(
      `${file} holds no ${kind} named ${name}${names.length > 0 ? ` (it holds ${names.join(', ')})` : ''}. ` +
        `Correct trafficRouting.${key}.${nameField}, or point trafficRouting.${key}.file at the file that holds the ${kind}`,
    );
  }
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new ManifestEditError(`${file} holds no ${kind}. Point trafficRouting.${key}.file at the file of the ${kind} that splits traffic between ${between}`);
  }
  throw new ManifestEditError(`${file} holds ${found.length} ${kind}s (${names.join(', ')}). Name the one ramp edits in trafficRouting.${key}.${nameField}`);
}

/** Applies `edits` (paths relative to `doc`) to the text of `doc` only; the rest of `source` stays as it is. */
export function editDocument(source: string, doc: Document, edits: readonly FieldEdit[], file: string): string {
  const range = doc.contents?.range;
  if (!range) throw new ManifestEditError(`${doc.get('kind') as string} ${documentName(doc)} in ${file} is empty`);
  const [start, , end] = range;
  return source.slice(0, start) + editYaml(source.slice(start, end), edits, file) + source.slice(end);
}

/**
 * The routing object among `objects`: of kind `what.kind`, from `file` when the objects carry
 * their source files, named `name` when given, else the only one for which `routesBoth` holds.
 */
export function selectObject(
  objects: readonly KubeObject[],
  what: RoutingObjectKind,
  file: string,
  name: string | undefined,
  routesBoth: (object: KubeObject) => boolean,
  between: string,
): KubeObject {
  const { kind, key, nameField } = what;
  const sourced = objects.some((o) => o.source !== undefined);
  const where = sourced ? `among the objects of ${file}` : 'among the objects';
  const ofKind = (sourced ? fromFile(objects, file) : objects).filter((o) => o.kind === kind);
  const list = (found: readonly KubeObject[]) => found.map((o) => describeRef(refOf(o))).join(', ');
  if (name !== undefined) {
    const named = ofKind.filter((o) => o.metadata.name === name);
    if (named.length === 1) return named[0]!;
    if (named.length === 0) {
      throw new LiveWeightError(
        `there is no ${kind} named ${name} ${where}${ofKind.length > 0 ? ` (there are ${list(ofKind)})` : ''}. Correct trafficRouting.${key}.${nameField} or trafficRouting.${key}.file`,
      );
    }
    throw new LiveWeightError(
      `there are ${named.length} ${kind}s named ${name} ${where} (${list(named)}), and trafficRouting.${key} cannot say which. Keep one ${kind} of that name in the stage`,
    );
  }
  const routing = ofKind.filter(routesBoth);
  if (routing.length === 1) return routing[0]!;
  if (routing.length === 0) {
    throw new LiveWeightError(
      ofKind.length === 0
        ? `there is no ${kind} ${where}. Point trafficRouting.${key}.file at the file of the ${kind} that splits traffic between ${between}`
        : `no ${kind} ${where} routes to both ${between} (there ${ofKind.length === 1 ? 'is' : 'are'} ${list(ofKind)}). Route to both in one of them`,
    );
  }
  throw new LiveWeightError(
    `${routing.length} ${kind}s ${where} route to both ${between} (${list(routing)}). Name the one ramp edits in trafficRouting.${key}.${nameField}`,
  );
}

/** The single ref `read` expects of a file router. */
export function singleRef<T>(refs: readonly T[], what: RoutingObjectKind): T {
  if (refs.length !== 1)
    throw new LiveWeightError(
      `trafficRouting.${what.key} reads one ${what.kind}, but ${refs.length} objects were named. Pass the refs that objects() returned`,
    );
  return refs[0]!;
}

/**
 * The pair of weights every selected rule/route holds. They must agree: ramp writes them all
 * alike, so a difference means someone else changed the object.
 */
export function agreeingPair(
  pairs: readonly { where: string; stable: number; canary: number }[],
  label: string,
  between: string,
): { stable: number; canary: number } {
  const first = pairs[0];
  if (first === undefined) throw new LiveWeightError(`${label} routes to both ${between} nowhere`);
  const other = pairs.find((p) => p.stable !== first.stable || p.canary !== first.canary);
  if (other) {
    throw new LiveWeightError(
      `${label} splits traffic differently in ${first.where} (${first.stable}/${first.canary}) and ${other.where} (${other.stable}/${other.canary}). ` +
        'ramp writes every split alike; something else changed the object',
    );
  }
  return { stable: first.stable, canary: first.canary };
}
