/** Maps a field path to the line and column of its node in the YAML source. */
import { isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { IssuePath } from './issue.js';

export interface Position {
  line: number;
  column: number;
}

/**
 * The position of the deepest node that exists along `path`. With `atKey`, of the key of the
 * last segment rather than its value. A path into a missing field resolves to the key of the
 * nearest existing parent, so "missing field" points at the mapping that lacks it.
 */
export function locate(doc: Document, lineCounter: LineCounter, path: IssuePath, atKey = false): Position {
  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  let resolved = true;
  for (const segment of path) {
    const next = child(node, segment);
    if (!next) {
      resolved = false;
      break;
    }
    node = next.value;
    keyNode = next.key;
  }
  const valueNode = isNode(node) ? node : undefined;
  const preferKey = atKey || !resolved || !valueNode;
  const target = (preferKey ? keyNode : valueNode) ?? valueNode;
  const offset = target?.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function child(node: unknown, segment: string | number): { key?: Node; value: unknown } | undefined {
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { value: item, key: isNode(item) ? item : undefined };
  }
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(key) === String(segment)) return { key: isNode(pair.key) ? pair.key : undefined, value: pair.value ?? undefined };
    }
  }
  return undefined;
}
