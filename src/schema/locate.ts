/** Maps a field path to the line and column of its node in the YAML source. */
import { isMap, isNode, isPair, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import { keyName } from './inspect.js';
import type { IssuePath } from './issue.js';

export interface Position {
  line: number;
  column: number;
}

/**
 * Locates paths in one document. Each mapping's keys are indexed on first use, so locating
 * every finding costs time linear in the findings and the path lengths, not in the keys.
 */
export class Locator {
  private readonly keys = new WeakMap<object, Map<string, Pair>>();

  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /**
   * The position of the deepest node that exists along `path`. With `atKey`, of the key of the
   * last segment rather than its value. A path into a missing field resolves to the key of the
   * nearest existing parent, so "missing field" points at the mapping that lacks it.
   */
  locate(path: IssuePath, atKey = false): Position {
    let node: unknown = this.doc.contents;
    let keyNode: Node | undefined;
    let resolved = true;
    for (const segment of path) {
      const next = this.child(node, segment);
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
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  private child(node: unknown, segment: string | number): { key?: Node; value: unknown } | undefined {
    if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      return item === undefined ? undefined : { value: item, key: isNode(item) ? item : undefined };
    }
    if (!isMap(node)) return undefined;
    let index = this.keys.get(node);
    if (!index) {
      index = new Map();
      for (const pair of node.items) {
        const name = isPair(pair) ? keyName(pair.key) : undefined;
        if (name !== undefined && !index.has(name)) index.set(name, pair);
      }
      this.keys.set(node, index);
    }
    const pair = index.get(String(segment));
    return pair ? { key: isNode(pair.key) ? pair.key : undefined, value: pair.value ?? undefined } : undefined;
  }
}

/** One path's position (see Locator.locate). */
export function locate(doc: Document, lineCounter: LineCounter, path: IssuePath, atKey = false): Position {
  return new Locator(doc, lineCounter).locate(path, atKey);
}
