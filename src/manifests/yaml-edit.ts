/**
 * Surgical edits of user-owned YAML: each edit replaces the text of one scalar in place, so
 * comments, key order, quoting and formatting stay byte-identical everywhere else. A
 * promotion's diff is exactly the lines it meant to change.
 */
import { isMap, isPair, isScalar, isSeq, parse, parseAllDocuments, Scalar, type Document } from 'yaml';
import { parseYamlPath, type YamlPathSegment } from '../domain/yaml-path.js';

/** A manifest could not be edited as the pipeline asked. The message names file, field and fix. */
export class ManifestEditError extends Error {
  override readonly name = 'ManifestEditError';
}

export interface FieldEdit {
  /** A YAML path (`spec.template.spec.containers[name=web].image`). */
  path: string;
  value: string | number;
}

interface Located {
  start: number;
  end: number;
  node: Scalar;
}

/** Applies `edits` to `source`; `file` only labels errors. Throws ManifestEditError. */
export function editYaml(source: string, edits: readonly FieldEdit[], file: string): string {
  const docs = parseAllDocuments(source);
  if (!Array.isArray(docs)) throw new ManifestEditError(`${file} holds no YAML documents`);
  const broken = docs.find((doc) => doc.errors.length > 0);
  if (broken) throw new ManifestEditError(`${file} is not valid YAML (${broken.errors[0]!.message.split('\n')[0]}). Fix the file in the repository`);

  const replacements = edits.map((edit) => {
    const target = locateScalar(docs, edit.path, file);
    return { ...target, text: renderScalar(target.node, edit.value) };
  });
  replacements.sort((a, b) => b.start - a.start);
  let out = source;
  for (const r of replacements) out = out.slice(0, r.start) + r.text + out.slice(r.end);
  return out;
}

/** A Kubernetes object in a multi-document file, by kind and metadata.name. */
export interface ObjectSelector {
  kind: string;
  name: string;
}

/**
 * Like editYaml, but only inside the document that holds `object` (a file may hold several
 * objects with the same fields). Throws ManifestEditError when no document is that object.
 */
export function editYamlObject(source: string, object: ObjectSelector, edits: readonly FieldEdit[], file: string): string {
  const docs = parseAllDocuments(source);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return editYaml(source, edits, file); // reports the parse error
  const doc = docs.find((d) => d.get('kind') === object.kind && d.getIn(['metadata', 'name']) === object.name);
  const range = doc?.contents?.range;
  if (!range)
    throw new ManifestEditError(
      `${file} holds no ${object.kind} named ${object.name}; it may come from elsewhere (a base, a generator). Edit it where it is defined`,
    );
  const [start, , end] = range;
  return source.slice(0, start) + editYaml(source.slice(start, end), edits, file) + source.slice(end);
}

/** Reads the scalar value at `path`, or undefined when no document has it. */
export function readYamlField(source: string, path: string): unknown {
  const docs = parseAllDocuments(source);
  if (!Array.isArray(docs)) return undefined;
  const parsed = parseYamlPath(path);
  if (!parsed.ok) return undefined;
  for (const doc of docs) {
    const node = resolve(doc, parsed.segments);
    if (isScalar(node)) return node.value;
  }
  return undefined;
}

function locateScalar(docs: Document[], path: string, file: string): Located {
  const parsed = parseYamlPath(path);
  if (!parsed.ok) throw new ManifestEditError(`cannot edit ${file}: ${parsed.error}`);
  for (const doc of docs) {
    const node = resolve(doc, parsed.segments);
    if (node === undefined) continue;
    if (!isScalar(node) || !node.range) {
      throw new ManifestEditError(
        `cannot set ${path} in ${file}: it holds a ${isMap(node) ? 'mapping' : isSeq(node) ? 'list' : 'non-scalar'}, not a value. Point the path at a single field`,
      );
    }
    return { start: node.range[0], end: node.range[1], node };
  }
  throw new ManifestEditError(`cannot set ${path} in ${file}: no such field. Add the field to the file, or correct the path in the pipeline`);
}

function resolve(doc: Document, segments: readonly YamlPathSegment[]): unknown {
  let node: unknown = doc.contents;
  for (const segment of segments) {
    if (segment.kind === 'key') {
      if (!isMap(node)) return undefined;
      const pair = node.items.find((p) => isPair(p) && scalarText(p.key) === segment.key);
      node = pair?.value ?? undefined;
    } else if (segment.kind === 'index') {
      if (!isSeq(node)) return undefined;
      node = node.items[segment.index];
    } else {
      if (!isSeq(node)) return undefined;
      node = node.items.find((item) => {
        if (!isMap(item)) return false;
        const pair = item.items.find((p) => isPair(p) && scalarText(p.key) === segment.field);
        return pair !== undefined && scalarText(pair.value) === segment.value;
      });
    }
    if (node === undefined || node === null) return undefined;
  }
  return node;
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) ? String(node.value) : undefined;
}

/** The new value in the style of the old one: plain stays plain when it reads back the same. */
function renderScalar(old: Scalar, value: string | number): string {
  if (typeof value === 'number') return String(value);
  switch (old.type) {
    case Scalar.QUOTE_SINGLE:
      return `'${value.replaceAll("'", "''")}'`;
    case Scalar.QUOTE_DOUBLE:
      return JSON.stringify(value);
    default:
      return isSafePlain(value) ? value : JSON.stringify(value);
  }
}

function isSafePlain(value: string): boolean {
  if (value === '' || /^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(value) || /[\n#]|: |\s$/.test(value)) return false;
  try {
    return parse(value) === value;
  } catch {
    return false;
  }
}
